import type { StoredEvent } from '../../events/envelope.js';
import type { RecoveryPointCommittedData, RecoveryPointEvent } from '../../domain/recovery-point.js';
import type { ReadModels } from '../../ports/read-models.js';
import { MACHINES, machineDocId, machineStats, tenantPrefix, type MachineSummary } from './machines.js';
import { TENANTS, type TenantSummary } from './tenants.js';

/** Read model: committed RPs per machine (`GET …/recovery-points`), and from them machine stats and tenant usage. */
export type RecoveryPointSummary = Omit<RecoveryPointCommittedData, 'tenantId'> & { committedAt: string };
export const RECOVERY_POINTS = 'recovery-points';

export const rpPrefix = (tenantId: string, machineId: string): string => `${tenantId}/${machineId}/`;
export const rpDocId = (tenantId: string, machineId: string, rpId: string): string => `${tenantId}/${machineId}/${rpId}`;

/** Tenant usage = Σ addedBytes of its committed RPs, by machine; recomputed, so replays and redeliveries are harmless. */
export async function tenantUsage(rm: ReadModels, tenantId: string): Promise<NonNullable<TenantSummary['usage']>> {
  const byMachine: Record<string, number> = {};
  let storedBytes = 0;
  for (const rp of await rm.list<RecoveryPointSummary>(RECOVERY_POINTS, { prefix: tenantPrefix(tenantId) })) {
    storedBytes += rp.addedBytes;
    byMachine[rp.machineId] = (byMachine[rp.machineId] ?? 0) + rp.addedBytes;
  }
  return { storedBytes, byMachine };
}

export async function projectRecoveryPoint(rm: ReadModels, stored: StoredEvent): Promise<void> {
  const e = stored as unknown as RecoveryPointEvent & StoredEvent;
  switch (e.type) {
    case 'RecoveryPointCommitted': {
      const { tenantId, ...rest } = e.data;
      const id = rpDocId(tenantId, rest.machineId, rest.rpId);
      if (!(await rm.get(RECOVERY_POINTS, id))) await rm.put<RecoveryPointSummary>(RECOVERY_POINTS, id, { ...rest, committedAt: stored.at });
      const machine = await rm.get<MachineSummary>(MACHINES, machineDocId(tenantId, rest.machineId));
      if (machine) await rm.put<MachineSummary>(MACHINES, machineDocId(tenantId, rest.machineId), { ...machine, ...(await machineStats(rm, tenantId, rest.machineId)) });
      const tenant = await rm.get<TenantSummary>(TENANTS, tenantId);
      if (tenant) await rm.put<TenantSummary>(TENANTS, tenantId, { ...tenant, usage: await tenantUsage(rm, tenantId) });
      return;
    }
    default: { const never: never = e.type; throw new Error(`unknown recovery point event ${JSON.stringify(never)}`); }
  }
}
