import { createHash } from 'node:crypto';
import type { PairingState } from '../../domain/pairing.js';
import { DEFAULT_RETENTION } from '../../domain/retention-policy.js';
import { registerCertificate } from '../certificate-service.js';
import { commandMeta } from '../command-handler.js';
import { certificateHandler, pairingHandler, tenantHandler } from '../handlers.js';
import type { AppDeps } from '../deps.js';
import { CertificateRefusedError } from '../../ports/errors.js';
import { QUEUES } from '../../ports/queue.js';
import { logger } from '../../runtime/logger.js';
import type { PairingMessage } from './messages.js';
import { PermanentWorkflowError, type Delivery } from './permanent-failure.js';

const ACTOR = 'system:pairing-workflow';

const FIRST_DELIVERY: Delivery = { receiveCount: 1, maxReceiveCount: QUEUES.workflow.maxReceiveCount };

/**
 * The pairing workflow (DESIGN §6). Every step is idempotent: a redelivered message
 * re-runs to the same result without duplicate events, notifications or certificates.
 * A failure to issue the approved request's certificate always reaches the source (feedback
 * on its request) and the operator (a notification, and the job in the dead-letter queue).
 */
export async function runPairingWorkflow(deps: AppDeps, message: PairingMessage, delivery: Delivery = FIRST_DELIVERY): Promise<void> {
  switch (message.type) {
    case 'PairingRequested':
      return acknowledge(deps, message.requestId);
    case 'PairingApproved':
      return provision(deps, message.requestId, delivery);
    case 'PairingRejected':
      return notifyRejected(deps, message.requestId);
    default: {
      const never: never = message;
      throw new Error(`unknown workflow message ${JSON.stringify(never)}`);
    }
  }
}

async function acknowledge(deps: AppDeps, requestId: string): Promise<void> {
  const meta = commandMeta(deps, ACTOR);
  const { at } = meta;
  const { state } = await pairingHandler(deps, requestId, {
    type: 'AcknowledgePairing',
    data: { requestId, message: 'Your request is queued for review by the service provider. You will be notified here of the decision.' },
  }, meta);
  if (state.status === 'none') return;
  const r = state.request;
  await deps.notifier.notify({
    id: `pairing-requested-${requestId}`, at, kind: 'pairing-requested',
    subject: `Pairing request from ${r.coreName}`,
    body: `Source core "${r.coreName}" (${r.coreId}, ${r.email}${r.customerId ? `, customer ${r.customerId}` : ''}) asks to replicate. Review: drcore admin requests; approve: drcore admin approve ${requestId} --quota SIZE`,
  });
}

/**
 * Approved: sign the CSR, create the tenant, register the certificate, deliver it.
 * - The CA refusing this request (CertificateRefusedError) is permanent: recorded once as
 *   PairingCertificateFailed (the request ends `failed`, no tenant is created), the operator is
 *   notified, and the job is given up (PermanentWorkflowError → dead-letter queue).
 * - Any other error is retried by the queue; on the last receive it is recorded as a retryable
 *   PairingCertificateFailed and notified, and the job goes to the dead-letter queue (a redrive
 *   after the fix delivers the certificate).
 */
async function provision(deps: AppDeps, requestId: string, delivery: Delivery): Promise<void> {
  try {
    await issueAndDeliver(deps, requestId);
  } catch (error) {
    if (!(error instanceof PermanentWorkflowError) && delivery.receiveCount >= delivery.maxReceiveCount) {
      await recordGivingUp(deps, requestId, error, delivery);
    }
    throw error;
  }
}

