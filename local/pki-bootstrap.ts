/**
 * The local target core's PKI (DESIGN §6, §8): the one PKI bootstrap (shared/app/pki-bootstrap.ts)
 * over the files of `DATA/pki/` (0700, FileSecretStore) and the data dir's certificate registry,
 * plus the TLS server certificate, which only the local runtime has. `drcore serve` runs it on
 * every start. The operator's files are the ones of every earlier version, with the same modes:
 * the CA (ca.pem, ca-key.pem), the admin bundle (admin.pem, admin-key.pem; admin.p12 and
 * admin.p12.password for a browser), the enrollment bundle (enrollment.pem, enrollment-key.pem),
 * the server certificate (server.pem, server-key.pem). Keys, the PKCS#12 bundle and its password
 * are 0600. The first start creates them; later starts reuse them byte for byte and (re)issue
 * only what is missing or unusable:
 *  - the server certificate, when it lacks a requested host name, was not issued by this CA, or
 *    expires within 30 days (it is in no registry, so reissuing it is free);
 *  - the admin / enrollment certificate, when it was not issued by this CA, has expired, or is not
 *    for its key file (a write cut short), for the same key; the PKCS#12 bundle with it, or when
 *    it or its password file is missing;
 *  - a bundle the registry has revoked: a new key and a new certificate over the same files.
 * Every bootstrap certificate is registered, those of a data dir made by an older version too.
 * The CA is never replaced: half a CA (one of its two files) is an error to resolve by hand.
 */
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FileSecretStore } from '../shared/adapters/local/file-secret-store.js';
import {
  bootstrapPki, certifiesKey, IncompleteCaError, issuedByAndUnexpired, newBundle, readCa, readKeyPair,
  type BundleRole, type PkiBootstrapOptions, type ReissuedBundle,
} from '../shared/app/pki-bootstrap.js';
import { newSerial, type Ca } from '../shared/pki/ca.js';
import { identityFromCertificate } from '../shared/pki/identity.js';
import { generateKeyPair, privateKeyToPem } from '../shared/pki/keys.js';
import { coversNames, issueServerCertificate, subjectAltNamesFor } from '../shared/pki/server-cert.js';
import type { CertRole } from '../shared/ports/certificate-authority.js';
import type { EventStore } from '../shared/ports/event-store.js';
import type { SecretStore } from '../shared/ports/secret-store.js';

export type { BundleRole, ReissuedBundle } from '../shared/app/pki-bootstrap.js';

export interface PkiPaths {
  readonly dir: string;
  readonly caCert: string;
  readonly caKey: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly adminCert: string;
  readonly adminKey: string;
  readonly adminP12: string;
  readonly adminP12Password: string;
  readonly enrollmentCert: string;
  readonly enrollmentKey: string;
}

/** A bootstrap client certificate, as it is registered in the certificate registry. */
export interface BootstrapCertificate {
  readonly serial: string;
  readonly role: CertRole;
  readonly subject: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly certificatePem: string;
}

/** Locally the admin bundle alone gets a PKCS#12 (the browser console); the CA is ca.pem beside the bundles. */
export const LOCAL_PKI: PkiBootstrapOptions = { caCommonName: 'drcore local CA', pkcs12: ['admin'], withIssuer: false };
const SERVER_SECRET = 'server';
const DIR_MODE = 0o700;
const SERVER_RENEW_BEFORE_MS = 30 * 86_400_000;

export function pkiPaths(dataDir: string): PkiPaths {
  const dir = join(dataDir, 'pki');
  const at = (name: string): string => join(dir, name);
  return {
    dir,
    caCert: at('ca.pem'),
    caKey: at('ca-key.pem'),
    serverCert: at('server.pem'),
    serverKey: at('server-key.pem'),
    adminCert: at('admin.pem'),
    adminKey: at('admin-key.pem'),
    adminP12: at('admin.p12'),
    adminP12Password: at('admin.p12.password'),
    enrollmentCert: at('enrollment.pem'),
    enrollmentKey: at('enrollment-key.pem'),
  };
}

