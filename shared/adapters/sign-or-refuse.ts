import type { Ca } from '../pki/ca.js';
import { signCsr, type SignCsrOptions } from '../pki/csr.js';
import type { IssuedCertificate } from '../ports/certificate-authority.js';
import { CertificateRefusedError } from '../ports/errors.js';

/**
 * signCsr for the CertificateAuthority adapters (both runtimes): signing is a pure function of the CA, the CSR
 * and the options, so whatever it throws (a CSR that does not verify, a common name the CA does
 * not encode, …) is a refusal of this request, as the port's CertificateRefusedError.
 */
export function signOrRefuse(ca: Ca, csrPem: string, options: SignCsrOptions): IssuedCertificate {
  try {
    return signCsr(ca, csrPem, options);
  } catch (cause) {
    throw new CertificateRefusedError(cause instanceof Error ? cause.message : 'the request cannot be signed', { cause });
  }
}