async function issueAndDeliver(deps: AppDeps, requestId: string): Promise<void> {
  const { state } = await pairingHandler.load(deps, requestId);
  if (state.status === 'failed') throw new PermanentWorkflowError(`pairing request ${requestId} failed: ${state.reason ?? ''}`);
  if (state.status !== 'approved' || !state.tenantId || !state.quotaBytes) return;
  if (state.certificate) return;
  const tenantId = state.tenantId;
  const r = state.request;
  const meta = commandMeta(deps, ACTOR);
  // The serial derives from the request, so a redelivery signs the same serial and the
  // registry's create-once stream makes the second issuance a no-op.
  const serial = `1${createHash('sha256').update(`pairing:${requestId}`).digest('hex').slice(0, 31)}`; // 16 bytes, positive
  const existing = await certificateHandler.load(deps, serial);
  let issuedPem: string | undefined;
  if (existing.state.status === 'none') {
    // Signed before the tenant is created: a request the CA refuses leaves no tenant behind.
    try {
      issuedPem = (await deps.ca.signCsr(r.csrPem, 'source-core', { tenantId, commonName: r.coreName, now: deps.clock(), serial })).certificatePem;
    } catch (error) {
      if (error instanceof CertificateRefusedError) await refuse(deps, requestId, state, error);
      throw error;
    }
  }
  await tenantHandler(deps, tenantId, {
    type: 'CreateTenant',
    data: {
      tenantId, name: r.coreName, email: r.email, quotaBytes: state.quotaBytes, pairingRequestId: requestId, coreId: r.coreId,
      ...(state.customerId ? { customerId: state.customerId } : {}), retention: state.retention ?? DEFAULT_RETENTION,
      ...(state.rpoTargetSeconds !== undefined ? { rpoTargetSeconds: state.rpoTargetSeconds } : {}),
      ...(state.leaseEndsAt !== undefined ? { leaseEndsAt: state.leaseEndsAt } : {}),
    },
  }, meta);
  if (issuedPem !== undefined) await registerCertificate(deps, issuedPem, ACTOR, { pairingRequestId: requestId });
  const registered = await certificateHandler.load(deps, serial);
  if (registered.state.status === 'none') throw new Error(`certificate ${serial} was not registered`);
  const { certificatePem } = registered.state.certificate;
  await pairingHandler(deps, requestId, {
    type: 'DeliverCertificate',
    data: { requestId, tenantId, serial, certificatePem, caCertificatePem: await deps.ca.caCertificatePem() },
  }, meta);
}

/** The CA will never sign this request: record it once, tell the operator, give the job up. */
async function refuse(deps: AppDeps, requestId: string, state: Exclude<PairingState, { status: 'none' }>, refusal: CertificateRefusedError): Promise<never> {
  const reason = `the certificate authority refused it: ${refusal.reason}`;
  const meta = commandMeta(deps, ACTOR);
  const { at } = meta;
  await pairingHandler(deps, requestId, { type: 'RecordCertificateFailure', data: { requestId, reason, retryable: false } }, meta);
  const r = state.request;
  await deps.notifier.notify({
    id: `pairing-failed-${requestId}`, at, kind: 'pairing-failed',
    subject: `Pairing request ${requestId} approved but no certificate could be issued`,
    body: `Approved pairing request ${requestId} from "${r.coreName}" (${r.coreId}, ${r.email}) failed: ${reason}. No tenant was created; the source core was told to send a corrected request. The workflow job goes to the dead-letter queue.`,
  });
  throw new PermanentWorkflowError(reason, { cause: refusal });
}

/** The last receive failed too: the source hears of the delay, the operator of the job in the dead-letter queue. */
async function recordGivingUp(deps: AppDeps, requestId: string, error: unknown, delivery: Delivery): Promise<void> {
  const fault = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const reason = fault.slice(0, 500);
  const meta = commandMeta(deps, ACTOR);
  const { at } = meta;
  try {
    await pairingHandler(deps, requestId, { type: 'RecordCertificateFailure', data: { requestId, reason, retryable: true } }, meta);
  } catch (recordError) {
    // The fault may be the event log itself: the dead-letter queue and its alarm still tell the operator.
    logger.error('could not record the pairing workflow failure', { requestId, error: recordError as Error });
  }
  try {
    await deps.notifier.notify({
      id: `pairing-certificate-delayed-${requestId}`, at, kind: 'pairing-failed',
      subject: `Certificate for pairing request ${requestId} not issued after ${delivery.receiveCount} attempts`,
      body: `Issuing the certificate of approved pairing request ${requestId} failed ${delivery.receiveCount} times, last with ${reason}. The workflow job is now in the workflow dead-letter queue: fix the cause, then redrive it; the source core is waiting for its certificate.`,
    });
  } catch (notifyError) {
    logger.error('could not notify the pairing workflow failure', { requestId, error: notifyError as Error });
  }
}

async function notifyRejected(deps: AppDeps, requestId: string): Promise<void> {
  const { state } = await pairingHandler.load(deps, requestId);
  if (state.status !== 'rejected') return;
  await deps.notifier.notify({
    id: `pairing-rejected-${requestId}`, at: deps.clock().toISOString(), kind: 'pairing-rejected',
    subject: `Pairing request from ${state.request.coreName} rejected`, body: state.reason ?? '',
  });
}
