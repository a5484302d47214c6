import { z } from 'zod';
import { id } from './pairing.js';

/** Request schemas of the verify job's routes (shared/app/lifecycle/verify). */

/** One step of a verify run (`drcore admin verify` loops until `done`). */
export const VerifyStepBody = z.object({
  runId: id.optional().describe('The run this step belongs to (the runId of the first step\'s answer); a new run when absent'),
  tenantId: id.optional().describe('Only this tenant (all tenants when absent)'),
  olderThanDays: z.number().int().min(0).max(3650).optional().describe('Only RPs not verified for this many days (all when absent)'),
  rateBytesPerSecond: z.number().int().min(0).max(2 ** 40).refine((n) => n === 0 || n >= 2 ** 20, 'is 0 (no limit) or at least 1 MiB (1048576) per second')
    .optional().describe('Read at most this many bytes per second (0 or absent: no limit; else at least 1 MiB)'),
  cursor: z.string().regex(/^[A-Za-z0-9_-]{1,65536}$/).optional().describe('The `next` of the previous step'),
}).strict();

/** Asking for a signed verification report of a tenant: nothing to say. */
export const VerificationReportBody = z.object({}).strict();
