import { z } from 'zod';
import { RPO_COMPLIANCE } from '../../../domain/rpo-compliance.js';

/** Response bodies of the operator's replication control (issue 13). */
export const ReplicationControl = z.strictObject({
  tenantId: z.string(), machineId: z.string().optional(),
  paused: z.boolean(), pausedReason: z.string().optional(),
  leaseEndsAt: z.string().optional(), rpoTargetSeconds: z.number().int().optional(), bandwidthLimitBytesPerSecond: z.number().int().optional(),
  version: z.number().int().describe('The stream version after the command'),
});

export const LagReport = z.strictObject({
  evaluatedAt: z.string(),
  items: z.array(z.strictObject({
    tenantId: z.string(), machineId: z.string(), name: z.string(),
    lastCommittedAt: z.string().nullable().describe('The last committed RP; null: none yet (lag counts from registration)'),
    lagSeconds: z.number().int(), rpoTargetSeconds: z.number().int().nullable(),
    compliance: z.enum(RPO_COMPLIANCE).nullable().describe('within, exceeded (≤ 2×), severely-exceeded (≤ 4×), critical; null without a target'),
    paused: z.string().nullable().describe('Why incoming replication of it (or of its tenant) is paused; null: not paused'),
  })),
});
