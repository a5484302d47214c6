import type { CertificateIssuedData } from '../domain/certificate.js';
import { DomainError } from '../domain/errors.js';
import { identityFromCertificate } from '../pki/identity.js';
import type { AppDeps } from './deps.js';
import { certificateHandler } from './handlers.js';

/** The registry entry of a certificate, read from the certificate itself (role and tenant are in it). */
export function certificateRecord(certificatePem: string, extra: { pairingRequestId?: string } = {}): CertificateIssuedData {
  const id = identityFromCertificate(certificatePem);
  return {
    serial: id.serial, role: id.role, subject: id.subject, notBefore: id.notBefore, notAfter: id.notAfter,
    fingerprint256: id.fingerprint256, certificatePem, ...(id.tenantId ? { tenantId: id.tenantId } : {}), ...extra,
  };
}

/** Registers a certificate (idempotent for the same certificate): issued by the pairing workflow, or a bootstrap bundle. */
export async function registerCertificate(deps: Pick<AppDeps, 'events' | 'clock'>, certificatePem: string, actor: string, extra: { pairingRequestId?: string } = {}): Promise<void> {
  const data = certificateRecord(certificatePem, extra);
  await certificateHandler(deps, data.serial, { type: 'IssueCertificate', data }, actor);
}

export interface Revocation { serial: string; status: 'valid' | 'revoked' | 'unknown' }

async function revoke(deps: AppDeps, serial: string, reason: string, adminSerial: string, actor: string): Promise<Revocation> {
  const result = await certificateHandler(deps, serial, { type: 'RevokeCertificate', data: { serial, reason, adminSerial } }, actor);
  return { serial, status: result.state.status === 'none' ? 'unknown' : result.state.status };
}

/** Revokes a tenant's certificate; it stops working at once locally, within the authorizer TTL on AWS. */
export async function revokeCertificate(deps: AppDeps, tenantId: string, serial: string, reason: string, adminSerial: string, actor: string) {
  const { state } = await certificateHandler.load(deps, serial);
  if (state.status === 'none' || state.certificate.tenantId !== tenantId) {
    throw new DomainError('not-found', `tenant ${tenantId} has no certificate ${serial}`);
  }
  return revoke(deps, serial, reason, adminSerial, actor);
}

/**
 * Revokes any certificate by serial: every certificate the core issues is in the registry (the
 * pairing workflow registers tenant certificates, the PKI bootstrap its admin and enrollment
 * bundles), so the serial is all it takes. An admin cannot revoke the certificate it is calling
 * with (no lock-out by mistake).
 */
export async function revokeAnyCertificate(deps: AppDeps, serial: string, input: { reason: string }, adminSerial: string, actor: string) {
  if (serial === adminSerial) throw new DomainError('conflict', 'you cannot revoke the certificate you are calling with; use another admin certificate');
  const { state } = await certificateHandler.load(deps, serial);
  if (state.status === 'none') throw new DomainError('not-found', `certificate ${serial} is not in the registry`);
  return revoke(deps, serial, input.reason, adminSerial, actor);
}
