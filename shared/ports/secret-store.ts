/**
 * SecretStore: the core's own key material, by name (DESIGN §6): the CA, and the bundles it
 * hands out (admin, enrollment; locally also the HTTPS server's). A secret is a private key with
 * its certificate; a bundle handed to a person may also carry its issuer's certificate and a
 * PKCS#12 of them for a browser. Local: files in DATA/pki; AWS: one Secrets Manager secret each.
 *
 * Guarantees every adapter gives (shared/ports/contracts/secret-store.contract.ts):
 * - get(name) returns the parts last stored under `name`, or undefined when nothing is stored
 *   there (on AWS the stack's placeholder value counts as nothing).
 * - putIfAbsent(name, secret) stores only when nothing is stored under `name`; it never
 *   overwrites. Of concurrent calls exactly one stores (`created: true`); every other one
 *   answers `created: false` with the secret that is stored (the winner's). This is what makes
 *   "create the CA once" race-safe.
 * - put(name, secret) replaces the whole secret (a bundle reissued with a new key): parts the new
 *   secret lacks are gone afterwards. Of concurrent puts the last one wins.
 * - Each part is written whole or not at all, and durably once the call resolves. A part can be
 *   missing only when something outside the store removed it, or a local put was cut short
 *   between two parts (each part is its own file); get() then returns the parts that are there,
 *   and the caller repairs or refuses (StoredSecret).
 * - Private parts (the key, the PKCS#12 and its password) are readable by the core only: local
 *   0600 files in a 0700 directory; AWS: Secrets Manager (KMS-encrypted, IAM-scoped). The
 *   certificates are public.
 * - Names match SECRET_NAME_PATTERN; any other name is refused (InvalidIdError) before any I/O.
 * - Errors are PortError (UnavailableError when a retry may pass), the vendor error as `cause`.
 *   A stored value the adapter does not recognise as a secret is refused, never overwritten.
 */
import { InvalidIdError } from '../ids.js';

/** A PKCS#12 bundle (DER) and the password that opens it. */
export interface Pkcs12Part {
  readonly der: Uint8Array;
  readonly password: string;
}

export interface Secret {
  /** PEM (PKCS#8). */
  readonly privateKeyPem: string;
  /** PEM: the certificate of that key. */
  readonly certificatePem: string;
  /** PEM: the certificate of the issuer, handed over with a bundle. */
  readonly issuerCertificatePem?: string;
  /** The key, the certificate and its issuer as PKCS#12, for a browser. */
  readonly pkcs12?: Pkcs12Part;
}

/** What get() finds: every part of the Secret that was stored, unless something removed one. */
export type StoredSecret = { readonly [K in keyof Secret]?: Secret[K] };

export type PutIfAbsentResult =
  | { readonly created: true }
  | { readonly created: false; readonly existing: StoredSecret };

export interface SecretStore {
  get(name: string): Promise<StoredSecret | undefined>;
  putIfAbsent(name: string, secret: Secret): Promise<PutIfAbsentResult>;
  put(name: string, secret: Secret): Promise<void>;
}

/** Lowercase letters, digits and '-', starting with a letter: safe as a file name and a secret key. */
export const SECRET_NAME_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

/** Returns the name unchanged, or throws InvalidIdError. */
export function assertSecretName(name: unknown): string {
  if (typeof name !== 'string' || !SECRET_NAME_PATTERN.test(name)) throw new InvalidIdError('secret name', name);
  return name;
}
