import { z } from 'zod';
import { ID_PATTERN } from '../../ids.js';

/** Workflow messages on the `workflow` queue. Consumers are idempotent (at-least-once delivery). */
const id = z.string().regex(ID_PATTERN);
export const WorkflowMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('PairingRequested'), requestId: id }),
  z.object({ type: z.literal('PairingApproved'), requestId: id }),
  z.object({ type: z.literal('PairingRejected'), requestId: id }),
]);
export type WorkflowMessage = z.infer<typeof WorkflowMessage>;
