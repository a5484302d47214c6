import { streams } from '../ids.js';
import { certificateDecider, type CertificateIssuedData } from '../domain/certificate.js';
import { DomainError } from '../domain/decider.js';
import { identityFromCertificate } from '../pki/identity.js';
import type { AppDeps } from './deps.js';
import { handleCommand, loadState } from './command-handler.js';

/** Revokes a tenant's certificate; it stops working at once locally, within the authorizer TTL on AWS. */
export async function revokeCertificate(deps: AppDeps, tenantId: string, serial: string, reason: string, adminSerial: string, actor: string) {
  const { state } = await loadState(deps.events, streams.cert(serial), certificateDecider);
  if (state.status === 'none' || state.certificate.tenantId !== tenantId) {
    throw new DomainError('not-found', `tenant ${tenantId} has no certificate ${serial}`);
  }
  const result = await handleCommand(deps.events, streams.cert(serial), certificateDecider,
    { type: 'RevokeCertificate', data: { serial, reason, adminSerial } }, { at: deps.clock().toISOString(), actor });
  return { serial, status: result.state.status === 'none' ? 'unknown' : result.state.status };
}

/** Registers a certificate made outside the pairing workflow (the bootstrap admin and enrollment bundles). */
export async function registerCertificate(deps: AppDeps, data: CertificateIssuedData, actor: string): Promise<void> {
  await handleCommand(deps.events, streams.cert(data.serial), certificateDecider,
    { type: 'IssueCertificate', data }, { at: deps.clock().toISOString(), actor });
}

/**
 * Revokes any certificate by serial. One the registry never saw (the admin and enrollment
 * bundles the CA bootstrap makes on AWS) is registered from its PEM first, then revoked.
 * An admin cannot revoke the certificate it is calling with (no lock-out by mistake).
 */
export async function revokeAnyCertificate(
  deps: AppDeps, serial: string, input: { reason: string; certificate?: string | undefined }, adminSerial: string, actor: string,
) {
  if (serial === adminSerial) throw new DomainError('conflict', 'you cannot revoke the certificate you are calling with; use another admin certificate');
  const { state } = await loadState(deps.events, streams.cert(serial), certificateDecider);
  if (state.status === 'none') {
    if (!input.certificate) throw new DomainError('not-found', `certificate ${serial} is not in the registry; send its PEM as "certificate" to register and revoke it`);
    let id: ReturnType<typeof identityFromCertificate>;
    try {
      id = identityFromCertificate(input.certificate);
    } catch (e) {
      throw new DomainError('invalid', `certificate: ${(e as Error).message}`);
    }
    if (id.serial !== serial) throw new DomainError('invalid', `the certificate's serial is ${id.serial}, not ${serial}`);
    await registerCertificate(deps, {
      serial, role: id.role, subject: id.subject, notBefore: id.notBefore, notAfter: id.notAfter, fingerprint256: id.fingerprint256,
      certificatePem: input.certificate, ...(id.tenantId ? { tenantId: id.tenantId } : {}),
    }, actor);
  }
  const result = await handleCommand(deps.events, streams.cert(serial), certificateDecider,
    { type: 'RevokeCertificate', data: { serial, reason: input.reason, adminSerial } }, { at: deps.clock().toISOString(), actor });
  return { serial, status: result.state.status === 'none' ? 'unknown' : result.state.status };
}
