/**
 * The local runtime's schedules of the storage lifecycle (AWS: EventBridge rules that put the
 * same jobs on the workflow queue, infra/constructs/lifecycle-schedules.ts): a signed
 * checkpoint of the event log's stream heads, and a verify run. Both run in-process, one job at
 * a time, so a long verify never holds up the queue poller's pairing steps; `stop()` waits for
 * a checkpoint asked for, and for the verify step running. A job that fails is logged and tried
 * again at its next time.
 */
import type { AppDeps } from '../shared/app/deps.js';
import { verifyRun } from '../shared/app/lifecycle/verify/verify-job.js';
import { writeLogCheckpoint } from '../shared/app/log-anchor.js';
import { logger } from '../shared/runtime/logger.js';

export interface LifecycleSchedules {
  /** A log checkpoint at start, then every this many ms (0 or absent: none). */
  readonly checkpointEveryMs?: number;
  /** A verify run every this many ms, the first one period after start (0 or absent: none). */
  readonly verifyEveryMs?: number;
  readonly verifyOlderThanDays?: number;
  readonly verifyRateBytesPerSecond?: number;
}

/** Steps of a local run: short, so `stop()` does not wait long. */
const LOCAL_STEP_MS = 2_000;

export function startLifecycleTimers(deps: AppDeps, schedules: LifecycleSchedules): { stop(): Promise<void> } {
  let stopped = false;
  let chain: Promise<void> = Promise.resolve();
  const timers: NodeJS.Timeout[] = [];
  // A checkpoint asked for runs even when stop() came meanwhile (it is short, and the log's newest events are what it anchors);
  // a verify run not begun is dropped, one running stops after its current step.
  const enqueue = (what: string, job: () => Promise<unknown>, dropOnStop: boolean) => {
    chain = chain.then(async () => {
      if (stopped && dropOnStop) return;
      try {
        const result = await job();
        if (result !== undefined) logger.info(`lifecycle: ${what} done`);
      } catch (error) {
        logger.error(`lifecycle: ${what} failed; it runs again at its next time`, { error: error as Error });
      }
    });
  };
  const every = (ms: number | undefined, now: boolean, what: string, job: () => Promise<unknown>, dropOnStop = false) => {
    if (!ms) return;
    if (now) enqueue(what, job, dropOnStop);
    const t = setInterval(() => enqueue(what, job, dropOnStop), ms);
    t.unref();
    timers.push(t);
  };
  const anchors = deps.logAnchors;
  if (anchors) every(schedules.checkpointEveryMs, true, 'log checkpoint', () => writeLogCheckpoint(deps, anchors));
  every(schedules.verifyEveryMs, false, 'verify run', async () => {
    const steps = await verifyRun(deps, {
      runId: deps.newId('verify'), budgetMs: LOCAL_STEP_MS,
      olderThanDays: schedules.verifyOlderThanDays, rateBytesPerSecond: schedules.verifyRateBytesPerSecond,
    }, 'system:verify', undefined, () => stopped);
    const damaged = steps.flatMap((s) => s.damaged);
    if (damaged.length > 0) logger.warn('verify run found damaged chunks (drcore admin tenant ID shows them)', { count: damaged.length });
    return steps.length;
  }, true);
  return {
    stop: async () => {
      stopped = true;
      for (const t of timers) clearInterval(t);
      await chain;
    },
  };
}
