import type { RecoveryPointCommittedData, RecoveryPointKind } from '../../domain/recovery-point.js';
import type { BinEntry, RecoveryPointLife } from '../../domain/recovery-point-lifecycle.js';
import type { ReadModels } from '../../ports/read-models.js';
import type { TenantSummary } from './tenants.js';

/**
 * Read model: committed RPs per machine (`GET …/recovery-points`), and what is derived from
 * them — a machine's RP stats and a tenant's usage. The machine and recovery-point
 * projections both read it; it imports neither (no import cycle).
 */
export type RecoveryPointSummary = Omit<RecoveryPointCommittedData, 'tenantId' | 'index'> & {
  committedAt: string;
  /** 2: chunks found through the RP's index; 1: written before it, readable after `drcore admin migrate-storage`. */
  storageLayout: 1 | 2;
  /** In the tenant's recycle bin (still restorable) until `purgeAfter` (docs/lifecycle.md). */
  bin?: BinEntry;
  /** Restored from the bin by its tenant: retention keeps it. */
  pinned?: boolean;
};

/** A committed RP as the API shows it: its tenant is the caller's own, its index is the server's business. */
export function recoveryPointSummary(rp: RecoveryPointCommittedData, committedAt: string, life?: RecoveryPointLife): RecoveryPointSummary {
  const { tenantId: _tenant, index, ...rest } = rp;
  return {
    ...rest, committedAt, storageLayout: index ? 2 : 1,
    ...(life?.bin && !life.purgedAt ? { bin: life.bin } : {}), ...(life?.pinned ? { pinned: true } : {}),
  };
}
export const RECOVERY_POINTS = 'recovery-points';
/** The stored document: the summary and the RP stream's version last applied (absent on documents of before: 1, the commit). */
export type RecoveryPointDoc = RecoveryPointSummary & { version?: number };
/** A document as the API shows it. */
export const summaryOf = ({ version: _v, ...summary }: RecoveryPointDoc): RecoveryPointSummary => summary;

/** Tenant-scoped document ids start with the tenant: machines `t/m`, RPs `t/m/rp`. */
export const tenantPrefix = (tenantId: string): string => `${tenantId}/`;
export const rpPrefix = (tenantId: string, machineId: string): string => `${tenantId}/${machineId}/`;
export const rpDocId = (tenantId: string, machineId: string, rpId: string): string => `${tenantId}/${machineId}/${rpId}`;

/** The RP-derived fields of a machine's summary. */
export interface MachineRpStats {
  rpCount: number; storedBytes: number;
  latestRp: { rpId: string; kind: RecoveryPointKind; committedAt: string; manifest: string } | null;
}

/** A machine's RP stats, recomputed from the RP documents (idempotent, order-independent); RPs in the recycle bin do not count. */
export async function machineStats(rm: ReadModels, tenantId: string, machineId: string): Promise<MachineRpStats> {
  const rps = (await rm.list<RecoveryPointSummary>(RECOVERY_POINTS, { prefix: rpPrefix(tenantId, machineId) })).filter((rp) => !rp.bin);
  let latest: RecoveryPointSummary | undefined;
  let storedBytes = 0;
  for (const rp of rps) {
    storedBytes += rp.addedBytes;
    if (!latest || rp.committedAt > latest.committedAt || (rp.committedAt === latest.committedAt && rp.rpId > latest.rpId)) latest = rp;
  }
  return {
    rpCount: rps.length, storedBytes,
    latestRp: latest ? { rpId: latest.rpId, kind: latest.kind, committedAt: latest.committedAt, manifest: latest.manifest } : null,
  };
}

/**
 * Tenant usage = Σ addedBytes of its committed RPs, by machine, the recycle bin's apart (`binBytes`,
 * `binCount`); purged RPs count in neither. `logicalBytes`: Σ of the kept RPs' volume sizes, what
 * they would take before dedup and compression. Recomputed, so replays and redeliveries are harmless.
 */
export async function tenantUsage(rm: ReadModels, tenantId: string): Promise<NonNullable<TenantSummary['usage']>> {
  const byMachine: Record<string, number> = {};
  let storedBytes = 0;
  let binBytes = 0;
  let binCount = 0;
  let logicalBytes = 0;
  for (const rp of await rm.list<RecoveryPointSummary>(RECOVERY_POINTS, { prefix: tenantPrefix(tenantId) })) {
    if (rp.bin) { binBytes += rp.addedBytes; binCount++; continue; }
    storedBytes += rp.addedBytes;
    logicalBytes += rp.volumes.reduce((n, v) => n + v.sizeBytes, 0);
    byMachine[rp.machineId] = (byMachine[rp.machineId] ?? 0) + rp.addedBytes;
  }
  return { storedBytes, byMachine, binBytes, binCount, logicalBytes };
}
