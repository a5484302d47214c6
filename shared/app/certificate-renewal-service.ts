/**
 * Certificate renewal, the source core's side of the API (issue 11 item 6): with its valid
 * source-core certificate it asks for a certificate for a new key (a CSR); the workflow worker
 * signs it (workflows/renewal-workflow.ts) and the source fetches it. The renewal id derives
 * from the calling certificate's serial and the CSR, so a retried request is the same renewal.
 */
import { createHash } from 'node:crypto';
import { DomainError } from '../domain/errors.js';
import type { RenewalState } from '../domain/certificate-renewal.js';
import type { AppDeps } from './deps.js';
import { renewalHandler } from './handlers.js';
import { acceptableCsr } from './pairing-service.js';

export interface RenewalView {
  renewalId: string; status: 'pending' | 'issued' | 'failed'; oldSerial: string; requestedAt: string;
  serial?: string; certificatePem?: string; caCertificatePem?: string; reason?: string;
}

function view(state: Exclude<RenewalState, { status: 'none' }>, requestedAt: string): RenewalView {
  const base = { renewalId: state.request.renewalId, status: state.status, oldSerial: state.request.oldSerial, requestedAt };
  if (state.status === 'issued') return { ...base, serial: state.issued.serial, certificatePem: state.issued.certificatePem, caCertificatePem: state.issued.caCertificatePem };
  if (state.status === 'failed') return { ...base, reason: state.reason };
  return base;
}

export async function requestRenewal(deps: AppDeps, tenantId: string, callerSerial: string, csrPem: string, actor: string): Promise<RenewalView> {
  const csr = acceptableCsr(csrPem);
  const renewalId = `rn-${createHash('sha256').update(`${callerSerial}\n${csr.publicKeySha256}`).digest('hex').slice(0, 32)}`;
  const commonName = csr.subjectCommonName ?? tenantId;
  const r = await renewalHandler(deps, { tenantId, renewalId }, {
    type: 'RequestRenewal', data: { tenantId, renewalId, oldSerial: callerSerial, csrPem, commonName },
  }, actor);
  if (r.state.status === 'none') throw new Error('a renewal request left no renewal');
  return view(r.state, r.events[0]?.at ?? '');
}

export async function getRenewal(deps: AppDeps, tenantId: string, renewalId: string): Promise<RenewalView> {
  const { state, events } = await renewalHandler.load(deps, { tenantId, renewalId });
  if (state.status === 'none') throw new DomainError('not-found', `no renewal ${renewalId}`);
  return view(state, events[0]?.at ?? '');
}
