/**
 * The core's certificate authority (DESIGN §6) and what signing with it means: serial numbers,
 * validity windows, UTF-8 subjects, key identifiers. Every certificate drcore issues is built by
 * `issueCertificate` below, so they all share one shape.
 *
 * Serials: canonical form is lowercase hex without leading zero bytes (what Node's
 * X509Certificate shows, lowercased). `newSerial()` sets the top bit of 16 random bytes, so the
 * certificate encodes it prefixed with `00` to stay a positive INTEGER. Serials are always passed
 * in: no signing function invents one.
 */
import { randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { DISPLAY_TEXT_RULE, isDisplayText } from '../domain/display-text.js';
import { generateKeyPair, privateKeyFromPem, privateKeyToPem, sameRsaPublicKey, type KeyPair, type RsaPrivateKey, type RsaPublicKey } from './keys.js';

export interface Ca {
  readonly certificate: forge.pki.Certificate;
  readonly privateKey: RsaPrivateKey;
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  /** The CA's subjectKeyIdentifier, hex; the authorityKeyIdentifier of what it issues. */
  readonly keyIdentifierHex: string;
}

/** Certificates start this long before `now`, so a peer whose clock lags a little accepts them. */
export const CLOCK_SKEW_MS = 5 * 60_000;
export const CA_VALIDITY_DAYS = 3653; // 10 years
const DAY_MS = 86_400_000;

export interface SubjectFields {
  readonly commonName: string;
  readonly organizationalUnit?: string;
  readonly organization?: string;
}

export interface CertificateSpec {
  readonly publicKey: RsaPublicKey;
  readonly serial: string;
  readonly subject: SubjectFields;
  readonly now: Date;
  readonly days: number;
  readonly extensions: readonly object[];
}

// ---- serials ----------------------------------------------------------------------------------

const SERIAL_PATTERN = /^(?:0[1-9a-f]|[1-9a-f][0-9a-f])(?:[0-9a-f]{2}){0,18}$/;

/** A new random serial: 32 lowercase hex digits, top bit set (encoded as `00` + serial). */
export function newSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) | 0x80;
  return bytes.toString('hex');
}

/** Returns the serial if canonical (lowercase even-length hex, no leading zero byte, ≤ 19 bytes). */
export function assertSerial(serial: unknown): string {
  if (typeof serial !== 'string' || !SERIAL_PATTERN.test(serial)) {
    throw new Error('invalid serial: expected lowercase hex of 1 to 19 bytes without a leading zero byte');
  }
  return serial;
}

/** Canonical serial from any hex rendering of a certificate's serial (forge, Node, openssl). */
export function normalizeSerial(hex: string): string {
  let s = hex.toLowerCase().replace(/[^0-9a-f]/g, '');
  if (s.length % 2 === 1) s = `0${s}`;
  while (s.startsWith('00') && s.length > 2) s = s.slice(2);
  return s;
}

/** The INTEGER content for a canonical serial: `00`-prefixed when its top bit is set. */
function serialForCertificate(serial: string): string {
  return Number.parseInt(assertSerial(serial)[0] ?? '0', 16) >= 8 ? `00${serial}` : serial;
}

// ---- names ------------------------------------------------------------------------------------

const UTF8 = forge.asn1.Type.UTF8 as unknown as forge.asn1.Class;

/**
 * The longest value of a subject attribute we sign (CN, OU, O): RFC 5280's upper bound for
 * each, counted as JavaScript string length. The request schemas use this same constant for
 * every field that becomes part of a subject, so what passes the schema is what the CA signs.
 */
export const NAME_VALUE_MAX_LENGTH = 64;

function assertNameValue(kind: string, value: string): string {
  if (value.length < 1 || value.length > NAME_VALUE_MAX_LENGTH || !isDisplayText(value)) {
    throw new Error(`invalid ${kind}: 1 to ${NAME_VALUE_MAX_LENGTH} characters, ${DISPLAY_TEXT_RULE}`);
  }
  return value;
}

/** Subject attributes, most general first (O, OU, CN), all UTF8String. */
export function subjectAttributes(fields: SubjectFields): forge.pki.CertificateField[] {
  const attrs: forge.pki.CertificateField[] = [];
  if (fields.organization !== undefined) attrs.push({ shortName: 'O', value: assertNameValue('organization', fields.organization), valueTagClass: UTF8 });
  if (fields.organizationalUnit !== undefined) attrs.push({ shortName: 'OU', value: assertNameValue('organizational unit', fields.organizationalUnit), valueTagClass: UTF8 });
  attrs.push({ shortName: 'CN', value: assertNameValue('common name', fields.commonName), valueTagClass: UTF8 });
  return attrs;
}

/** The text of a parsed name attribute (forge leaves UTF8String values as UTF-8 bytes). */
export function attributeText(attr: forge.pki.CertificateField): string {
  const value = typeof attr.value === 'string' ? attr.value : '';
  return attr.valueTagClass === UTF8 ? forge.util.decodeUtf8(value) : value;
}

