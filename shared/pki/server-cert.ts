/**
 * The TLS server certificate of the local target core, signed by the core's CA.
 * SANs: always `localhost` and 127.0.0.1 (an IP SAN), plus the requested host names and IPs.
 */
import { isIP } from 'node:net';
import forge from 'node-forge';
import { issueCertificate, type Ca, type IssuedPem } from './ca.js';
import type { RsaPublicKey } from './keys.js';

/** 825 days: the longest lifetime Apple platforms accept for a TLS server certificate. */
export const SERVER_CERT_DAYS = 825;
export const DEFAULT_SERVER_NAMES: readonly string[] = ['localhost', '127.0.0.1'];

const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

export interface SubjectAltNames {
  readonly dns: string[];
  /** IP addresses as 4 or 16 raw bytes in hex, so ::1 and 0:0:…:1 compare equal. */
  readonly ipHex: string[];
  /** IP addresses as given. */
  readonly ips: string[];
}

function isDnsName(name: string): boolean {
  if (name.length > 253) return false;
  const labels = name.split('.');
  return labels.every((label, i) => DNS_LABEL.test(label) || (i === 0 && label === '*' && labels.length > 2));
}

/** Hex of an IP's bytes, or undefined when `value` is not an IP address. */
export function ipToHex(value: string): string | undefined {
  if (isIP(value) === 0) return undefined;
  const bytes = (forge.util as unknown as { bytesFromIP(ip: string): string | null }).bytesFromIP(value);
  return bytes === null ? undefined : forge.util.bytesToHex(bytes);
}

/** Sorts names into DNS names and IPs (defaults included, deduplicated); throws on a bad name. */
export function subjectAltNamesFor(names: readonly string[]): SubjectAltNames {
  const dns: string[] = [];
  const ips: string[] = [];
  const ipHex: string[] = [];
  for (const raw of [...DEFAULT_SERVER_NAMES, ...names]) {
    const name = raw.trim().toLowerCase();
    const hex = ipToHex(name);
    if (hex !== undefined) {
      if (!ipHex.includes(hex)) {
        ipHex.push(hex);
        ips.push(name);
      }
    } else if (isDnsName(name)) {
      if (!dns.includes(name)) dns.push(name);
    } else {
      throw new Error(`invalid host name or IP address: ${JSON.stringify(raw)}`);
    }
  }
  return { dns, ips, ipHex };
}

/** The SANs of a certificate (PEM), in the same shape. */
export function subjectAltNamesOf(certPem: string): SubjectAltNames {
  const cert = forge.pki.certificateFromPem(certPem);
  const ext = cert.getExtension('subjectAltName') as { altNames?: { type: number; value: string; ip?: string }[] } | null;
  const dns: string[] = [];
  const ips: string[] = [];
  const ipHex: string[] = [];
  for (const alt of ext?.altNames ?? []) {
    if (alt.type === 2) dns.push(alt.value.toLowerCase());
    if (alt.type === 7) {
      ipHex.push(forge.util.bytesToHex(alt.value));
      ips.push(alt.ip ?? '');
    }
  }
  return { dns, ips, ipHex };
}

/** True when every requested name (and the defaults) is among the certificate's SANs. */
export function coversNames(certPem: string, names: readonly string[]): boolean {
  const want = subjectAltNamesFor(names);
  const have = subjectAltNamesOf(certPem);
  return want.dns.every((d) => have.dns.includes(d)) && want.ipHex.every((h) => have.ipHex.includes(h));
}

export interface ServerCertOptions {
  readonly publicKey: RsaPublicKey;
  readonly serial: string;
  readonly now: Date;
  /** Extra DNS names and IP addresses; `localhost` and 127.0.0.1 are always included. */
  readonly hostnames?: readonly string[];
  readonly days?: number;
}

/** A server certificate: CN = first DNS name, SANs, keyUsage digitalSignature + keyEncipherment, serverAuth. */
export function issueServerCertificate(ca: Ca, options: ServerCertOptions): IssuedPem {
  const sans = subjectAltNamesFor(options.hostnames ?? []);
  const altNames = [
    ...sans.dns.map((value) => ({ type: 2, value })),
    ...sans.ips.map((ip) => ({ type: 7, ip })),
  ];
  return issueCertificate(ca, {
    publicKey: options.publicKey,
    serial: options.serial,
    subject: { commonName: sans.dns[0] ?? 'localhost', organization: 'drcore' },
    now: options.now,
    days: options.days ?? SERVER_CERT_DAYS,
    extensions: [
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
}
