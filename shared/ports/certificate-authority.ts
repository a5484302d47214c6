/**
 * CertificateAuthority: signs source-core CSRs on approval. The CA key never leaves the
 * adapter (local: a 0600 file in DATA/pki, FileCertificateAuthority; AWS: one Secrets Manager
 * secret read once per container, SecretsManagerCertificateAuthority). Both sign with
 * shared/pki.
 *
 * Guarantees every adapter gives (checked by certificateAuthorityContract):
 * - caCertificatePem() is the CA certificate (self-signed, CA:true), the same on every call;
 *   no method returns the key.
 * - signCsr() verifies the CSR (PEM, PKCS#10, an accepted RSA key and signature algorithm, a
 *   valid self-signature) and otherwise throws CertificateRefusedError whose cause is the
 *   InvalidCsrError (shared/pki/csr.ts).
 * - Only the CSR's public key is used: the subject is built from `commonName`, the role (OU)
 *   and the tenant (O=tenant:…, plus the drcore identity extension); whatever the CSR's subject
 *   claims is ignored. A source-core certificate needs a tenant, an admin one has none, and an
 *   invalid tenant id is refused.
 * - The certificate is a client certificate (CA:false, clientAuth) issued by the CA, with
 *   serial `serial`, valid from `now` less a clock-skew allowance for `days` (365 by default),
 *   never past the CA's own notAfter; IssuedCertificate repeats serial, subject and validity.
 * - signDocument() signs the bytes given, exactly, with the CA key (SHA-256): `cmsPem` is a
 *   detached CMS SignedData (PEM) whose one signer and one certificate are the CA certificate,
 *   with the signing time `now`, checkable with `openssl cms -verify -binary -purpose any
 *   -CAfile ca.pem -content FILE -inform PEM -in FILE.p7s`; `rsaSha256` is the bare
 *   RSASSA-PKCS1-v1_5 SHA-256 signature (base64) that the CA certificate's public key verifies
 *   (`openssl dgst -sha256 -verify`, Node's crypto.verify). Any change to the bytes fails both.
 *   Only the core's own documents are signed this way (verification reports, log checkpoints):
 *   the caller builds them, nothing from a client is signed as it came.
 * And: a failure to read the CA is a PortError (UnavailableError when transient), never a
 * vendor error (AWS: test/unit/aws-secrets-ca.unit.test.ts).
 */
import type { CertRole } from '../domain/certificate.js';

/** A detached signature of a document by the CA key, in the two forms the port's contract describes. */
export interface DocumentSignature {
  /** CMS SignedData, detached, SHA-256 (PEM, `-----BEGIN PKCS7-----`). */
  readonly cmsPem: string;
  /** RSASSA-PKCS1-v1_5 with SHA-256 over the bytes, base64. */
  readonly rsaSha256: string;
}

/** The roles are the domain's (shared/domain/certificate.ts); re-exported for the CA's users. */
export type { CertRole };

export interface IssuedCertificate {
  readonly serial: string;
  readonly certificatePem: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly subject: string;
}

export interface CertificateAuthority {
  caCertificatePem(): Promise<string>;
  /**
   * Signs a verified CSR for `role` (+ tenant). Throws CertificateRefusedError (ports/errors.ts)
   * when it will not sign this request (the CSR does not parse or verify, the common name or
   * another part of the subject is not acceptable): permanent. Any other error is the CA's own
   * fault (e.g. UnavailableError: its key could not be read) and may pass on a retry.
   */
  signCsr(csrPem: string, role: CertRole, options: { tenantId?: string; commonName: string; days?: number; now: Date; serial: string }): Promise<IssuedCertificate>;
  /**
   * Signs a document the core made (a verification report, an event-log checkpoint) with the
   * CA key. Errors are the CA's own (e.g. UnavailableError: its key could not be read).
   */
  signDocument(content: Uint8Array, options: { now: Date }): Promise<DocumentSignature>;
  /**
   * Unwraps a seed's data key (RSA-OAEP SHA-256 with the seed label, shared/format/seed.ts) with
   * the CA key: the one private key of this core every paired source already holds the public
   * half of (docs/seeding.md). Throws SeedKeyRefusedError (ports/errors.ts) when the key was not
   * wrapped to this CA (permanent); any other error is the CA's own (UnavailableError: retry).
   */
  unwrapSeedKey(wrapped: Uint8Array): Promise<Buffer>;
}
