/**
 * The PKI bootstrap (DESIGN §6, §8), one for both runtimes: `drcore serve` runs it on every
 * start (local/pki-bootstrap.ts), the CA custom resource on deployments (functions/ca-bootstrap.ts).
 * Over the SecretStore and the event-sourced certificate registry:
 *  - the CA (secret `ca`) is created once: putIfAbsent, so two bootstraps racing end up with the
 *    same CA. It is never replaced; half of one (a certificate without its key, or the reverse)
 *    is an error to resolve by hand (IncompleteCaError).
 *  - the admin and enrollment bundles (secrets `admin`, `enrollment`) are issued when missing, and
 *    kept while their certificate is this CA's, unexpired and for their key. Otherwise a new
 *    certificate is issued for the same key (a key that does not parse is replaced too).
 *  - a bundle whose certificate the registry has revoked is replaced by a new key and a new
 *    certificate (new serial): the revoked key is never trusted again, and the core never stays
 *    without a usable admin or enrollment bundle. The revoked certificate stays revoked.
 *  - every bootstrap certificate, kept or new, is registered (idempotent), so that the
 *    authorizer knows it, it can be listed, and it can be revoked by serial like any other.
 *  - what is handed over with a bundle follows the runtime: a PKCS#12 for a browser (local: the
 *    admin bundle; AWS: both), the CA certificate beside it (AWS, where the bundle secret is the
 *    whole hand-over). A PKCS#12 is made anew with its certificate, or when it is missing.
 * Nothing here logs key material; the result names roles and serials only.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { certificateDecider } from '../domain/certificate.js';
import { streams } from '../ids.js';
import { createCa, loadCa, newSerial, type Ca } from '../pki/ca.js';
import { issueClientCertificate } from '../pki/client-cert.js';
import { identityFromCertificate } from '../pki/identity.js';
import { generateKeyPair, keyPairFromPrivateKeyPem, privateKeyToPem, type KeyPair } from '../pki/keys.js';
import { createPkcs12, randomPassword } from '../pki/pkcs12.js';
import type { EventStore } from '../ports/event-store.js';
import type { Pkcs12Part, Secret, SecretStore, StoredSecret } from '../ports/secret-store.js';
import { registerCertificate } from './certificate-service.js';
import { loadState } from './command-handler.js';

export type BundleRole = 'admin' | 'enrollment';
export const BUNDLE_ROLES: readonly BundleRole[] = ['admin', 'enrollment'];
/** The secret names (a bundle's secret is named after its role). */
export const CA_SECRET = 'ca';

export const BOOTSTRAP_ACTOR = 'system:bootstrap';

export interface PkiBootstrapDeps {
  readonly secrets: SecretStore;
  readonly events: EventStore;
  readonly clock: () => Date;
}

export interface PkiBootstrapOptions {
  /** The CA's common name, when it is created. */
  readonly caCommonName: string;
  /** The bundles that also carry a PKCS#12 (AES-256) for a browser. */
  readonly pkcs12: readonly BundleRole[];
  /** Keep the CA certificate in each bundle secret, as part of its hand-over. */
  readonly withIssuer: boolean;
}

export type BundleOutcome = 'kept' | 'issued';

/** A bundle replaced because the registry had revoked it. */
export interface ReissuedBundle {
  readonly role: BundleRole;
  readonly revokedSerial: string;
  readonly serial: string;
}

export interface PkiBootstrapResult {
  readonly ca: Ca;
  readonly bundles: Readonly<Record<BundleRole, BundleOutcome>>;
  readonly reissued: readonly ReissuedBundle[];
}

/** The CA secret holds one half of a CA only. */
export class IncompleteCaError extends Error {
  override readonly name = 'IncompleteCaError';
  constructor(readonly missing: 'certificate' | 'private key') {
    super(`the CA secret holds only half of the CA (its ${missing} is missing): restore it; a new CA is never made over half of one`);
  }
}

// ---- checks (pure) ----------------------------------------------------------------------------

