/**
 * The local target core's PKI on disk (DESIGN §6, §8): `DATA/pki/` (0700) holds the CA, the TLS
 * server certificate, the admin bundle (PEM for the CLI, PKCS#12 for a browser) and the enrollment
 * bundle. The first start creates them; later starts reuse them byte for byte. Only what is
 * missing or unusable is (re)issued:
 *  - the server certificate, when it lacks a requested host name, was not issued by this CA,
 *    or expires within 30 days (it is in no registry, so reissuing it is free);
 *  - the admin / enrollment certificate, when it was not issued by this CA or has expired
 *    (the serve command registers whatever `bootstrapCertificates` returns, new serials included);
 *  - the PKCS#12 bundle, when it or its password file is missing or the admin certificate changed;
 *  - any certificate whose key file does not hold its key (a write cut short).
 * A bundle the registry has revoked is replaced by `reissueClientBundle` (new key, new serial),
 * which the serve command calls (local/bootstrap-bundles.ts): this module knows no registry.
 * The CA is never replaced: half a CA (one of its two files) is an error to resolve by hand.
 * Key files, the PKCS#12 bundle and its password file are 0600.
 */
import { X509Certificate, createPrivateKey, randomBytes } from 'node:crypto';
import { chmod, link, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { createCa, loadCa, newSerial, type Ca } from '../shared/pki/ca.js';
import { issueClientCertificate } from '../shared/pki/client-cert.js';
import { identityFromCertificate } from '../shared/pki/identity.js';
import { generateKeyPair, keyPairFromPrivateKeyPem, privateKeyToPem, type KeyPair } from '../shared/pki/keys.js';
import { createPkcs12, randomPassword } from '../shared/pki/pkcs12.js';
import { coversNames, issueServerCertificate, subjectAltNamesFor } from '../shared/pki/server-cert.js';
import type { CertRole } from '../shared/ports/certificate-authority.js';

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

/** A bootstrap client certificate, as the serve command registers it in the certificate registry. */
export interface BootstrapCertificate {
  readonly serial: string;
  readonly role: CertRole;
  readonly subject: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly certificatePem: string;
}

const SECRET_MODE = 0o600;
const PUBLIC_MODE = 0o644;
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

// ---- files ------------------------------------------------------------------------------------

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/**
 * Writes `data` to a temporary file with `mode`, fsyncs it, then publishes it: with `replace`,
 * by rename; otherwise by link, which fails if another process created the file meanwhile.
 */
async function publish(path: string, data: string | Uint8Array, mode: number, replace: boolean): Promise<void> {
  const tmp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
  const handle = await open(tmp, 'wx', mode);
  try {
    await handle.writeFile(data);
    await handle.chmod(mode);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    if (replace) await rename(tmp, path);
    else await link(tmp, path);
  } finally {
    if (!replace) await unlink(tmp).catch(() => undefined);
  }
}

// ---- pieces -----------------------------------------------------------------------------------

async function ensureCa(paths: PkiPaths, now: Date): Promise<Ca> {
  const [hasCert, hasKey] = await Promise.all([exists(paths.caCert), exists(paths.caKey)]);
  if (hasCert && hasKey) {
    await chmod(paths.caKey, SECRET_MODE);
    return loadCa(await readFile(paths.caCert, 'utf8'), await readFile(paths.caKey, 'utf8'));
  }
  if (hasCert || hasKey) {
    throw new Error(`${paths.dir} holds only half of the CA (${hasCert ? paths.caCert : paths.caKey}); restore the other file, or move the pki directory away to start a new CA`);
  }
  const ca = createCa({ now, serial: newSerial(), commonName: 'drcore local CA' });
  await publish(paths.caKey, ca.privateKeyPem, SECRET_MODE, false);
  await publish(paths.caCert, ca.certificatePem, PUBLIC_MODE, false);
  return ca;
}

/** Issued by `ca` (signature and issuer name) and not expired at `at`. */
function issuedByAndUnexpired(certPem: string, ca: Ca, at: Date): boolean {
  try {
    const cert = new X509Certificate(certPem);
    const caCert = new X509Certificate(ca.certificatePem);
    return cert.checkIssued(caCert) && cert.verify(caCert.publicKey) && new Date(cert.validTo).getTime() > at.getTime();
  } catch {
    return false;
  }
}

/** The certificate is for this private key. */
function certifiesKey(certPem: string, keyPem: string): boolean {
  try {
    return new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

/**
 * Keeps a certificate + key pair when `usable(certPem)` and the certificate is the key's;
 * otherwise issues a new certificate (for the existing key when it is readable) and writes what
 * changed. True when it issued.
 */
async function ensurePair(certPath: string, keyPath: string, usable: (certPem: string) => boolean, issue: (keyPair: KeyPair) => string): Promise<boolean> {
  let keyPair: KeyPair | undefined;
  let keyPem = '';
  if (await exists(keyPath)) {
    await chmod(keyPath, SECRET_MODE);
    try {
      keyPem = await readFile(keyPath, 'utf8');
      keyPair = keyPairFromPrivateKeyPem(keyPem);
    } catch {
      keyPair = undefined; // unreadable: replaced below, together with its certificate
    }
  }
  if (keyPair && (await exists(certPath))) {
    const certPem = await readFile(certPath, 'utf8');
    if (usable(certPem) && certifiesKey(certPem, keyPem)) return false;
  }
  const pair = keyPair ?? generateKeyPair();
  const certPem = issue(pair);
  if (pair !== keyPair) await publish(keyPath, privateKeyToPem(pair.privateKey), SECRET_MODE, true);
  await publish(certPath, certPem, PUBLIC_MODE, true);
  return true;
}

async function ensureAdminPkcs12(paths: PkiPaths, ca: Ca, adminChanged: boolean): Promise<void> {
  const complete = (await exists(paths.adminP12)) && (await exists(paths.adminP12Password));
  if (complete && !adminChanged) {
    await Promise.all([chmod(paths.adminP12, SECRET_MODE), chmod(paths.adminP12Password, SECRET_MODE)]);
    return;
  }
  const password = randomPassword();
  const p12 = createPkcs12({
    privateKeyPem: await readFile(paths.adminKey, 'utf8'),
    certificatePem: await readFile(paths.adminCert, 'utf8'),
    chainPems: [ca.certificatePem],
    password,
    friendlyName: 'drcore admin',
  });
  // Password first: a bundle on disk always has its password beside it.
  await publish(paths.adminP12Password, `${password}\n`, SECRET_MODE, true);
  await publish(paths.adminP12, p12, SECRET_MODE, true);
}

// ---- entry points -----------------------------------------------------------------------------

/**
 * Creates on first start, and reuses afterwards, the local PKI under `DATA/pki`. `hostnames`
 * (DNS names or IPs) are added to `localhost` and 127.0.0.1 in the server certificate.
 */
export async function ensurePki(dataDir: string, options: { hostnames?: string[]; now?: Date } = {}): Promise<PkiPaths> {
  const now = options.now ?? new Date();
  const hostnames = options.hostnames ?? [];
  subjectAltNamesFor(hostnames); // throws on a bad name before anything is written
  const paths = pkiPaths(dataDir);
  await mkdir(paths.dir, { recursive: true, mode: DIR_MODE });
  await chmod(paths.dir, DIR_MODE);

  const ca = await ensureCa(paths, now);
  const renewBy = new Date(now.getTime() + SERVER_RENEW_BEFORE_MS);
  await ensurePair(
    paths.serverCert,
    paths.serverKey,
    (pem) => issuedByAndUnexpired(pem, ca, renewBy) && coversNames(pem, hostnames),
    (keyPair) => issueServerCertificate(ca, { publicKey: keyPair.publicKey, serial: newSerial(), now, hostnames }).certificatePem,
  );
  const unexpired = (pem: string): boolean => issuedByAndUnexpired(pem, ca, now);
  const adminChanged = await ensurePair(paths.adminCert, paths.adminKey, unexpired, (keyPair) => issueBundleCertificate(ca, 'admin', keyPair, now));
  await ensureAdminPkcs12(paths, ca, adminChanged);
  await ensurePair(paths.enrollmentCert, paths.enrollmentKey, unexpired, (keyPair) => issueBundleCertificate(ca, 'enrollment', keyPair, now));
  return paths;
}

export type BundleRole = 'admin' | 'enrollment';
const BUNDLE_NAMES: Readonly<Record<BundleRole, string>> = { admin: 'drcore admin', enrollment: 'drcore enrollment' };

function issueBundleCertificate(ca: Ca, role: BundleRole, keyPair: KeyPair, now: Date): string {
  return issueClientCertificate(ca, { publicKey: keyPair.publicKey, role, commonName: BUNDLE_NAMES[role], serial: newSerial(), now }).certificatePem;
}

/**
 * Replaces the admin or enrollment bundle with a new key and a new certificate (new serial),
 * over the same files (the key 0600): for a bundle the registry has revoked, whose key must not
 * be trusted again. The admin PKCS#12 bundle and its password are made anew. The key is written
 * first: a start cut short in between finds a certificate that is not the key's and issues one.
 */
export async function reissueClientBundle(paths: PkiPaths, role: BundleRole, options: { now?: Date } = {}): Promise<BootstrapCertificate> {
  const now = options.now ?? new Date();
  const ca = await ensureCa(paths, now);
  const keyPair = generateKeyPair();
  const certPem = issueBundleCertificate(ca, role, keyPair, now);
  const [certPath, keyPath] = role === 'admin' ? [paths.adminCert, paths.adminKey] : [paths.enrollmentCert, paths.enrollmentKey];
  await publish(keyPath, privateKeyToPem(keyPair.privateKey), SECRET_MODE, true);
  await publish(certPath, certPem, PUBLIC_MODE, true);
  if (role === 'admin') await ensureAdminPkcs12(paths, ca, true);
  return bootstrapCertificate(certPem);
}

function bootstrapCertificate(certificatePem: string): BootstrapCertificate {
  const id = identityFromCertificate(certificatePem);
  return { serial: id.serial, role: id.role, subject: id.subject, notBefore: id.notBefore, notAfter: id.notAfter, certificatePem };
}

/** The admin and enrollment certificates, for registration in the certificate registry. */
export async function bootstrapCertificates(paths: PkiPaths): Promise<BootstrapCertificate[]> {
  return [bootstrapCertificate(await readFile(paths.adminCert, 'utf8')), bootstrapCertificate(await readFile(paths.enrollmentCert, 'utf8'))];
}
