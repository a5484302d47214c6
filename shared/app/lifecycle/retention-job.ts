/**
 * The retention job (issue 11 item 1, docs/lifecycle.md): for each tenant, for each machine, the
 * plan of shared/domain/retention-plan.ts made on what the log says of each RP, then carried out
 * — `RecoveryPointExpired` for what the policy no longer keeps, a roll-up for every kept RP left
 * resting on the recycle bin, then `RecoveryPointPurged` for what left the bin, decided again on
 * the RPs as the log has them after the roll-ups (an RP whose roll-up failed still protects its
 * parents). Every step is idempotent, so a run cut short (a deadline, a crash) is finished by the
 * next one. A dry run makes the same plan and changes nothing.
 *
 * Which RPs a machine has comes from the RP read model (binned ones stay there until purged);
 * an RP committed a moment ago and not projected yet is left out, which only ever makes a run
 * expire less (the selection is monotonic: test/unit/domain-prune.unit.test.ts), and commits do
 * not rest on an RP about to leave the bin (commit-service.ts), so no purge misses a chain.
 */
import { DomainError } from '../../domain/errors.js';
import { neededBy, planRetention, purgeOrder, type PlanNode, type RetentionPlan } from '../../domain/retention-plan.js';
import { describeKeep, type RetentionSettings } from '../../domain/retention-policy.js';
import { lifeStatus } from '../../domain/recovery-point-lifecycle.js';
import type { AppDeps } from '../deps.js';
import { gcRunHandler, recoveryPointHandler, tenantHandler } from '../handlers.js';
import { RECOVERY_POINTS, tenantPrefix, type RecoveryPointDoc } from '../projections/recovery-point-summaries.js';
import { TENANTS, type TenantSummary } from '../projections/tenants.js';
import { rollUpRecoveryPoint } from './roll-up.js';
import { lockKeptRecoveryPoints, type RpLock } from './retention-locks.js';

export const RETENTION_ACTOR = 'system:retention';

export interface MachineRetention {
  machineId: string;
  kept: { rpId: string; committedAt: string; by: string }[];
  expired: string[];
  /** `materialized`: extents resolved into new FULL chunks (absent in a dry run); the rest reused what was stored. */
  rolledUp: { rpId: string; onto: string | null; folded: string[]; materialized?: number; addedBytes?: number }[];
  purged: string[];
  failed: { rpId: string; step: 'expire' | 'roll-up' | 'purge' | 'lock'; reason: string }[];
  /** Kept RPs whose data this run locked longer (S3 Object Lock, by retention class; absent where there is none). */
  locked?: RpLock[];
}

export interface RetentionReport {
  tenantId: string;
  retention: RetentionSettings;
  /** The policy as PBS would write it: keep-last=3,keep-daily=2 (or keep-all). */
  policy: string;
  at: string;
  dryRun: boolean;
  machines: MachineRetention[];
  /** The tenant was deleted then: the run bins every RP, whatever the policy (docs/lifecycle.md "Deleting a tenant"). */
  tenantDeletedAt?: string;
}

/** Every unpurged RP of the tenant as the log has it, by machine. */
async function tenantNodes(deps: AppDeps, tenantId: string): Promise<Map<string, PlanNode[]>> {
  const docs = await deps.readModels.list<RecoveryPointDoc>(RECOVERY_POINTS, { prefix: tenantPrefix(tenantId) });
  const byMachine = new Map<string, PlanNode[]>();
  for (const doc of docs) {
    const { state, events } = await recoveryPointHandler.load(deps, { tenantId, rpId: doc.rpId });
    if (state.status !== 'committed' || state.rp.machineId !== doc.machineId) continue;
    const status = lifeStatus(state.life);
    if (status === 'purged') continue;
    const node: PlanNode = {
      rpId: state.rp.rpId, at: events[0]?.at ?? doc.committedAt, parentRpId: state.rp.parentRpId, status,
      ...(state.life?.pinned ? { pinned: true } : {}), ...(state.life?.bin ? { purgeAfter: state.life.bin.purgeAfter } : {}),
    };
    let list = byMachine.get(doc.machineId);
    if (!list) byMachine.set(doc.machineId, (list = []));
    list.push(node);
  }
  return byMachine;
}

const reasonOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function keptOf(plan: RetentionPlan): MachineRetention['kept'] {
  return plan.marks.flatMap((m) => (m.keep ? [{ rpId: m.rpId, committedAt: m.at, by: m.by }] : []));
}

/** Runs (or, with dryRun, only plans) the retention of one tenant at the deps clock's now. */
export async function runRetention(deps: AppDeps, tenantId: string, options: { dryRun?: boolean; actor?: string } = {}): Promise<RetentionReport> {
  const { state: tenant } = await tenantHandler.load(deps, tenantId);
  if (tenant.status === 'none') throw new DomainError('not-found', `tenant ${tenantId} does not exist`);
  const { retention } = tenant;
  const dryRun = options.dryRun ?? false;
  const actor = options.actor ?? RETENTION_ACTOR;
  const now = deps.clock().toISOString();
  const policy = describeKeep(retention.keep);
  const report: RetentionReport = { tenantId, retention, policy, at: now, dryRun, machines: [] };
  if (tenant.deleted) return binDeletedTenant(deps, report, tenant.deleted, actor);
  let gcState: Promise<boolean> | undefined; // read once per run, and only when a roll-up asks
  const gcRunning = () => (gcState ??= gcRunHandler.load(deps, tenantId).then((r) => r.state.status === 'running'));
  for (const [machineId, nodes] of [...await tenantNodes(deps, tenantId)].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const plan = planRetention(nodes, retention.keep, now);
    const m: MachineRetention = { machineId, kept: keptOf(plan), expired: [], rolledUp: [], purged: [], failed: [] };
    report.machines.push(m);
    if (dryRun) {
      m.expired = [...plan.expire];
      m.rolledUp = plan.rollUp.map((s) => ({ rpId: s.rpId, onto: s.onto ?? null, folded: [...s.folded] }));
      m.purged = [...plan.purge];
      continue;
    }
    for (const rpId of plan.expire) {
      try {
        const r = await recoveryPointHandler(deps, { tenantId, rpId }, { type: 'ExpireRecoveryPoint', data: { tenantId, rpId, now, binDays: retention.binDays, policy } }, actor);
        if (r.appended.length > 0) m.expired.push(rpId);
      } catch (err) {
        m.failed.push({ rpId, step: 'expire', reason: reasonOf(err) });
      }
    }
    // A roll-up and GC's reindex both write an RP's next index generation: never at once. A GC run
    // is hours of settles and steps; the roll-up waits for the next run after it.
    for (const step of plan.rollUp) {
      if (await gcRunning()) {
        m.failed.push({ rpId: step.rpId, step: 'roll-up', reason: 'deferred: a garbage collection of this tenant is under way; the next retention run rolls it up' });
        continue;
      }
      try {
        const r = await rollUpRecoveryPoint(deps, tenantId, step.rpId, actor);
        if (r) m.rolledUp.push({ rpId: r.rpId, onto: r.onto ?? null, folded: r.folded, materialized: r.materialized, addedBytes: r.addedBytes });
      } catch (err) {
        m.failed.push({ rpId: step.rpId, step: 'roll-up', reason: reasonOf(err) }); // the next run tries again
      }
    }
    await purge(deps, tenantId, machineId, now, actor, m);
    if (deps.objectLocks) {
      try {
        m.locked = await lockKeptRecoveryPoints(deps, tenantId, machineId, plan.marks.flatMap((k) => (k.keep ? [{ rpId: k.rpId, committedAt: k.at, by: k.by }] : [])), retention, now);
      } catch (err) {
        m.failed.push({ rpId: '-', step: 'lock', reason: reasonOf(err) }); // the next run tries again
      }
    }
  }
  return report;
}

