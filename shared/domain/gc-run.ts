import { assertNever, type Decider } from './decider.js';
import { DomainError } from './errors.js';

/**
 * Garbage-collection runs of one tenant — stream `gc:<tenantId>` (issue 11 item 2; the steps
 * are shared/app/lifecycle/gc). A run is a sequence of bounded steps, each small enough for one
 * Lambda invocation. Each step that completes is one event, appended at the version read: of two
 * workers running the same step (a duplicate queue delivery), exactly one records it, and the
 * event says where the next step starts (`phase`, and `cursor`, opaque here). One run at a time.
 */
export interface GcRunOptions {
  /** Packs and uploads younger than this are never touched: the uploads in flight. */
  readonly graceSeconds: number;
  /** Between condemning packs and deleting them: longer than any upload or commit handler runs. */
  readonly settleSeconds: number;
  /** Mark and plan only: report what a run would free, change nothing. */
  readonly dryRun: boolean;
  /** A pack whose live bytes are below this share of its size (percent) is repacked; 0: never. */
  readonly repackBelowPercent: number;
  /** At most this many packs are repacked in one run. */
  readonly maxRepackPacks: number;
}

/** Counters of a run (the application names them): what was marked, freed, repacked, kept. */
export type GcCounters = Readonly<Record<string, number>>;

export interface GcRunStartedData {
  tenantId: string; runId: string;
  /** The run's time: packs and uploads are aged from it. */
  startedAt: string;
  options: GcRunOptions;
  /** The oldest day of upload registrations the run looks at (yyyy-mm-dd). */
  registryFrom: string;
}
export interface GcStepCompletedData {
  tenantId: string; runId: string; step: number; phase: string; cursor: string; counters: GcCounters;
  /** The next step is not to run before this time (the settle between condemning and deleting). */
  notBefore?: string;
}
export interface GcRunFinishedData {
  tenantId: string; runId: string; step: number; dryRun: boolean; counters: GcCounters;
  /** Registrations before this day are resolved and gone: the next run starts there. */
  registryFrom: string;
}
export interface GcRunCancelledData { tenantId: string; runId: string; reason: string }

export type GcRunCommand =
  | { type: 'StartGcRun'; data: GcRunStartedData }
  | { type: 'CompleteGcStep'; data: GcStepCompletedData }
  | { type: 'FinishGcRun'; data: GcRunFinishedData }
  | { type: 'CancelGcRun'; data: GcRunCancelledData };

export type GcRunEvent =
  | { type: 'GcRunStarted'; data: GcRunStartedData }
  | { type: 'GcStepCompleted'; data: GcStepCompletedData }
  | { type: 'GcRunFinished'; data: GcRunFinishedData }
  | { type: 'GcRunCancelled'; data: GcRunCancelledData };

export interface GcRunning {
  readonly status: 'running';
  readonly run: GcRunStartedData;
  /** Steps completed so far (0 right after the start). */
  readonly step: number;
  readonly phase: string;
  readonly cursor: string;
  readonly counters: GcCounters;
  readonly notBefore?: string;
  readonly lastRunId?: string;
}
export type GcRunState =
  | { readonly status: 'idle'; readonly lastRunId?: string; readonly last?: GcRunFinishedData; readonly registryFrom?: string }
  | GcRunning;

/** A step's cursor travels in the event: kept small. */
export const MAX_GC_CURSOR_CHARS = 16_384;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function checkOptions(o: GcRunOptions): void {
  for (const k of ['graceSeconds', 'settleSeconds', 'maxRepackPacks'] as const) {
    if (!Number.isSafeInteger(o[k]) || o[k] < 0) throw new DomainError('invalid', `${k} must be a non-negative integer`);
  }
  if (!Number.isFinite(o.repackBelowPercent) || o.repackBelowPercent < 0 || o.repackBelowPercent > 100) {
    throw new DomainError('invalid', 'repackBelowPercent must be 0..100');
  }
  if (typeof o.dryRun !== 'boolean') throw new DomainError('invalid', 'dryRun must be true or false');
}

function requireStep(state: GcRunState, runId: string, step: number): GcRunning {
  if (state.status !== 'running' || state.run.runId !== runId) throw new DomainError('conflict', `GC run ${runId} is not running`);
  if (step !== state.step + 1) throw new DomainError('conflict', `GC run ${runId} has completed ${state.step} steps: step ${step} is not the next one`);
  return state;
}

export function decide(command: GcRunCommand, state: GcRunState): GcRunEvent[] {
  switch (command.type) {
    case 'StartGcRun': {
      const d = command.data;
      if (state.status === 'running') throw new DomainError('conflict', `GC run ${state.run.runId} of tenant ${d.tenantId} is under way`);
      if (state.lastRunId !== undefined && d.runId <= state.lastRunId) throw new DomainError('invalid', `a GC run id sorts after the last one (${state.lastRunId})`);
      if (!DAY.test(d.registryFrom)) throw new DomainError('invalid', 'registryFrom is a day, yyyy-mm-dd');
      checkOptions(d.options);
      return [{ type: 'GcRunStarted', data: d }];
    }
    case 'CompleteGcStep': {
      const d = command.data;
      requireStep(state, d.runId, d.step);
      if (d.cursor.length > MAX_GC_CURSOR_CHARS) throw new DomainError('invalid', `a GC cursor is at most ${MAX_GC_CURSOR_CHARS} characters`);
      return [{ type: 'GcStepCompleted', data: d }];
    }
    case 'FinishGcRun': {
      const d = command.data;
      requireStep(state, d.runId, d.step);
      if (!DAY.test(d.registryFrom)) throw new DomainError('invalid', 'registryFrom is a day, yyyy-mm-dd');
      return [{ type: 'GcRunFinished', data: d }];
    }
    case 'CancelGcRun': {
      const d = command.data;
      if (state.status !== 'running' || state.run.runId !== d.runId) throw new DomainError('conflict', `GC run ${d.runId} is not running`);
      return [{ type: 'GcRunCancelled', data: d }];
    }
    default:
      return assertNever(command);
  }
}

export function evolve(state: GcRunState, event: GcRunEvent): GcRunState {
  switch (event.type) {
    case 'GcRunStarted':
      return { status: 'running', run: event.data, step: 0, phase: 'begin', cursor: '', counters: {}, ...(state.lastRunId !== undefined ? { lastRunId: state.lastRunId } : {}) };
    case 'GcStepCompleted': {
      if (state.status !== 'running') return state;
      const { step, phase, cursor, counters, notBefore } = event.data;
      const { notBefore: _previous, ...rest } = state;
      return { ...rest, step, phase, cursor, counters, ...(notBefore !== undefined ? { notBefore } : {}) };
    }
    case 'GcRunFinished':
      return { status: 'idle', lastRunId: event.data.runId, last: event.data, registryFrom: event.data.registryFrom };
    case 'GcRunCancelled': {
      if (state.status !== 'running') return state;
      return { status: 'idle', lastRunId: event.data.runId, registryFrom: state.run.registryFrom };
    }
    default:
      return assertNever(event);
  }
}

export const initialState = (): GcRunState => ({ status: 'idle' });
export const gcRunDecider: Decider<GcRunCommand, GcRunEvent, GcRunState> = { decide, evolve, initialState };
