/**
 * What a GC step works with (gc-step.ts runs one): the run as it started, the step's number,
 * its limits, the work area, the counters so far, and `carry` — what one phase leaves for a later
 * one (the log position the mark read to, how many sorted runs were written, where each list's
 * next segment goes). Carry and the phase's own cursor travel as JSON in the step's event.
 */
import type { GcRunStartedData } from '../../../domain/gc-run.js';
import type { AppDeps } from '../../deps.js';
import type { GcLimits } from './gc-limits.js';
import { workArea } from './gc-keys.js';
import { dayOf } from './upload-registry.js';

/** The lists and runs of a run's work area, by name (`<work>/<name>`). */
export const LISTS = ['purged', 'held', 'abandoned', 'superseded', 'dead', 'candidates', 'candidate-live', 'moved', 'repacked'] as const;
export type ListName = (typeof LISTS)[number];

export interface Carry {
  /** The event log position the catalog read to: the re-mark reads what was appended after it. */
  markCursor?: string;
  /** Sorted runs written by the mark (level 0) and by the re-mark. */
  markRuns: number;
  remarkRuns: number;
  /** The merged runs. */
  merged?: string;
  remerged?: string;
  /** Each list's next segment number. */
  seq: Partial<Record<ListName, number>>;
}

export const newCarry = (): Carry => ({ markRuns: 0, remarkRuns: 0, seq: {} });

export interface GcContext {
  readonly deps: AppDeps;
  readonly tenantId: string;
  readonly run: GcRunStartedData;
  /** This step's number (the steps completed before it + 1): the storage counter's step sequence derives from it. */
  readonly step: number;
  readonly limits: GcLimits;
  readonly now: Date;
  readonly actor: string;
  /** Packs and uploads at or before this time are past the grace period. */
  readonly cutoffMs: number;
  /** The first day of upload registrations within the grace period, and today. */
  readonly graceFromDay: string;
  readonly today: string;
  readonly work: string;
  readonly carry: Carry;
  /** The run's counters: a step adds to them. */
  readonly counters: Record<string, number>;
}

export function gcContext(deps: AppDeps, tenantId: string, run: GcRunStartedData, step: number, limits: GcLimits, actor: string, carry: Carry, counters: Record<string, number>): GcContext {
  const now = deps.clock();
  const cutoffMs = Date.parse(run.startedAt) - run.options.graceSeconds * 1000;
  return {
    deps, tenantId, run, step, limits, now, actor, cutoffMs, graceFromDay: dayOf(new Date(cutoffMs)), today: dayOf(now),
    work: workArea(tenantId, run.runId), carry, counters,
  };
}

/** Adds to a counter. */
export function count(ctx: GcContext, name: string, n = 1): void {
  ctx.counters[name] = (ctx.counters[name] ?? 0) + n;
}

export const listPrefix = (ctx: GcContext, name: ListName): string => `${ctx.work}/${name}`;
