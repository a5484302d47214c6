import { filedBy, feedbackFor, type PairingEvent, type PairingState, type PairingStatus } from '../domain/pairing.js';
import type { CertRole } from '../domain/certificate.js';
import { DomainError, type DomainErrorReason } from '../domain/errors.js';
import { checkRetention, retentionOf, type RetentionInput } from '../domain/retention-policy.js';
import { InvalidCsrError, parseAndVerifyCsr, type CsrRefusal, type VerifiedCsr } from '../pki/csr.js';
import type { StoredEvent } from '../events/envelope.js';
import type { AppDeps } from './deps.js';
import { pairingHandler } from './handlers.js';
import { filePairingRequest, type PairingRateLimit } from './pairing-rate-limit.js';

export interface PairingInput {
  coreName: string; coreId: string; email: string; customerId?: string | undefined; message?: string | undefined; csr: string;
}

export interface PairingView {
  id: string; status: PairingStatus; coreName: string; coreId: string; email: string; customerId?: string; message?: string;
  requestedAt: string; updatedAt: string; feedback: { at: string; message: string }[];
  tenantId?: string; quotaBytes?: number; reason?: string; certificateSerial?: string; certificate?: string; caCertificate?: string;
}

/** Who reads a pairing request: an admin reads any; an enrollment certificate only those it filed. */
export interface PairingReader {
  readonly role: CertRole;
  readonly serial: string;
}

/*
 * Workflows are not started from here: the projector turns the committed events into
 * workflow messages (an outbox read from the log), so a crash between the append and
 * a send can never lose one.
 */

/** A key or signature algorithm we do not accept is the client's choice, each with its own reason; a CSR that does not parse or verify is just invalid. */
const CSR_REASONS: Record<CsrRefusal, DomainErrorReason | undefined> = {
  key: 'csr-key-not-accepted',
  'signature-algorithm': 'csr-signature-algorithm-not-accepted',
  malformed: undefined,
  signature: undefined,
};

/** The CSR parsed and its signature verified, or the DomainError a requester gets (pairing and renewal alike). */
export function acceptableCsr(csrPem: string): VerifiedCsr {
  try {
    return parseAndVerifyCsr(csrPem);
  } catch (e) {
    if (e instanceof InvalidCsrError) throw new DomainError('invalid', `csr: ${e.detail}`, { reason: CSR_REASONS[e.reason], cause: e });
    throw e;
  }
}

/**
 * Enrollment: a source core asks to pair. The CSR must be acceptable and its signature
 * verify (cheap checks first, shared/pki/csr.ts); then the request counts against the
 * enrollment certificate's rate limit; only then is it recorded, bound to that certificate.
 */
export async function requestPairing(
  deps: AppDeps, input: PairingInput, enrollmentSerial: string, actor: string, rateLimit: PairingRateLimit,
): Promise<PairingView> {
  acceptableCsr(input.csr);
  const requestId = deps.newId('pr');
  const now = deps.clock();
  await filePairingRequest(deps, rateLimit, enrollmentSerial, requestId, { now, actor });
  await pairingHandler(deps, requestId, {
    type: 'RequestPairing',
    data: {
      requestId, coreName: input.coreName, coreId: input.coreId, email: input.email, csrPem: input.csr, enrollmentSerial,
      ...(input.customerId ? { customerId: input.customerId } : {}),
      ...(input.message ? { message: input.message } : {}),
    },
  }, { at: now.toISOString(), actor });
  return getPairing(deps, requestId);
}

/**
 * A pairing request as `reader` may see it. Another enrollment certificate's request is
 * answered exactly like an unknown id, so ids cannot be probed.
 */
export async function readPairing(deps: AppDeps, requestId: string, reader: PairingReader): Promise<PairingView> {
  const { state, events } = await pairingHandler.load(deps, requestId);
  const visible = state.status !== 'none' && (reader.role === 'admin' || (reader.role === 'enrollment' && filedBy(state, reader.serial)));
  if (!visible) throw new DomainError('not-found', `pairing request ${requestId} does not exist`);
  return pairingView(state, events);
}

export async function getPairing(deps: AppDeps, requestId: string): Promise<PairingView> {
  const { state, events } = await pairingHandler.load(deps, requestId);
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
  deps: AppDeps, requestId: string,
  input: { quotaBytes: number; customerId?: string | undefined; note?: string | undefined; retention?: RetentionInput | undefined;
    rpoTargetSeconds?: number | undefined; leaseEndsAt?: string | undefined }, adminSerial: string, actor: string,
): Promise<PairingView> {
  const tenantId = deps.newId('t');
  await pairingHandler(deps, requestId, {
    type: 'ApprovePairing',
    data: {
      requestId, tenantId, quotaBytes: input.quotaBytes, adminSerial,
      ...(input.customerId ? { customerId: input.customerId } : {}), ...(input.note ? { note: input.note } : {}),
      ...(input.retention ? { retention: checkRetention(retentionOf(input.retention)) } : {}),
      ...(input.rpoTargetSeconds !== undefined ? { rpoTargetSeconds: input.rpoTargetSeconds } : {}),
      ...(input.leaseEndsAt !== undefined ? { leaseEndsAt: input.leaseEndsAt } : {}),
    },
  }, actor);
  return getPairing(deps, requestId);
}

export async function rejectPairing(deps: AppDeps, requestId: string, reason: string, adminSerial: string, actor: string): Promise<PairingView> {
  await pairingHandler(deps, requestId, { type: 'RejectPairing', data: { requestId, reason, adminSerial } }, actor);
  return getPairing(deps, requestId);
}

export async function ignorePairing(deps: AppDeps, requestId: string, adminSerial: string, actor: string): Promise<PairingView> {
  await pairingHandler(deps, requestId, { type: 'IgnorePairing', data: { requestId, adminSerial } }, actor);
  return getPairing(deps, requestId);
}