/** A deleted tenant: every RP still live goes into the bin (an operator deletion naming the tenant's), then what left the bin is purged. */
async function binDeletedTenant(deps: AppDeps, report: RetentionReport, deleted: { reason: string; deletedAt: string; adminSerial: string }, actor: string): Promise<RetentionReport> {
  const { tenantId, at: now, dryRun, retention } = report;
  report.tenantDeletedAt = deleted.deletedAt;
  for (const [machineId, nodes] of [...await tenantNodes(deps, tenantId)].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const m: MachineRetention = { machineId, kept: [], expired: [], rolledUp: [], purged: [], failed: [] };
    report.machines.push(m);
    for (const node of nodes.filter((n) => n.status === 'live')) {
      if (dryRun) { m.expired.push(node.rpId); continue; }
      try {
        await recoveryPointHandler(deps, { tenantId, rpId: node.rpId }, {
          type: 'DeleteRecoveryPoint',
          data: { tenantId, rpId: node.rpId, confirmRpId: node.rpId, note: `tenant deleted: ${deleted.reason}`, adminSerial: deleted.adminSerial, now, binDays: retention.binDays },
        }, actor);
        m.expired.push(node.rpId);
      } catch (err) {
        m.failed.push({ rpId: node.rpId, step: 'expire', reason: reasonOf(err) });
      }
    }
    if (dryRun) m.purged = purgeOrder(new Map(nodes.map((n) => [n.rpId, n])), now);
    else await purge(deps, tenantId, machineId, now, actor, m);
  }
  return report;
}

/** Purges what left the bin, on the RPs as the log has them now (after the roll-ups), children first. */
async function purge(deps: AppDeps, tenantId: string, machineId: string, now: string, actor: string, m: MachineRetention): Promise<void> {
  const left = new Map(((await tenantNodes(deps, tenantId)).get(machineId) ?? []).map((n) => [n.rpId, n]));
  for (const rpId of purgeOrder(left, now)) {
    try {
      await recoveryPointHandler(deps, { tenantId, rpId }, { type: 'PurgeRecoveryPoint', data: { tenantId, rpId, now }, neededBy: neededBy(left, rpId) }, actor);
      left.delete(rpId);
      m.purged.push(rpId);
    } catch (err) {
      m.failed.push({ rpId, step: 'purge', reason: reasonOf(err) });
    }
  }
}

export interface RetentionJobResult {
  tenants: RetentionReport[];
  /** Tenants not reached before the deadline: the next run starts with them. */
  unfinished: string[];
  failed: { tenantId: string; reason: string }[];
}

/** Where a run cut short by its deadline stopped (OperationalStore `lifecycle/retention`). */
export const LIFECYCLE_COLLECTION = 'lifecycle';
const CURSOR = 'retention';
interface Cursor { readonly next: string }

/**
 * The scheduled run over every tenant (EventBridge on AWS, the local scheduler of `drcore
 * serve`), until `stopBefore` says time is up (a Lambda's remaining time); a run cut short
 * leaves where it stopped, and the next one starts there.
 */
export async function runRetentionJob(deps: AppDeps, options: { stopBefore?: () => boolean; actor?: string } = {}): Promise<RetentionJobResult> {
  const all = (await deps.readModels.list<TenantSummary>(TENANTS)).map((t) => t.tenantId).sort();
  const from = (await deps.operational.get<Cursor>(LIFECYCLE_COLLECTION, CURSOR))?.next;
  const start = from === undefined ? 0 : Math.max(0, all.findIndex((t) => t >= from));
  const tenants = [...all.slice(start), ...all.slice(0, start)];
  const result: RetentionJobResult = { tenants: [], unfinished: [], failed: [] };
  for (const tenantId of tenants) {
    if (result.unfinished.length > 0 || options.stopBefore?.()) { result.unfinished.push(tenantId); continue; }
    try {
      result.tenants.push(await runRetention(deps, tenantId, { ...(options.actor ? { actor: options.actor } : {}) }));
    } catch (err) {
      result.failed.push({ tenantId, reason: reasonOf(err) });
    }
  }
  const next = result.unfinished[0];
  if (next !== undefined) await deps.operational.put<Cursor>(LIFECYCLE_COLLECTION, CURSOR, { next });
  else if (from !== undefined) await deps.operational.delete(LIFECYCLE_COLLECTION, CURSOR);
  return result;
}
