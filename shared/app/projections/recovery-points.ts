import type { StoredEvent } from '../../events/envelope.js';
import type { RecoveryPointEvent } from '../../domain/recovery-point.js';
import type { LifecycleEvent } from '../../domain/recovery-point-lifecycle.js';
import type { ReadModels } from '../../ports/read-models.js';
import { MACHINES, machineDocId, type MachineSummary } from './machines.js';
import { projectUsageRpDay } from './usage-daily.js';
import { RECOVERY_POINTS, machineStats, recoveryPointSummary, rpDocId, tenantUsage, type RecoveryPointDoc, type RecoveryPointSummary } from './recovery-point-summaries.js';
import { TENANTS, type TenantSummary } from './tenants.js';

/** Projection of committed RPs: the RP document, then its machine's stats and its tenant's usage. */
export async function projectRecoveryPoint(rm: ReadModels, stored: StoredEvent): Promise<void> {
  const e = stored as unknown as RecoveryPointEvent & StoredEvent;
  switch (e.type) {
    case 'RecoveryPointCommitted': {
      const { tenantId } = e.data;
      const rest = recoveryPointSummary(e.data, stored.at);
      const id = rpDocId(tenantId, rest.machineId, rest.rpId);
      if (!(await rm.get(RECOVERY_POINTS, id))) await rm.put<RecoveryPointDoc>(RECOVERY_POINTS, id, { ...rest, version: stored.version });
      const machine = await rm.get<MachineSummary>(MACHINES, machineDocId(tenantId, rest.machineId));
      if (machine) await rm.put<MachineSummary>(MACHINES, machineDocId(tenantId, rest.machineId), { ...machine, ...(await machineStats(rm, tenantId, rest.machineId)) });
      const tenant = await rm.get<TenantSummary>(TENANTS, tenantId);
      if (tenant) await putUsage(rm, tenant, stored.at);
      return;
    }
    case 'RecoveryPointIndexed': {
      const { tenantId, machineId, rpId } = e.data;
      const id = rpDocId(tenantId, machineId, rpId);
      const doc = await rm.get<RecoveryPointSummary>(RECOVERY_POINTS, id);
      if (doc && doc.storageLayout !== 2) await rm.put<RecoveryPointSummary>(RECOVERY_POINTS, id, { ...doc, storageLayout: 2 });
      return;
    }
    case 'RecoveryPointReindexed':
      return; // where its chunks are: nothing a read model shows
    case 'RecoveryPointExpired':
    case 'RecoveryPointDeleted':
    case 'RecoveryPointRestoredFromBin':
    case 'RecoveryPointPurged':
    case 'RecoveryPointRolledUp':
      return projectLifecycle(rm, stored, e);
    default: { const never: never = e; throw new Error(`unknown recovery point event ${JSON.stringify((never as { type: unknown }).type)}`); }
  }
}

/**
 * The lifecycle (docs/lifecycle.md) on the RP document: in the bin or not, pinned, the rolled-up
 * manifest and parent; a purged RP's document goes. Applied once per stream version (the
 * document remembers the last one), then the machine's stats and the tenant's usage again.
 */
async function projectLifecycle(rm: ReadModels, stored: StoredEvent, e: LifecycleEvent): Promise<void> {
  const { tenantId, machineId, rpId } = e.data;
  const id = rpDocId(tenantId, machineId, rpId);
  const doc = await rm.get<RecoveryPointDoc>(RECOVERY_POINTS, id);
  if (!doc || (doc.version ?? 1) >= stored.version) return;
  const version = stored.version;
  switch (e.type) {
    case 'RecoveryPointExpired':
    case 'RecoveryPointDeleted': {
      const { pinned: _p, ...rest } = doc;
      await rm.put<RecoveryPointDoc>(RECOVERY_POINTS, id, { ...rest, bin: { reason: e.data.reason, binnedAt: e.data.binnedAt, purgeAfter: e.data.purgeAfter }, version });
      break;
    }
    case 'RecoveryPointRestoredFromBin': {
      const { bin: _b, ...rest } = doc;
      await rm.put<RecoveryPointDoc>(RECOVERY_POINTS, id, { ...rest, pinned: true, version });
      break;
    }
    case 'RecoveryPointPurged':
      await rm.delete(RECOVERY_POINTS, id);
      break;
    case 'RecoveryPointRolledUp': {
      const d = e.data;
      const { parentRpId: _old, ...rest } = doc;
      await rm.put<RecoveryPointDoc>(RECOVERY_POINTS, id, {
        ...rest, kind: d.kind, ...(d.parentRpId !== undefined ? { parentRpId: d.parentRpId } : {}), manifest: d.manifest,
        chunkCount: d.chunkCount, referencedBytes: d.referencedBytes, addedBytes: doc.addedBytes + d.addedBytes, storageLayout: 2, version,
      });
      break;
    }
    default: { const never: never = e; throw new Error(`unknown lifecycle event ${JSON.stringify(never)}`); }
  }
  const machine = await rm.get<MachineSummary>(MACHINES, machineDocId(tenantId, machineId));
  if (machine) await rm.put<MachineSummary>(MACHINES, machineDocId(tenantId, machineId), { ...machine, ...(await machineStats(rm, tenantId, machineId)) });
  const tenant = await rm.get<TenantSummary>(TENANTS, tenantId);
  if (tenant) await putUsage(rm, tenant, stored.at);
}

/** The tenant's usage recomputed from the RP read model, and its day's logical and bin marks. */
async function putUsage(rm: ReadModels, tenant: TenantSummary, at: string): Promise<void> {
  const usage = await tenantUsage(rm, tenant.tenantId);
  await rm.put<TenantSummary>(TENANTS, tenant.tenantId, { ...tenant, usage });
  await projectUsageRpDay(rm, tenant.tenantId, at, usage);
}
