/**
 * Garbage collection of one tenant (issue 11 item 2), as a run of bounded steps. `startGc`
 * appends `GcRunStarted`; each `gcStep` reads the run's stream, does one slice of the current
 * phase and appends `GcStepCompleted` (or `GcRunFinished`) at the version it read — so a step
 * that runs twice at once (a duplicate queue delivery) is recorded once, and a crash between
 * steps resumes from the last one recorded. The workflow worker runs the steps off the queue
 * (gc-workflow.ts); `drcore admin gc` starts a run and follows it.
 *
 * The phases, in order (a dry run: up to the plan, then the cleanup of its work area):
 *   begin           markers left by an earlier, cancelled run go
 *   catalog         the log since the catalog's checkpoint → the tenants' RP catalogs; the mark cursor
 *   mark-rps        live RPs' indexes (and the purged ancestors they read through) → sorted runs of marks
 *   mark-uploads    uploads of the grace period and relocations → marks; abandoned RPs listed
 *   drop-abandoned  the abandoned RPs' upload records go
 *   merge-marks     the runs → one, each place once
 *   plan            the pack listing joined with the marks: dead packs, repack candidates
 *   repack          live chunks of mostly dead packs → new packs (charged)
 *   reindex         indexes that named repacked packs → new generations (`RecoveryPointReindexed`)
 *   condemn         markers on the packs to delete; then the settle
 *   remark-log, remark-uploads, merge-remarks   what became referenced since the mark
 *   sweep           condemned and not re-marked → deleted, then released on the counter
 *   cleanup         markers, purged RPs' records and indexes, superseded parts, old registrations, the work area
 */
import { randomBytes } from 'node:crypto';
import { DomainError } from '../../../domain/errors.js';
import type { GcCounters, GcRunOptions, GcRunState } from '../../../domain/gc-run.js';
import type { AppDeps } from '../../deps.js';
import { gcRunHandler } from '../../handlers.js';
import { mapLimit } from '../../replication/storage.js';
import { catalogPhase } from './catalog.js';
import { cleanupPhase } from './cleanup.js';
import { condemnedCollection, type CondemnedBucket } from './condemned-packs.js';
import { condemnPhase } from './condemn.js';
import { dropAbandonedPhase } from './drop-abandoned.js';
import { gcContext, newCarry, type Carry, type GcContext } from './gc-context.js';
import { FIRST_RUN_LOOKBACK_DAYS, GC_DEFAULTS, GC_LIMITS, type GcLimits } from './gc-limits.js';
import { MARK_SHAPE } from './gc-records.js';
import { markRpsPhase } from './mark-rps.js';
import { uploadsPhase } from './mark-uploads.js';
import { mergedRun, mergeDone, mergeStart, mergeStep, type MergeState } from './merge.js';
import type { Phase, PhaseOutcome } from './phase.js';
import { planPhase } from './plan.js';
import { reindexPhase } from './reindex.js';
import { remarkLogPhase } from './remark-log.js';
import { repackPhase } from './repack.js';
import { sweepPhase } from './sweep.js';
import { dayOf } from './upload-registry.js';

const ACTOR = 'system:gc';

/**
 * What a cancelled run left goes before this run condemns anything: its markers (from now on
 * uploads may count on those packs again; this run condemns anew what is still garbage) and
 * its work area.
 */
const beginPhase: Phase<{ after?: string; markersDone?: boolean }> = async (ctx, cursor = {}) => {
  if (!cursor.markersDone) {
    const page = await ctx.deps.operational.listPage<CondemnedBucket>(condemnedCollection(ctx.tenantId), { ...(cursor.after !== undefined ? { after: cursor.after } : {}), limit: Math.min(1000, ctx.limits.packs) });
    const stale = page.records.filter((r) => r.record.runId !== ctx.run.runId);
    await mapLimit(stale, 16, (r) => ctx.deps.operational.delete(condemnedCollection(ctx.tenantId), r.id));
    if (page.next !== undefined) return { cursor: { after: page.records.at(-1)?.id as string } };
  }
  const page = await ctx.deps.blobs.listPage(`gc/${ctx.tenantId}/`, { limit: 1000 });
  const stale = page.objects.filter((o) => !o.key.startsWith(`${ctx.work}/`)).slice(0, ctx.limits.packs);
  await mapLimit(stale, 16, (o) => ctx.deps.blobs.delete(o.key));
  return stale.length > 0 ? { cursor: { markersDone: true } } : { done: true };
};

