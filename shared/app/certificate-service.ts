import { streams } from '../ids.js';
import { certificateDecider, type CertificateIssuedData } from '../domain/certificate.js';
import { DomainError } from '../domain/decider.js';
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