/** Parsed attributes made fit to encode again (e.g. the CA's subject as an issuer). */
function reencodable(attrs: forge.pki.CertificateField[]): forge.pki.CertificateField[] {
  return attrs.map((a) => ({ type: a.type, value: attributeText(a), valueTagClass: a.valueTagClass }));
}

export interface NamePart {
  readonly key: string;
  readonly value: string;
}

/** Parsed attributes as text parts, in encoding order. */
export function nameParts(attrs: forge.pki.CertificateField[]): NamePart[] {
  return attrs.map((a) => ({ key: a.shortName ?? a.type ?? '?', value: attributeText(a) }));
}

const ESCAPE = /[,+"\\<>;=]/g;
/** "CN=…, OU=…, O=…" (RFC 4514 order: most specific first). */
export function formatDistinguishedName(parts: readonly NamePart[]): string {
  return [...parts]
    .reverse()
    .map((p) => `${p.key}=${p.value.replace(ESCAPE, (c) => `\\${c}`)}`)
    .join(', ');
}

// ---- validity ---------------------------------------------------------------------------------

function floorToSecond(ms: number): Date {
  return new Date(Math.floor(ms / 1000) * 1000);
}

export function validityWindow(now: Date, days: number): { notBefore: Date; notAfter: Date } {
  if (!Number.isInteger(days) || days < 1 || days > CA_VALIDITY_DAYS) throw new Error(`invalid validity: ${days} days`);
  const t = now.getTime();
  if (!Number.isFinite(t)) throw new Error('invalid date');
  return { notBefore: floorToSecond(t - CLOCK_SKEW_MS), notAfter: floorToSecond(t + days * DAY_MS) };
}

// ---- the CA -----------------------------------------------------------------------------------

function keyIdentifierOf(cert: forge.pki.Certificate): string {
  const ski = cert.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: string } | null;
  return ski?.subjectKeyIdentifier ?? cert.generateSubjectKeyIdentifier().toHex();
}

/** A self-signed CA: 10 years, basicConstraints CA (critical), keyCertSign + cRLSign, SKI. */
export function createCa(options: { now: Date; serial: string; commonName?: string; keyPair?: KeyPair }): Ca {
  const keyPair = options.keyPair ?? generateKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keyPair.publicKey;
  cert.serialNumber = serialForCertificate(options.serial);
  const { notBefore, notAfter } = validityWindow(options.now, CA_VALIDITY_DAYS);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  const attrs = subjectAttributes({ commonName: options.commonName ?? 'drcore CA', organization: 'drcore' });
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keyPair.privateKey, forge.md.sha256.create());
  const certificatePem = forge.pki.certificateToPem(cert);
  return loadCa(certificatePem, privateKeyToPem(keyPair.privateKey));
}

/** Reads a CA; throws unless the certificate is a CA and the key is its key. */
export function loadCa(certPem: string, keyPem: string): Ca {
  const certificate = forge.pki.certificateFromPem(certPem);
  const privateKey = privateKeyFromPem(keyPem);
  const bc = certificate.getExtension('basicConstraints') as { cA?: boolean } | null;
  if (!bc?.cA) throw new Error('not a CA certificate (basicConstraints cA is not set)');
  if (!sameRsaPublicKey(certificate.publicKey as RsaPublicKey, privateKey)) {
    throw new Error('the CA key does not match the CA certificate');
  }
  return { certificate, privateKey, certificatePem: certPem, privateKeyPem: keyPem, keyIdentifierHex: keyIdentifierOf(certificate) };
}

// ---- issuing ----------------------------------------------------------------------------------

export interface IssuedPem {
  readonly serial: string;
  readonly certificatePem: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly subject: string;
}

/**
 * Builds and signs (SHA-256) an end-entity certificate: basicConstraints CA:false, SKI, AKI of
 * the CA, plus `spec.extensions` (key usages, SANs, …).
 */
export function issueCertificate(ca: Ca, spec: CertificateSpec): IssuedPem {
  const serial = assertSerial(spec.serial);
  const cert = forge.pki.createCertificate();
  cert.publicKey = spec.publicKey;
  cert.serialNumber = serialForCertificate(serial);
  const { notBefore, notAfter } = validityWindow(spec.now, spec.days);
  const caNotAfter = ca.certificate.validity.notAfter;
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter > caNotAfter ? caNotAfter : notAfter;
  const subject = subjectAttributes(spec.subject);
  cert.setSubject(subject);
  cert.setIssuer(reencodable(ca.certificate.subject.attributes));
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: forge.util.hexToBytes(ca.keyIdentifierHex) },
    ...spec.extensions,
  ]);
  cert.sign(ca.privateKey, forge.md.sha256.create());
  return {
    serial,
    certificatePem: forge.pki.certificateToPem(cert),
    notBefore: cert.validity.notBefore.toISOString(),
    notAfter: cert.validity.notAfter.toISOString(),
    subject: formatDistinguishedName(subject.map((a) => ({ key: a.shortName ?? '?', value: String(a.value) }))),
  };
}
