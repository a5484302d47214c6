/**
 * Replication lag per machine (issue 13, `GET /v1/admin/lag`, `drcore admin lag`): the time
 * since its last committed RP (since its registration when it has none), its tenant's RPO
 * target and the compliance (shared/domain/rpo-compliance.ts), and whether it is paused. From
 * the read models and the clock; it changes nothing (the RPO job records the transitions).
 */
import { lagSeconds, rpoCompliance, type RpoCompliance } from '../../domain/rpo-compliance.js';
import type { AppDeps } from '../deps.js';
import { MACHINES, machineDocId, type MachineSummary } from '../projections/machines.js';
import { TENANTS, type TenantSummary } from '../projections/tenants.js';

export interface MachineLag {
  tenantId: string; machineId: string; name: string; lastCommittedAt: string | null;
  lagSeconds: number; rpoTargetSeconds: number | null; compliance: RpoCompliance | null; paused: string | null;
}
export interface LagReport { evaluatedAt: string; items: MachineLag[] }

export async function lagReport(deps: Pick<AppDeps, 'readModels' | 'clock'>, tenantId?: string): Promise<LagReport> {
  const now = deps.clock();
  const tenants = tenantId === undefined
    ? await deps.readModels.list<TenantSummary>(TENANTS)
    : [await deps.readModels.get<TenantSummary>(TENANTS, tenantId)].filter((t): t is TenantSummary => t !== undefined);
  const items: MachineLag[] = [];
  for (const t of tenants) {
    const machines = await deps.readModels.list<MachineSummary>(MACHINES, { prefix: machineDocId(t.tenantId, '') });
    for (const m of machines) {
      const last = m.latestRp?.committedAt ?? null;
      const lag = lagSeconds(last ?? m.registeredAt, now);
      const target = t.rpoTargetSeconds ?? null;
      items.push({
        tenantId: t.tenantId, machineId: m.machineId, name: m.name, lastCommittedAt: last, lagSeconds: lag, rpoTargetSeconds: target,
        compliance: target === null ? null : rpoCompliance(lag, target),
        paused: t.replicationPausedReason ?? m.replicationPausedReason ?? null,
      });
    }
  }
  items.sort((a, b) => b.lagSeconds - a.lagSeconds || a.tenantId.localeCompare(b.tenantId) || a.machineId.localeCompare(b.machineId));
  return { evaluatedAt: now.toISOString(), items };
}
