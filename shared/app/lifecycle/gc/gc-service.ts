/**
 * GC as the operator drives it (the admin API, `drcore admin gc`): start a run of a tenant
 * (its steps then run on the workflow queue, gc-workflow.ts), see where it stands and what the
 * last run freed, cancel a run that is stuck. The report counts bytes freed per tenant.
 */
import { DomainError } from '../../../domain/errors.js';
import type { GcCounters, GcRunOptions } from '../../../domain/gc-run.js';
import type { AppDeps } from '../../deps.js';
import { gcRunHandler, tenantHandler } from '../../handlers.js';
import { startGc } from './gc-step.js';

export interface GcStatus {
  tenantId: string;
  status: 'idle' | 'running';
  /** The run under way. */
  runId?: string; startedAt?: string; phase?: string; step?: number; notBefore?: string; options?: GcRunOptions; counters?: GcCounters;
  /** The last run that finished. */
  last?: { runId: string; dryRun: boolean; counters: GcCounters };
}

async function requireTenant(deps: Pick<AppDeps, 'events'>, tenantId: string): Promise<void> {
  if ((await tenantHandler.load(deps, tenantId)).state.status === 'none') throw new DomainError('not-found', `tenant ${tenantId} does not exist`);
}

export async function gcStatus(deps: AppDeps, tenantId: string): Promise<GcStatus> {
  await requireTenant(deps, tenantId);
  const { state } = await gcRunHandler.load(deps, tenantId);
  if (state.status === 'running') {
    return {
      tenantId, status: 'running', runId: state.run.runId, startedAt: state.run.startedAt, phase: state.phase, step: state.step,
      options: state.run.options, counters: state.counters, ...(state.notBefore !== undefined ? { notBefore: state.notBefore } : {}),
    };
  }
  return { tenantId, status: 'idle', ...(state.last ? { last: { runId: state.last.runId, dryRun: state.last.dryRun, counters: state.last.counters } } : {}) };
}

/** Starts a run (409 while one is under way). */
export async function startGcRun(deps: AppDeps, tenantId: string, options: Partial<GcRunOptions>, actor: string): Promise<{ tenantId: string; runId: string }> {
  await requireTenant(deps, tenantId);
  return { tenantId, ...(await startGc(deps, tenantId, options, actor)) };
}

/** Cancels the run under way; the next run clears what it left (markers, work area). */
export async function cancelGcRun(deps: AppDeps, tenantId: string, runId: string, reason: string, actor: string): Promise<GcStatus> {
  await requireTenant(deps, tenantId);
  await gcRunHandler(deps, tenantId, { type: 'CancelGcRun', data: { tenantId, runId, reason } }, actor);
  return gcStatus(deps, tenantId);
}
