import { z } from 'zod';

/**
 * The scheduled lifecycle jobs (docs/lifecycle.md): what a tick of the schedule asks the
 * lifecycle function to run — `{ "job": "retention" }` as the EventBridge rule's input on AWS,
 * the same object from `drcore serve`'s scheduler (local/lifecycle-scheduler.ts).
 */
export const LIFECYCLE_JOBS = ['retention', 'rpo'] as const;
export type LifecycleJob = (typeof LIFECYCLE_JOBS)[number];
export const LifecycleJobEvent = z.object({ job: z.enum(LIFECYCLE_JOBS) }).strict();
export type LifecycleJobEvent = z.infer<typeof LifecycleJobEvent>;

/** How often the retention job runs (the EventBridge rule's rate, the local scheduler's default interval). */
export const RETENTION_INTERVAL_MINUTES = 60;

/** How often the RPO job runs (issue 13: a machine past its RPO is noticed within this). */
export const RPO_INTERVAL_MINUTES = 5;
