import { z } from 'zod';
import { ID_PATTERN } from '../../ids.js';

/** Workflow messages on the `workflow` queue. Consumers are idempotent (at-least-once delivery). */
const id = z.string().regex(ID_PATTERN);
export const WorkflowMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('PairingRequested'), requestId: id }),
  z.object({ type: z.literal('PairingApproved'), requestId: id }),
  z.object({ type: z.literal('PairingRejected'), requestId: id }),
  z.object({ type: z.literal('CertificateRenewalRequested'), tenantId: id, renewalId: id }),
]);
export type WorkflowMessage = z.infer<typeof WorkflowMessage>;
/** The messages of the pairing workflow (pairing-workflow.ts); the others have their own workflow. */
export type PairingMessage = Extract<WorkflowMessage, { type: 'PairingRequested' | 'PairingApproved' | 'PairingRejected' }>;
