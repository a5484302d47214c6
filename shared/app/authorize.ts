import { streams } from '../ids.js';
import { certificateDecider } from '../domain/certificate.js';
import { identityFromCertificate } from '../pki/identity.js';
import type { CertRole } from '../ports/certificate-authority.js';
import type { EventStore } from '../ports/event-store.js';
import { loadState } from './command-handler.js';

export type AuthDecision =
  | { allow: true; role: CertRole; serial: string; subject: string; tenantId?: string }
  | { allow: false; reason: string };

/**
 * Who a client certificate (already chain-verified by the TLS layer) is, and whether the
 * event-sourced registry accepts it — the same rule on both runtimes, for every role:
 * - the certificate must be registered, with the same fingerprint and tenant: every certificate
 *   the core issues is (source-core ones by the pairing workflow, admin and enrollment ones by
 *   the PKI bootstrap, shared/app/pki-bootstrap.ts), so one the registry does not know is
 *   refused even though the core's CA signed it;
 * - a revoked certificate is refused.
 */
export async function authorize(events: EventStore, certificatePem: string, now: Date): Promise<AuthDecision> {
  let id: ReturnType<typeof identityFromCertificate>;
  try {
    id = identityFromCertificate(certificatePem);
  } catch (e) {
    return { allow: false, reason: `unusable client certificate: ${(e as Error).message}` };
  }
  if (now < new Date(id.notBefore) || now > new Date(id.notAfter)) return { allow: false, reason: 'certificate outside its validity period' };
  const { state } = await loadState(events, streams.cert(id.serial), certificateDecider);
  if (state.status === 'none') return { allow: false, reason: `certificate ${id.serial} is not registered` };
  if (state.certificate.fingerprint256 !== id.fingerprint256 || state.certificate.tenantId !== id.tenantId) {
    return { allow: false, reason: `certificate ${id.serial} does not match the registry` };
  }
  if (state.status === 'revoked') return { allow: false, reason: `certificate ${id.serial} is revoked` };
  return { allow: true, role: id.role, serial: id.serial, subject: id.subject, ...(id.tenantId ? { tenantId: id.tenantId } : {}) };
}
