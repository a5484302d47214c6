import { z } from 'zod';
import { MachineSummary } from './replication.js';
import { TenantVerification } from './verification.js';

/** Response bodies of the admin and whoami routes (see ./pairing.ts). */
export const StoredEvent = z.strictObject({
  streamId: z.string(), version: z.number().int(), type: z.string(), data: z.unknown(), at: z.string(), actor: z.string(),
  prevHash: z.string(), hash: z.string(), position: z.string().optional().describe('Place in the whole log (absent when reading one stream)'),
});
export const EventList = z.strictObject({
  items: z.array(StoredEvent),
  next: z.string().nullable().optional().describe('Cursor for ?after= (the whole log only); null at the end'),
});

const Usage = z.strictObject({
  storedBytes: z.number().int(), byMachine: z.record(z.string(), z.number().int()),
  binBytes: z.number().int().optional().describe('Bytes the RPs in the recycle bin added (counted apart from storedBytes)'),
  binCount: z.number().int().optional().describe('RPs in the recycle bin'),
  logicalBytes: z.number().int().optional().describe("Σ of the kept RPs' volume sizes: what they would take before dedup and compression"),
});
export const Retention = z.strictObject({
  keep: z.strictObject({
    last: z.number().int(), hourly: z.number().int(), daily: z.number().int(), weekly: z.number().int(), monthly: z.number().int(), yearly: z.number().int(),
  }).describe("Proxmox Backup Server's keep-* counts per machine; every count 0 keeps everything"),
  binDays: z.number().int().describe('Days an expired or deleted RP stays in the recycle bin'),
});

export const TenantSummary = z.strictObject({
  tenantId: z.string(), name: z.string(), email: z.string(), customerId: z.string().optional(), coreId: z.string(), pairingRequestId: z.string(),
  quotaBytes: z.number().int(), status: z.enum(['active', 'suspended']), createdAt: z.string(), updatedAt: z.string(), version: z.number().int(),
  retention: Retention.optional(),
  replicationPausedReason: z.string().optional().describe('Incoming replication paused by the service provider: why (423 to its source core)'),
  leaseEndsAt: z.string().optional().describe('The lease ends then: writes are refused after it, reads keep working'),
  rpoTargetSeconds: z.number().int().optional().describe('The RPO target each machine is measured against'),
  bandwidthLimitBytesPerSecond: z.number().int().optional().describe('The upload limit its source cores are told (x-drcore-bandwidth-limit)'),
  usage: Usage.optional(),
  deleted: z.strictObject({ reason: z.string(), deletedAt: z.string() }).optional()
    .describe('Deleted by the operator: writes refused, restores kept, every RP on its way through the recycle bin; a resume undoes it'),
});
export const TenantList = z.strictObject({ items: z.array(TenantSummary) });

export const CertificateSummary = z.strictObject({
  serial: z.string(), role: z.enum(['admin', 'enrollment', 'source-core']), tenantId: z.string().optional(), subject: z.string(),
  notAfter: z.string(), status: z.enum(['valid', 'revoked']), issuedAt: z.string(), revokedAt: z.string().optional(), version: z.number().int(),
});

export const TenantDetail = TenantSummary.extend({
  usage: Usage, machines: z.array(MachineSummary), certificates: z.array(CertificateSummary),
  verification: TenantVerification.describe('Verify states of its RPs and its damaged chunks (the verify job)'),
});

export const Revocation = z.strictObject({ serial: z.string(), status: z.enum(['valid', 'revoked', 'unknown']) });

export const WhoAmI = z.strictObject({
  role: z.enum(['admin', 'enrollment', 'source-core']), serial: z.string(), subject: z.string(), tenantId: z.string().optional(),
});

export const OpenApiDocument = z.looseObject({
  openapi: z.string(), info: z.looseObject({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()),
}).describe('This document');

export const ProjectionDeadLetter = z.strictObject({
  position: z.string().describe("The event's position in the log"), streamId: z.string(), version: z.number().int(), type: z.string(),
  attempts: z.number().int().describe('How many times the projector was called with it'), error: z.string().describe("The projection's last error"),
  firstFailedAt: z.string(), deadLetteredAt: z.string(),
}).describe('An event the projector gave up on after its retries; it is still in the log');
export const ProjectionDeadLetterList = z.strictObject({ items: z.array(ProjectionDeadLetter) });

export const StorageMigrationStep = z.strictObject({
  migrated: z.array(z.strictObject({ tenantId: z.string(), rpId: z.string(), chunks: z.number().int() })).describe('RPs indexed by this step'),
  failed: z.array(z.strictObject({ tenantId: z.string(), rpId: z.string(), reason: z.string() })).describe('RPs that cannot be indexed, and why'),
  next: z.string().optional().describe('Pass as `after` to the next step'),
  done: z.boolean().describe('true: the whole log was read'),
});

export const UsageReport = z.strictObject({
  from: z.string(), to: z.string(),
  days: z.array(z.strictObject({
    tenantId: z.string(), day: z.string(), quotaBytes: z.number().int(),
    storedBytes: z.number().int().describe('High-water mark of the bytes stored (packs: what the object store bills)'),
    logicalBytes: z.number().int().describe("High-water mark of the kept RPs' volume sizes (before dedup and compression)"),
    binBytes: z.number().int().describe('High-water mark of the bytes the recycle bin holds (apart from storedBytes)'),
    egressBytes: z.number().int().describe("Chunk bytes the tenant's restores read that day"),
  })).describe('Per tenant and UTC day up to today (a day without activity carries the figures of the day before)'),
  tenants: z.array(z.strictObject({
    tenantId: z.string(), quotaBytes: z.number().int(), storedBytes: z.number().int(), logicalBytes: z.number().int(), binBytes: z.number().int(),
    estimatedFullAt: z.string().nullable().describe('When usage reaches the quota at the pace of the last 30 days; null when not growing'),
  })),
});

export const TenantStatus = z.strictObject({
  tenantId: z.string(), status: z.enum(['active', 'suspended']), quotaBytes: z.number().int(),
  suspendedReason: z.string().optional(), version: z.number().int().describe('The tenant stream version after the command'),
  deletedAt: z.string().optional().describe('Set when the tenant was deleted (its RPs go to the recycle bin at the next retention run)'),
});

const GcCounters = z.record(z.string(), z.number()).describe('What the run marked, freed (freedBytes, freedPacks), repacked, kept; bytes are stored pack bytes');
const GcOptions = z.strictObject({ graceSeconds: z.number().int(), settleSeconds: z.number().int(), dryRun: z.boolean(), repackBelowPercent: z.number(), maxRepackPacks: z.number().int() });
export const GcStarted = z.strictObject({ tenantId: z.string(), runId: z.string() }).describe('The run started; its steps run on the workflow queue');
export const GcStatus = z.strictObject({
  tenantId: z.string(), status: z.enum(['idle', 'running']),
  runId: z.string().optional(), startedAt: z.string().optional(), phase: z.string().optional(), step: z.number().int().optional(),
  notBefore: z.string().optional().describe('The next step waits until then (the settle)'), options: GcOptions.optional(), counters: GcCounters.optional(),
  last: z.strictObject({ runId: z.string(), dryRun: z.boolean(), counters: GcCounters }).optional().describe('The last run that finished'),
});