/** A merge phase: `runs` and `out` name the carry's run count and merged run. */
function mergePhase(name: 'marks' | 'remarks'): Phase<MergeState> {
  return async (ctx, cursor) => {
    const runs = name === 'marks' ? ctx.carry.markRuns : ctx.carry.remarkRuns;
    let state = cursor ?? mergeStart(`${ctx.work}/${name}`, runs);
    if (!mergeDone(state)) state = await mergeStep(ctx.deps.blobs, state, MARK_SHAPE, ctx.limits.mergeRecords);
    if (!mergeDone(state)) return { cursor: state };
    if (name === 'marks') ctx.carry.merged = mergedRun(state);
    else ctx.carry.remerged = mergedRun(state);
    return { done: true };
  };
}

const PHASES: readonly (readonly [string, Phase<unknown>])[] = [
  ['begin', beginPhase],
  ['catalog', catalogPhase],
  ['mark-rps', markRpsPhase],
  ['mark-uploads', uploadsPhase(false)],
  ['drop-abandoned', dropAbandonedPhase],
  ['merge-marks', mergePhase('marks')],
  ['plan', planPhase],
  ['repack', repackPhase],
  ['reindex', reindexPhase],
  ['condemn', condemnPhase],
  ['remark-log', remarkLogPhase],
  ['remark-uploads', uploadsPhase(true)],
  ['merge-remarks', mergePhase('remarks')],
  ['sweep', sweepPhase],
  ['cleanup', cleanupPhase],
] as unknown as readonly (readonly [string, Phase<unknown>])[];
const DRY_RUN_SKIPS = new Set(['drop-abandoned']);

export type GcStartOptions = Partial<GcRunOptions>;