/** Issued by `ca` (issuer name and signature) and not expired at `at`. */
export function issuedByAndUnexpired(certPem: string, ca: Ca, at: Date): boolean {
  try {
    const cert = new X509Certificate(certPem);
    const caCert = new X509Certificate(ca.certificatePem);
    return cert.checkIssued(caCert) && cert.verify(caCert.publicKey) && new Date(cert.validTo).getTime() > at.getTime();
  } catch {
    return false;
  }
}

/** The certificate is for this private key. */
export function certifiesKey(certPem: string, keyPem: string): boolean {
  try {
    return new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

/** The key pair of a stored key, or undefined when there is none or it does not parse. */
export function readKeyPair(keyPem: string | undefined): KeyPair | undefined {
  if (keyPem === undefined) return undefined;
  try {
    return keyPairFromPrivateKeyPem(keyPem);
  } catch {
    return undefined;
  }
}

// ---- the CA -----------------------------------------------------------------------------------

/** The CA in the store, created once if there is none. */
export async function ensureCa(secrets: SecretStore, commonName: string, now: Date): Promise<Ca> {
  let stored = await secrets.get(CA_SECRET);
  if (stored === undefined) {
    const ca = createCa({ now, serial: newSerial(), commonName: commonName.slice(0, 64) });
    const r = await secrets.putIfAbsent(CA_SECRET, { certificatePem: ca.certificatePem, privateKeyPem: ca.privateKeyPem });
    if (r.created) return ca;
    stored = r.existing; // another bootstrap created it first
  }
  return caFrom(stored);
}

/** The CA in the store; throws when there is none (or half of one). */
export async function readCa(secrets: SecretStore): Promise<Ca> {
  const stored = await secrets.get(CA_SECRET);
  if (stored === undefined) throw new Error('there is no CA yet: the PKI bootstrap creates it');
  return caFrom(stored);
}

function caFrom(stored: StoredSecret): Ca {
  if (stored.certificatePem === undefined) throw new IncompleteCaError('certificate');
  if (stored.privateKeyPem === undefined) throw new IncompleteCaError('private key');
  return loadCa(stored.certificatePem, stored.privateKeyPem);
}

// ---- bundles ----------------------------------------------------------------------------------

function bundleCertificate(ca: Ca, role: BundleRole, keyPair: KeyPair, now: Date): string {
  return issueClientCertificate(ca, { publicKey: keyPair.publicKey, role, commonName: `drcore ${role}`, serial: newSerial(), now }).certificatePem;
}

function pkcs12Of(ca: Ca, role: BundleRole, privateKeyPem: string, certificatePem: string): Pkcs12Part {
  const password = randomPassword();
  const der = createPkcs12({ privateKeyPem, certificatePem, chainPems: [ca.certificatePem], password, friendlyName: `drcore ${role}` });
  return { der: new Uint8Array(der), password };
}

/** The hand-over parts of a bundle: the PKCS#12 is kept while its certificate and key are. */
function withHandOver(ca: Ca, role: BundleRole, pair: { privateKeyPem: string; certificatePem: string }, previous: StoredSecret | undefined, options: PkiBootstrapOptions): Secret {
  const samePair = previous?.certificatePem === pair.certificatePem && previous.privateKeyPem === pair.privateKeyPem;
  const pkcs12 = !options.pkcs12.includes(role) ? undefined
    : samePair && previous.pkcs12 !== undefined ? previous.pkcs12
    : pkcs12Of(ca, role, pair.privateKeyPem, pair.certificatePem);
  return {
    ...pair,
    ...(options.withIssuer ? { issuerCertificatePem: ca.certificatePem } : {}),
    ...(pkcs12 !== undefined ? { pkcs12 } : {}),
  };
}

function sameSecret(a: Secret, b: StoredSecret | undefined): boolean {
  if (b === undefined) return false;
  const samePkcs12 = a.pkcs12 === undefined ? b.pkcs12 === undefined
    : b.pkcs12 !== undefined && a.pkcs12.password === b.pkcs12.password && Buffer.from(a.pkcs12.der).equals(Buffer.from(b.pkcs12.der));
  return a.privateKeyPem === b.privateKeyPem && a.certificatePem === b.certificatePem && a.issuerCertificatePem === b.issuerCertificatePem && samePkcs12;
}

/** A bundle with a new key and a new certificate (new serial), for one whose key must not be trusted again. */
export function newBundle(ca: Ca, role: BundleRole, now: Date, options: PkiBootstrapOptions): Secret {
  const keyPair = generateKeyPair();
  const pair = { privateKeyPem: privateKeyToPem(keyPair.privateKey), certificatePem: bundleCertificate(ca, role, keyPair, now) };
  return withHandOver(ca, role, pair, undefined, options);
}

async function revokedSerialOf(events: EventStore, certPem: string): Promise<string | undefined> {
  let serial: string;
  try {
    serial = identityFromCertificate(certPem).serial;
  } catch {
    return undefined; // not a bootstrap certificate at all: reissued as unusable
  }
  const { state } = await loadState(events, streams.cert(serial), certificateDecider);
  return state.status === 'revoked' ? serial : undefined;
}

interface BundleResult { readonly outcome: BundleOutcome; readonly reissued?: ReissuedBundle }

async function ensureBundle(deps: PkiBootstrapDeps, ca: Ca, role: BundleRole, options: PkiBootstrapOptions, now: Date, attempt = 1): Promise<BundleResult> {
  const stored = await deps.secrets.get(role);
  const certPem = stored?.certificatePem;
  const keyPem = stored?.privateKeyPem;
  const revokedSerial = certPem === undefined ? undefined : await revokedSerialOf(deps.events, certPem);

  let next: Secret;
  if (revokedSerial !== undefined) {
    next = newBundle(ca, role, now, options);
  } else if (certPem !== undefined && keyPem !== undefined && issuedByAndUnexpired(certPem, ca, now) && certifiesKey(certPem, keyPem)) {
    next = withHandOver(ca, role, { privateKeyPem: keyPem, certificatePem: certPem }, stored, options);
  } else {
    const existingKey = readKeyPair(keyPem);
    const keyPair = existingKey ?? generateKeyPair();
    const privateKeyPem = existingKey !== undefined && keyPem !== undefined ? keyPem : privateKeyToPem(keyPair.privateKey);
    next = withHandOver(ca, role, { privateKeyPem, certificatePem: bundleCertificate(ca, role, keyPair, now) }, stored, options);
  }

  if (stored === undefined) {
    const r = await deps.secrets.putIfAbsent(role, next);
    if (!r.created) {
      // Another bootstrap stored one first: take that one as found.
      if (attempt > 1) throw new Error(`the ${role} bundle secret keeps changing under the bootstrap`);
      return ensureBundle(deps, ca, role, options, now, attempt + 1);
    }
  } else if (!sameSecret(next, stored)) {
    await deps.secrets.put(role, next);
  }
  await registerCertificate(deps, next.certificatePem, BOOTSTRAP_ACTOR);
  const serial = identityFromCertificate(next.certificatePem).serial;
  return {
    outcome: next.certificatePem === certPem ? 'kept' : 'issued',
    ...(revokedSerial !== undefined ? { reissued: { role, revokedSerial, serial } } : {}),
  };
}

// ---- the bootstrap ----------------------------------------------------------------------------

export async function bootstrapPki(deps: PkiBootstrapDeps, options: PkiBootstrapOptions): Promise<PkiBootstrapResult> {
  const now = deps.clock();
  const ca = await ensureCa(deps.secrets, options.caCommonName, now);
  const bundles = {} as Record<BundleRole, BundleOutcome>;
  const reissued: ReissuedBundle[] = [];
  for (const role of BUNDLE_ROLES) {
    const r = await ensureBundle(deps, ca, role, options, now);
    bundles[role] = r.outcome;
    if (r.reissued) reissued.push(r.reissued);
  }
  return { ca, bundles, reissued };
}
