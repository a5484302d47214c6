import { createHash } from 'node:crypto';
import { streams } from '../../ids.js';
import { pairingDecider } from '../../domain/pairing.js';
import { tenantDecider } from '../../domain/tenant.js';
import { certificateDecider } from '../../domain/certificate.js';
import { registerCertificate } from '../certificate-service.js';
import { handleCommand, loadState } from '../command-handler.js';
import type { AppDeps } from '../deps.js';
import type { WorkflowMessage } from './messages.js';

const ACTOR = 'system:pairing-workflow';

/**
 * The pairing workflow (DESIGN §6). Every step is idempotent: a redelivered message
 * re-runs to the same result without duplicate events, notifications or certificates.
 */
export async function runPairingWorkflow(deps: AppDeps, message: WorkflowMessage): Promise<void> {
  switch (message.type) {
    case 'PairingRequested':
      return acknowledge(deps, message.requestId);
    case 'PairingApproved':
      return provision(deps, message.requestId);
    case 'PairingRejected':
      return notifyRejected(deps, message.requestId);
    default: {
      const never: never = message;
      throw new Error(`unknown workflow message ${JSON.stringify(never)}`);
    }
  }
}

async function acknowledge(deps: AppDeps, requestId: string): Promise<void> {
  const at = deps.clock().toISOString();
  const { state } = await handleCommand(deps.events, streams.pairing(requestId), pairingDecider, {
    type: 'AcknowledgePairing',
    data: { requestId, message: 'Your request is queued for review by the service provider. You will be notified here of the decision.' },
  }, { at, actor: ACTOR });
  if (state.status === 'none') return;
  const r = state.request;
  await deps.notifier.notify({
    id: `pairing-requested-${requestId}`, at, kind: 'pairing-requested',
    subject: `Pairing request from ${r.coreName}`,
    body: `Source core "${r.coreName}" (${r.coreId}, ${r.email}${r.customerId ? `, customer ${r.customerId}` : ''}) asks to replicate. Review: drcore admin requests; approve: drcore admin approve ${requestId} --quota SIZE`,
  });
}

/** Approved: create the tenant, sign the CSR, register the certificate, deliver it. */
async function provision(deps: AppDeps, requestId: string): Promise<void> {
  const { state } = await loadState(deps.events, streams.pairing(requestId), pairingDecider);
  if (state.status !== 'approved' || !state.tenantId || !state.quotaBytes) return;
  if (state.certificate) return;
  const tenantId = state.tenantId;
  const r = state.request;
  const meta = { at: deps.clock().toISOString(), actor: ACTOR };
  await handleCommand(deps.events, streams.tenant(tenantId), tenantDecider, {
    type: 'CreateTenant',
    data: {
      tenantId, name: r.coreName, email: r.email, quotaBytes: state.quotaBytes, pairingRequestId: requestId, coreId: r.coreId,
      ...(state.customerId ? { customerId: state.customerId } : {}),
    },
  }, meta);
  // The serial derives from the request, so a redelivery signs the same serial and the
  // registry's create-once stream makes the second issuance a no-op.
  const serial = `1${createHash('sha256').update(`pairing:${requestId}`).digest('hex').slice(0, 31)}`; // 16 bytes, positive
  const existing = await loadState(deps.events, streams.cert(serial), certificateDecider);
  if (existing.state.status === 'none') {
    const issued = await deps.ca.signCsr(r.csrPem, 'source-core', { tenantId, commonName: r.coreName, now: deps.clock(), serial });
    await registerCertificate(deps, issued.certificatePem, ACTOR, { pairingRequestId: requestId });
  }
  const registered = await loadState(deps.events, streams.cert(serial), certificateDecider);
  if (registered.state.status === 'none') throw new Error(`certificate ${serial} was not registered`);
  const { certificatePem } = registered.state.certificate;
  await handleCommand(deps.events, streams.pairing(requestId), pairingDecider, {
    type: 'DeliverCertificate',
    data: { requestId, tenantId, serial, certificatePem, caCertificatePem: await deps.ca.caCertificatePem() },
  }, meta);
}

async function notifyRejected(deps: AppDeps, requestId: string): Promise<void> {
  const { state } = await loadState(deps.events, streams.pairing(requestId), pairingDecider);
  if (state.status !== 'rejected') return;
  await deps.notifier.notify({
    id: `pairing-rejected-${requestId}`, at: deps.clock().toISOString(), kind: 'pairing-rejected',
    subject: `Pairing request from ${state.request.coreName} rejected`, body: state.reason ?? '',
  });
}
