import { z } from 'zod';
import { ID_PATTERN } from '../../ids.js';

/**
 * Workflow messages of the storage lifecycle's scheduled jobs on the `workflow` queue (the
 * EventBridge schedules and the jobs' own next steps on AWS; the local runtime runs the same
 * jobs on its timers). At-least-once: every consumer is idempotent.
 */
const id = z.string().regex(ID_PATTERN);
export const LIFECYCLE_MESSAGE_TYPES = ['VerifyStep', 'SignVerificationReport', 'LogCheckpoint'] as const;
export const LifecycleMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('VerifyStep'),
    /** Absent on the schedule's first message: the step starts a run. */
    runId: id.optional(),
    tenantId: id.optional(),
    olderThanDays: z.number().int().min(0).max(3650).optional(),
    rateBytesPerSecond: z.number().int().min(0).optional(),
    cursor: z.string().regex(/^[A-Za-z0-9_-]{1,65536}$/).optional(),
  }).strict(),
  z.object({ type: z.literal('SignVerificationReport'), tenantId: id, reportId: id }).strict(),
  z.object({ type: z.literal('LogCheckpoint') }).strict(),
]);
export type LifecycleMessage = z.infer<typeof LifecycleMessage>;

export const isLifecycleMessage = (body: unknown): boolean =>
  typeof body === 'object' && body !== null && (LIFECYCLE_MESSAGE_TYPES as readonly string[]).includes((body as { type?: unknown }).type as string);
