import { z } from 'zod';
import { ID_PATTERN } from '../../ids.js';

/** Workflow messages on the `workflow` queue. Consumers are idempotent (at-least-once delivery). */
const id = z.string().regex(ID_PATTERN);
/** The next step of a tenant's GC run, after `step` steps (shared/app/lifecycle/gc/gc-workflow.ts). */
const gcStep = z.object({ type: z.literal('GcStep'), tenantId: id, runId: id, step: z.number().int().min(0) });
export const WorkflowMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('PairingRequested'), requestId: id }),
  z.object({ type: z.literal('PairingApproved'), requestId: id }),
  z.object({ type: z.literal('PairingRejected'), requestId: id }),
  z.object({ type: z.literal('CertificateRenewalRequested'), tenantId: id, renewalId: id }),
  gcStep,
]);
export type WorkflowMessage = z.infer<typeof WorkflowMessage>;
export type GcStepMessage = z.infer<typeof gcStep>;
/** The messages of the pairing workflow (pairing-workflow.ts); the others have their own workflow. */
export type PairingMessage = Extract<WorkflowMessage, { type: 'PairingRequested' | 'PairingApproved' | 'PairingRejected' }>;
