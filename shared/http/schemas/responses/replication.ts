import { RPO_COMPLIANCE } from '../../../domain/rpo-compliance.js';
import { SNAPSHOT_METHODS } from '../../../domain/recovery-point.js';
import { z } from 'zod';

/** Response bodies of the replication routes (see ./pairing.ts; docs/replication-protocol.md). */
const Volume = z.strictObject({ name: z.string(), sizeBytes: z.number().int() });
const kind = z.enum(['base', 'incremental']);

export const MachineView = z.strictObject({
  machineId: z.string(), name: z.string(), volumes: z.array(Volume), registeredAt: z.string(), updatedAt: z.string(),
});

export const MachineSummary = z.strictObject({
  machineId: z.string(), name: z.string(), volumes: z.array(Volume), registeredAt: z.string(), updatedAt: z.string(),
  rpCount: z.number().int(), storedBytes: z.number().int(),
  latestRp: z.strictObject({ rpId: z.string(), kind, committedAt: z.string(), manifest: z.string() }).nullable(),
  replicationPausedReason: z.string().optional().describe('Incoming replication of this machine paused by the service provider: why'),
  rpoCompliance: z.enum(RPO_COMPLIANCE).optional().describe("The RPO job's last finding"),
});
export const MachineList = z.strictObject({ items: z.array(MachineSummary) });

export const RecoveryPoint = z.strictObject({
  machineId: z.string(), rpId: z.string(), kind, parentRpId: z.string().optional(),
  manifest: z.string().describe('Id (SHA-256) of the manifest root chunk'), volumes: z.array(Volume), createdAt: z.string().optional(),
  snapshot: z.strictObject({ method: z.enum(SNAPSHOT_METHODS), freezeMs: z.number().int() }).optional().describe('How the source made it consistent'),
  chunkCount: z.number().int(), referencedBytes: z.number().int(), addedBytes: z.number().int().describe("Bytes it added to the tenant's usage"),
  committedAt: z.string(),
  storageLayout: z.union([z.literal(1), z.literal(2)]).describe('2: indexed; 1: stored before storage layout 2, readable once `drcore admin migrate-storage` has run'),
  bin: z.strictObject({
    reason: z.enum(['retention', 'deleted']).describe('retention: the policy expired it; deleted: the service provider deleted it'),
    binnedAt: z.string(), purgeAfter: z.string().describe('Until then it restores, and `POST /v1/recycle-bin/{rpId}/restore` makes it a normal RP again'),
  }).optional().describe('Present while the RP is in the recycle bin'),
  pinned: z.boolean().optional().describe('Restored from the recycle bin: retention keeps it'),
});
export const RecoveryPointList = z.strictObject({ items: z.array(RecoveryPoint) });

export const Missing = z.strictObject({ missing: z.array(z.string()).describe('The asked-about chunk ids the target does not store') });

export const UploadList = z.strictObject({
  packs: z.array(z.strictObject({ packId: z.string(), chunks: z.array(z.string()).describe('The chunk ids the pack holds') }))
    .describe('Packs stored under this recovery point so far, by pack id'),
  next: z.string().optional().describe('Pass as `after` for the next page; absent on the last page'),
});

export const PackReceipt = z.strictObject({
  packId: z.string(), chunks: z.number().int(), bytes: z.number().int(), created: z.boolean().describe('false: the pack was stored already'),
});

export const RenewalView = z.strictObject({
  renewalId: z.string(), status: z.enum(['pending', 'issued', 'failed']), oldSerial: z.string(), requestedAt: z.string(),
  serial: z.string().optional().describe('The new certificate\'s serial, once issued'),
  certificatePem: z.string().optional(), caCertificatePem: z.string().optional(),
  reason: z.string().optional().describe('Why it failed'),
});
