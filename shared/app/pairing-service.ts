import { streams } from '../ids.js';
import { pairingDecider, feedbackFor, type PairingEvent, type PairingState, type PairingStatus } from '../domain/pairing.js';
import { DomainError } from '../domain/decider.js';
import { InvalidCsrError, parseAndVerifyCsr } from '../pki/csr.js';
import { unprocessable } from '../http/problem.js';
import type { StoredEvent } from '../events/envelope.js';
import type { AppDeps } from './deps.js';
import { handleCommand, loadState } from './command-handler.js';

export interface PairingInput {
  coreName: string; coreId: string; email: string; customerId?: string | undefined; message?: string | undefined; csr: string;
}

export interface PairingView {
  id: string; status: PairingStatus; coreName: string; coreId: string; email: string; customerId?: string; message?: string;
  requestedAt: string; updatedAt: string; feedback: { at: string; message: string }[];
  tenantId?: string; quotaBytes?: number; reason?: string; certificateSerial?: string; certificate?: string; caCertificate?: string;
}

/*
 * Workflows are not started from here: the projector turns the committed events into
 * workflow messages (an outbox read from the log), so a crash between the append and
 * a send can never lose one.
 */

/** Enrollment: a source core asks to pair. The CSR must parse and its signature verify. */
export async function requestPairing(deps: AppDeps, input: PairingInput, enrollmentSerial: string, actor: string): Promise<PairingView> {
  try {
    parseAndVerifyCsr(input.csr);
  } catch (e) {
    if (e instanceof InvalidCsrError) throw unprocessable(`csr: ${e.detail}`);
    throw e;
  }
  const requestId = deps.newId('pr');
  const at = deps.clock().toISOString();
  await handleCommand(deps.events, streams.pairing(requestId), pairingDecider, {
    type: 'RequestPairing',
    data: {
      requestId, coreName: input.coreName, coreId: input.coreId, email: input.email, csrPem: input.csr, enrollmentSerial,
      ...(input.customerId ? { customerId: input.customerId } : {}),
      ...(input.message ? { message: input.message } : {}),
    },
  }, { at, actor });
  return getPairing(deps, requestId);
}

export async function getPairing(deps: AppDeps, requestId: string): Promise<PairingView> {
  const { state, events } = await loadState(deps.events, streams.pairing(requestId), pairingDecider);
  if (state.status === 'none') throw new DomainError('not-found', `pairing request ${requestId} does not exist`);
  return pairingView(state, events);
}

export function pairingView(state: Exclude<PairingState, { status: 'none' }>, events: readonly StoredEvent[]): PairingView {
  const r = state.request;
  return {
    id: r.requestId, status: state.status, coreName: r.coreName, coreId: r.coreId, email: r.email,
    ...(state.customerId ? { customerId: state.customerId } : {}),
    ...(r.message ? { message: r.message } : {}),
    requestedAt: events[0]?.at ?? '', updatedAt: events.at(-1)?.at ?? '',
    feedback: events.map((e) => ({ at: e.at, message: feedbackFor(e as unknown as PairingEvent) })),
    // A failed request created no tenant: its reserved id is not shown.
    ...(state.tenantId && state.status !== 'failed' ? { tenantId: state.tenantId } : {}),
    ...(state.quotaBytes ? { quotaBytes: state.quotaBytes } : {}),
    ...(state.reason ? { reason: state.reason } : {}),
    ...(state.certificate ? {
      certificateSerial: state.certificate.serial, certificate: state.certificate.certificatePem, caCertificate: state.certificate.caCertificatePem,
    } : {}),
  };
}

export async function approvePairing(
  deps: AppDeps, requestId: string, input: { quotaBytes: number; customerId?: string | undefined; note?: string | undefined }, adminSerial: string, actor: string,
): Promise<PairingView> {
  const tenantId = deps.newId('t');
  await handleCommand(deps.events, streams.pairing(requestId), pairingDecider, {
    type: 'ApprovePairing',
    data: {
      requestId, tenantId, quotaBytes: input.quotaBytes, adminSerial,
      ...(input.customerId ? { customerId: input.customerId } : {}), ...(input.note ? { note: input.note } : {}),
    },
  }, { at: deps.clock().toISOString(), actor });
  return getPairing(deps, requestId);
}

export async function rejectPairing(deps: AppDeps, requestId: string, reason: string, adminSerial: string, actor: string): Promise<PairingView> {
  await handleCommand(deps.events, streams.pairing(requestId), pairingDecider,
    { type: 'RejectPairing', data: { requestId, reason, adminSerial } }, { at: deps.clock().toISOString(), actor });
  return getPairing(deps, requestId);
}

export async function ignorePairing(deps: AppDeps, requestId: string, adminSerial: string, actor: string): Promise<PairingView> {
  await handleCommand(deps.events, streams.pairing(requestId), pairingDecider,
    { type: 'IgnorePairing', data: { requestId, adminSerial } }, { at: deps.clock().toISOString(), actor });
  return getPairing(deps, requestId);
}
