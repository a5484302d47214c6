import type { StoredEvent } from '../../events/envelope.js';
import { streamKindOf, type StreamKind } from '../../ids.js';
import type { Queue } from '../../ports/queue.js';
import type { ReadModels } from '../../ports/read-models.js';
import type { WorkflowMessage } from '../workflows/messages.js';
import type { LifecycleMessage } from '../workflows/lifecycle-messages.js';
import { gcOutboxMessage } from '../lifecycle/gc/gc-workflow.js';
import { projectCertificate } from './certificates.js';
import { projectPairing } from './pairing-requests.js';
import { projectTenant } from './tenants.js';
import { projectMachine } from './machines.js';
import { projectRecoveryPoint } from './recovery-points.js';
import { projectUsageDaily } from './usage-daily.js';
import { projectVerification } from './verifications.js';
import { projectChunkIntegrity } from './damaged-chunks.js';
import { projectSeedImport } from './seed-imports.js';
import type { SeedImportMessage } from '../workflows/seed-import-messages.js';

export type Projection = (rm: ReadModels, event: StoredEvent) => Promise<void>;

/** Projections by stream kind (shared/ids.ts). */
const PROJECTIONS: Partial<Record<StreamKind, Projection[]>> = {
  pairing: [projectPairing],
  tenant: [projectTenant],
  cert: [projectCertificate],
  machine: [projectMachine],
  rp: [projectRecoveryPoint],
  storage: [projectUsageDaily],
  verification: [projectVerification],
  chunk: [projectChunkIntegrity],
  seed: [projectSeedImport],
};


/** The outbox: committed events that start a workflow step. */
function workflowMessageFor(event: StoredEvent): WorkflowMessage | LifecycleMessage | SeedImportMessage | undefined {
  const data = event.data as { requestId?: string; tenantId?: string; reportId?: string };
  switch (event.type) {
    case 'PairingRequested': return { type: 'PairingRequested', requestId: data.requestId ?? '' };
    case 'PairingApproved': return { type: 'PairingApproved', requestId: data.requestId ?? '' };
    case 'PairingRejected': return { type: 'PairingRejected', requestId: data.requestId ?? '' };
    case 'CertificateRenewalRequested': {
      const r = event.data as { tenantId?: string; renewalId?: string };
      return { type: 'CertificateRenewalRequested', tenantId: r.tenantId ?? '', renewalId: r.renewalId ?? '' };
    }
    // The worker is the one holder of the CA key: it signs the report.
    case 'VerificationReportRequested': return { type: 'SignVerificationReport', tenantId: data.tenantId ?? '', reportId: data.reportId ?? '' };
    // A seed import runs on the worker, in steps (shared/app/seed/seed-import-job.ts).
    case 'SeedImportRequested': return { type: 'SeedImportStep', importId: (event.data as { importId?: string }).importId ?? '' };
    default: return undefined;
  }
}

/**
 * Applies one committed event: read models, then the outbox. Idempotent, so the
 * at-least-once delivery of DynamoDB Streams (or the local dispatcher) is safe.
 * `outbox: false` when rebuilding projections from the whole log.
 */
export async function projectEvent(deps: { readModels: ReadModels; queue: Queue }, event: StoredEvent, options: { outbox: boolean } = { outbox: true }): Promise<void> {
  const kind = streamKindOf(event.streamId);
  for (const p of (kind && PROJECTIONS[kind]) ?? []) await p(deps.readModels, event);
  if (options.outbox) {
    const message = workflowMessageFor(event);
    if (message) await deps.queue.send('workflow', JSON.stringify(message));
    const gc = gcOutboxMessage(event);
    if (gc) await deps.queue.send('workflow', JSON.stringify(gc.message), gc.delaySeconds > 0 ? { delaySeconds: gc.delaySeconds } : undefined);
  }
}
