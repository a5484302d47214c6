/**
 * CertificateAuthority: signs source-core CSRs on approval. The CA key never leaves the
 * adapter (local: a 0600 file in DATA/pki; AWS: Secrets Manager).
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
