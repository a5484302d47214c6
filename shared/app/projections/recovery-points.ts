import type { StoredEvent } from '../../events/envelope.js';
import type { RecoveryPointEvent } from '../../domain/recovery-point.js';
import type { ReadModels } from '../../ports/read-models.js';
import { MACHINES, machineDocId, type MachineSummary } from './machines.js';
import { RECOVERY_POINTS, machineStats, recoveryPointSummary, rpDocId, tenantUsage, type RecoveryPointSummary } from './recovery-point-summaries.js';
import { TENANTS, type TenantSummary } from './tenants.js';

/** Projection of committed RPs: the RP document, then its machine's stats and its tenant's usage. */
export async function projectRecoveryPoint(rm: ReadModels, stored: StoredEvent): Promise<void> {
  const e = stored as unknown as RecoveryPointEvent & StoredEvent;
  switch (e.type) {
    case 'RecoveryPointCommitted': {
      const { tenantId } = e.data;
      const rest = recoveryPointSummary(e.data, stored.at);
      const id = rpDocId(tenantId, rest.machineId, rest.rpId);
      if (!(await rm.get(RECOVERY_POINTS, id))) await rm.put<RecoveryPointSummary>(RECOVERY_POINTS, id, rest);
      const machine = await rm.get<MachineSummary>(MACHINES, machineDocId(tenantId, rest.machineId));
      if (machine) await rm.put<MachineSummary>(MACHINES, machineDocId(tenantId, rest.machineId), { ...machine, ...(await machineStats(rm, tenantId, rest.machineId)) });
      const tenant = await rm.get<TenantSummary>(TENANTS, tenantId);
      if (tenant) await rm.put<TenantSummary>(TENANTS, tenantId, { ...tenant, usage: await tenantUsage(rm, tenantId) });
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
    default: { const never: never = e; throw new Error(`unknown recovery point event ${JSON.stringify((never as { type: unknown }).type)}`); }
  }
}
