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
 * And: a failure to read the CA is a PortError (UnavailableError when transient), never a
 * vendor error (AWS: test/unit/aws-secrets-ca.unit.test.ts).
 */
import type { CertRole } from '../domain/certificate.js';

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
}
