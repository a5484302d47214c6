/**
 * The RPO job (issue 13; scheduled like the retention job: EventBridge on AWS, `drcore serve`'s
 * lifecycle scheduler locally): each machine's lag against its tenant's RPO target (rpo-lag.ts).
 * A change of compliance is one event on the machine's stream (MachineRpoExceeded when it goes
 * past its target or further past it, MachineRpoRestored when it is back within), so a machine
 * stays past its RPO without a new event per run; each MachineRpoExceeded notifies the operator.
 * Its report counts, per tenant, the machines past their RPO: on AWS the lifecycle function puts
 * that as the metric `MachinesPastRpo` the CloudWatch alarms (operator topic) watch.
 */
import type { MachineRpoData } from '../../domain/machine.js';
import { commandMeta } from '../command-handler.js';
import type { AppDeps } from '../deps.js';
import { machineHandler } from '../handlers.js';
import { lagReport, type MachineLag } from './rpo-lag.js';

export interface RpoJobResult {
  evaluatedAt: string;
  machines: number;
  /** Machines whose compliance changed in this run, with the new one. */
  changed: { tenantId: string; machineId: string; compliance: MachineLag['compliance'] }[];
  /** Machines past their RPO after the run. */
  pastRpo: number;
  /** Per tenant with an RPO target: its machines past it (the lifecycle function puts it as the metric MachinesPastRpo). */
  pastRpoByTenant: Record<string, number>;
  failed: { tenantId: string; machineId: string; reason: string }[];
}

const human = (s: number): string => (s >= 86_400 ? `${(s / 86_400).toFixed(1)} d` : s >= 3600 ? `${(s / 3600).toFixed(1)} h` : `${Math.round(s / 60)} min`);

export async function runRpoJob(deps: AppDeps, actor = 'system:rpo'): Promise<RpoJobResult> {
  const report = await lagReport(deps);
  const meta = commandMeta(deps, actor);
  const result: RpoJobResult = { evaluatedAt: report.evaluatedAt, machines: report.items.length, changed: [], pastRpo: 0, pastRpoByTenant: {}, failed: [] };
  const pastByTenant = new Map<string, number>();
  for (const m of report.items) {
    if (m.compliance === null || m.rpoTargetSeconds === null) continue;
    pastByTenant.set(m.tenantId, (pastByTenant.get(m.tenantId) ?? 0) + (m.compliance === 'within' ? 0 : 1));
    if (m.compliance !== 'within') result.pastRpo++;
    const data: MachineRpoData = {
      tenantId: m.tenantId, machineId: m.machineId, compliance: m.compliance, lagSeconds: m.lagSeconds,
      rpoTargetSeconds: m.rpoTargetSeconds, lastCommittedAt: m.lastCommittedAt, evaluatedAt: report.evaluatedAt,
    };
    try {
      const r = await machineHandler(deps, { tenantId: m.tenantId, machineId: m.machineId }, { type: 'RecordRpoCompliance', data }, meta);
      for (const e of r.appended) {
        result.changed.push({ tenantId: m.tenantId, machineId: m.machineId, compliance: m.compliance });
        if (e.type !== 'MachineRpoExceeded') continue;
        await deps.notifier.notify({
          id: `rpo-exceeded-${m.tenantId}-${m.machineId}-${e.version}`, at: meta.at, kind: 'rpo-exceeded',
          subject: `Machine ${m.machineId} of tenant ${m.tenantId} is past its RPO (${m.compliance})`,
          body: `Machine ${m.machineId} (${m.name}) of tenant ${m.tenantId} last committed a recovery point ${m.lastCommittedAt ?? 'never'}: `
            + `${human(m.lagSeconds)} ago, against an RPO target of ${human(m.rpoTargetSeconds)} (${m.compliance}).`
            + `${m.paused !== null ? ` Its replication is paused: ${m.paused}.` : ''} See drcore admin lag.`,
        });
      }
    } catch (err) {
      result.failed.push({ tenantId: m.tenantId, machineId: m.machineId, reason: (err as Error).message });
    }
  }
  result.pastRpoByTenant = Object.fromEntries(pastByTenant);
  return result;
}