/** Starts a run of the tenant's GC (refused with a conflict while one is under way); returns its id. */
export async function startGc(deps: AppDeps, tenantId: string, options: GcStartOptions = {}, actor = ACTOR): Promise<{ runId: string }> {
  const { state } = await gcRunHandler.load(deps, tenantId);
  const now = deps.clock();
  // Run ids sort by time (the storage counter applies an older run's steps no more); a clock behind the last run's goes on from it.
  let runId = `gc-${now.toISOString().replace(/[-:]/g, '').replace('.', '')}-${randomBytes(3).toString('hex')}`;
  const last = state.status === 'idle' ? state.lastRunId : undefined;
  if (last !== undefined && runId <= last) {
    if (last.length > 57) throw new Error(`the clock is behind GC run ${last} of tenant ${tenantId}: no run id sorts after it`);
    runId = `${last}.${randomBytes(3).toString('hex')}`; // a prefix sorts first: this sorts right after `last`
  }
  const registryFrom = (state.status === 'idle' ? state.registryFrom : undefined) ?? dayOf(new Date(now.getTime() - FIRST_RUN_LOOKBACK_DAYS * 86_400_000));
  const o = { ...GC_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as GcRunOptions;
  await gcRunHandler(deps, tenantId, { type: 'StartGcRun', data: { tenantId, runId, startedAt: now.toISOString(), options: o, registryFrom } }, actor);
  return { runId };
}

export type GcStepOutcome =
  | { readonly status: 'idle' }
  /** The step's run or number is not the one under way (a duplicate delivery that lost, or a stale message). */
  | { readonly status: 'stale' }
  /** Not before this time (the settle). */
  | { readonly status: 'waiting'; readonly runId: string; readonly step: number; readonly until: string }
  | { readonly status: 'stepped'; readonly runId: string; readonly step: number; readonly phase: string; readonly notBefore?: string }
  | { readonly status: 'finished'; readonly runId: string; readonly step: number; readonly counters: GcCounters; readonly dryRun: boolean };

interface Cursor { carry: Carry; at?: unknown }

/**
 * Runs the next step of the tenant's run. `expect`: the run and the number of steps the caller
 * believes completed (a queue message's), else whatever is under way.
 */
export async function gcStep(deps: AppDeps, tenantId: string, expect?: { runId: string; step: number }, limits: GcLimits = GC_LIMITS, actor = ACTOR): Promise<GcStepOutcome> {
  const loaded = await gcRunHandler.load(deps, tenantId);
  const state: GcRunState = loaded.state;
  if (state.status !== 'running') return { status: 'idle' };
  if (expect && (expect.runId !== state.run.runId || expect.step !== state.step)) return { status: 'stale' };
  const { run } = state;
  if (state.notBefore !== undefined && deps.clock().getTime() < Date.parse(state.notBefore)) {
    return { status: 'waiting', runId: run.runId, step: state.step, until: state.notBefore };
  }
  const saved: Cursor = state.cursor === '' ? { carry: newCarry() } : JSON.parse(state.cursor) as Cursor;
  const ctx: GcContext = gcContext(deps, tenantId, run, state.step + 1, limits, actor, saved.carry, { ...state.counters });
  const at = PHASES.findIndex(([name]) => name === state.phase);
  if (at < 0) throw new Error(`GC run ${run.runId} is in an unknown phase ${state.phase}`);
  const outcome = await (PHASES[at]?.[1] as Phase<unknown>)(ctx, saved.at) as PhaseOutcome<unknown>;
  let phase = state.phase;
  let cursorAt: unknown = 'cursor' in outcome ? outcome.cursor : undefined;
  let notBefore: string | undefined;
  if ('done' in outcome) {
    notBefore = outcome.notBefore;
    let next = outcome.skipTo !== undefined ? PHASES.findIndex(([name]) => name === outcome.skipTo) : at + 1;
    while (run.options.dryRun && next < PHASES.length && DRY_RUN_SKIPS.has((PHASES[next] as readonly [string, unknown])[0])) next++;
    if (next >= PHASES.length) return finish(deps, tenantId, ctx, loaded, actor);
    phase = (PHASES[next] as readonly [string, unknown])[0];
    cursorAt = undefined;
  }
  const cursor = JSON.stringify({ carry: ctx.carry, ...(cursorAt !== undefined ? { at: cursorAt } : {}) });
  try {
    await gcRunHandler(deps, tenantId, {
      type: 'CompleteGcStep',
      data: { tenantId, runId: run.runId, step: ctx.step, phase, cursor, counters: ctx.counters, ...(notBefore !== undefined ? { notBefore } : {}) },
    }, actor, { loaded });
  } catch (err) {
    if (err instanceof DomainError && err.code === 'conflict') return { status: 'stale' };
    throw err;
  }
  return { status: 'stepped', runId: run.runId, step: ctx.step, phase, ...(notBefore !== undefined ? { notBefore } : {}) };
}

async function finish(deps: AppDeps, tenantId: string, ctx: GcContext, loaded: Awaited<ReturnType<typeof gcRunHandler.load>>, actor: string): Promise<GcStepOutcome> {
  const { run } = ctx;
  const registryFrom = run.options.dryRun || ctx.graceFromDay < run.registryFrom ? run.registryFrom : ctx.graceFromDay;
  try {
    await gcRunHandler(deps, tenantId, {
      type: 'FinishGcRun', data: { tenantId, runId: run.runId, step: ctx.step, dryRun: run.options.dryRun, counters: ctx.counters, registryFrom },
    }, actor, { loaded });
  } catch (err) {
    if (err instanceof DomainError && err.code === 'conflict') return { status: 'stale' };
    throw err;
  }
  return { status: 'finished', runId: run.runId, step: ctx.step, counters: ctx.counters, dryRun: run.options.dryRun };
}

/** Runs the tenant's run to its end in this process (the CLI's and the tests' loop; the settle waited out with `sleep`). */
export async function runGcToEnd(
  deps: AppDeps, tenantId: string, options: { limits?: GcLimits; sleep?: (ms: number) => Promise<void>; onStep?: (o: GcStepOutcome) => void | Promise<void> } = {},
): Promise<Extract<GcStepOutcome, { status: 'finished' }>> {
  for (;;) {
    const o = await gcStep(deps, tenantId, undefined, options.limits ?? GC_LIMITS);
    await options.onStep?.(o);
    if (o.status === 'finished') return o;
    if (o.status === 'idle') throw new Error(`no GC run of tenant ${tenantId} is under way`);
    if (o.status === 'waiting') {
      const ms = Date.parse(o.until) - deps.clock().getTime();
      await (options.sleep ?? ((t: number) => new Promise((r) => setTimeout(r, t))))(Math.max(0, ms));
    }
  }
}