async function ensureServerCertificate(secrets: SecretStore, ca: Ca, hostnames: readonly string[], now: Date): Promise<void> {
  const stored = await secrets.get(SERVER_SECRET);
  const renewBy = new Date(now.getTime() + SERVER_RENEW_BEFORE_MS);
  const cert = stored?.certificatePem;
  const key = stored?.privateKeyPem;
  if (cert !== undefined && key !== undefined && issuedByAndUnexpired(cert, ca, renewBy) && coversNames(cert, hostnames) && certifiesKey(cert, key)) return;
  const existing = readKeyPair(key);
  const keyPair = existing ?? generateKeyPair();
  const privateKeyPem = existing !== undefined && key !== undefined ? key : privateKeyToPem(keyPair.privateKey);
  const certificatePem = issueServerCertificate(ca, { publicKey: keyPair.publicKey, serial: newSerial(), now, hostnames }).certificatePem;
  await secrets.put(SERVER_SECRET, { privateKeyPem, certificatePem });
}

export interface LocalPkiOptions {
  /** The certificate registry the bootstrap certificates are checked against and registered in. */
  readonly events: EventStore;
  /** DNS names or IPs the server certificate names besides localhost and 127.0.0.1. */
  readonly hostnames?: readonly string[];
  readonly now?: Date;
}

export interface LocalPki {
  readonly paths: PkiPaths;
  /** Bootstrap bundles replaced at this start because the registry had revoked them. */
  readonly reissued: readonly ReissuedBundle[];
}

/** Creates on first start, and reuses afterwards, the local PKI under `DATA/pki` (see above). */
export async function bootstrapLocalPki(dataDir: string, options: LocalPkiOptions): Promise<LocalPki> {
  const now = options.now ?? new Date();
  const hostnames = options.hostnames ?? [];
  subjectAltNamesFor(hostnames); // throws on a bad name before anything is written
  const paths = pkiPaths(dataDir);
  await mkdir(paths.dir, { recursive: true, mode: DIR_MODE });
  await chmod(paths.dir, DIR_MODE);
  const secrets = new FileSecretStore(paths.dir);
  let result: Awaited<ReturnType<typeof bootstrapPki>>;
  try {
    result = await bootstrapPki({ secrets, events: options.events, clock: () => now }, LOCAL_PKI);
  } catch (e) {
    if (!(e instanceof IncompleteCaError)) throw e;
    const present = e.missing === 'certificate' ? paths.caKey : paths.caCert;
    throw new Error(`${paths.dir} holds only half of the CA (${present}); restore the other file, or move the pki directory away to start a new CA`, { cause: e });
  }
  await ensureServerCertificate(secrets, result.ca, hostnames, now);
  return { paths, reissued: result.reissued };
}

/** bootstrapLocalPki, for callers that need the paths only. */
export async function ensurePki(dataDir: string, options: LocalPkiOptions): Promise<PkiPaths> {
  return (await bootstrapLocalPki(dataDir, options)).paths;
}

function bootstrapCertificate(certificatePem: string): BootstrapCertificate {
  const id = identityFromCertificate(certificatePem);
  return { serial: id.serial, role: id.role, subject: id.subject, notBefore: id.notBefore, notAfter: id.notAfter, certificatePem };
}

/**
 * Replaces the admin or enrollment bundle with a new key and a new certificate (new serial),
 * over the same files (the key 0600; for the admin bundle a new PKCS#12 and password). The key
 * is written first: a write cut short in between leaves a certificate that is not the key's,
 * for which the next start issues one. The bootstrap does this itself for a revoked bundle.
 */
export async function reissueClientBundle(paths: PkiPaths, role: BundleRole, options: { now?: Date } = {}): Promise<BootstrapCertificate> {
  const secrets = new FileSecretStore(paths.dir);
  const next = newBundle(await readCa(secrets), role, options.now ?? new Date(), LOCAL_PKI);
  await secrets.put(role, next);
  return bootstrapCertificate(next.certificatePem);
}

/** The admin and enrollment certificates, as registered in the certificate registry. */
export async function bootstrapCertificates(paths: PkiPaths): Promise<BootstrapCertificate[]> {
  const secrets = new FileSecretStore(paths.dir);
  const out: BootstrapCertificate[] = [];
  for (const role of ['admin', 'enrollment'] as const) {
    const pem = (await secrets.get(role))?.certificatePem;
    if (pem === undefined) throw new Error(`${paths.dir} has no ${role} certificate`);
    out.push(bootstrapCertificate(pem));
  }
  return out;
}
