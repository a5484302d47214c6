import { z } from 'zod';
import { Retention } from './admin.js';

/** Response bodies of the lifecycle routes (docs/lifecycle.md). */
const Bin = z.strictObject({ reason: z.enum(['retention', 'deleted']), binnedAt: z.string(), purgeAfter: z.string() });

export const RetentionReport = z.strictObject({
  tenantId: z.string(), retention: Retention, policy: z.string().describe('keep-last=3,keep-daily=2, or keep-all'), at: z.string(), dryRun: z.boolean(),
  machines: z.array(z.strictObject({
    machineId: z.string(),
    kept: z.array(z.strictObject({ rpId: z.string(), committedAt: z.string(), by: z.string().describe('The rule that keeps it (last, hourly, …), pinned or keep-all') })),
    expired: z.array(z.string()).describe('RPs that go (or went) to the recycle bin'),
    rolledUp: z.array(z.strictObject({
      rpId: z.string(), onto: z.string().nullable().describe('null: it becomes a base'), folded: z.array(z.string()),
      materialized: z.number().int().optional().describe('Extents resolved into new FULL chunks (a run, not a dry run)'), addedBytes: z.number().int().optional().describe('Bytes of the new packs'),
    })),
    purged: z.array(z.string()).describe('RPs whose bin period is over and that no chain needs: gone for good'),
    failed: z.array(z.strictObject({ rpId: z.string(), step: z.enum(['expire', 'roll-up', 'purge', 'lock']), reason: z.string() })),
    locked: z.array(z.strictObject({ rpId: z.string(), until: z.string(), objects: z.number().int() }))
      .optional().describe("Kept RPs whose chain's packs and index parts this run locked longer (S3 Object Lock by retention class)"),
  })),
  tenantDeletedAt: z.string().optional().describe('The tenant was deleted: every RP goes to the recycle bin, whatever the policy'),
}).describe('A retention run (or, dryRun, what the next one would do)');

export const RetentionView = z.strictObject({
  tenantId: z.string(), retention: Retention, policy: z.string(),
  next: RetentionReport.optional().describe('With ?dryRun=true: what the next run would do'),
});

export const RecycleBinList = z.strictObject({
  items: z.array(z.strictObject({
    rpId: z.string(), machineId: z.string(), kind: z.enum(['base', 'incremental']), committedAt: z.string(),
    volumes: z.array(z.strictObject({ name: z.string(), sizeBytes: z.number().int() })), addedBytes: z.number().int(), bin: Bin,
  })).describe('RPs in the recycle bin, the first to leave it first; each restores until its purgeAfter'),
});
