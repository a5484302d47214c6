import type { Context } from 'aws-lambda';
import type { LifecycleJob, LifecycleJobEvent } from '../shared/app/lifecycle/jobs.js';
import { logger } from '../shared/runtime/logger.js';
import { lambdaContext } from './lambda-context.js';

/** setTimeout's ceiling (about 24.8 days): a longer interval ticks at this. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export type LifecycleHandler = (event: LifecycleJobEvent, context: Context) => Promise<unknown>;

export interface LifecycleSchedulerOptions {
  /** Between the end of one run and the start of the next (the EventBridge rate on AWS); 0: no ticks (runNow only). */
  readonly intervalMs: number;
  /** Before the first run (default: one interval). */
  readonly firstAfterMs?: number;
  /** The run's budget, as a Lambda timeout (default 15 minutes). */
  readonly timeoutMs?: number;
  /** The job each tick runs (default retention). */
  readonly job?: LifecycleJob;
}

/**
 * The local EventBridge schedule (DESIGN §3 local/ "scheduler"): calls the lifecycle function's
 * handler with the rule's input `{ job: 'retention' }` every interval, one run at a time. A run
 * that fails is logged and the schedule goes on. stop() waits for a run in progress.
 */
export function startLifecycleScheduler(handler: LifecycleHandler, options: LifecycleSchedulerOptions): { stop(): Promise<void>; runNow(): Promise<void> } {
  let running = true;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  const tick = async (): Promise<void> => {
    try {
      await handler({ job: options.job ?? 'retention' }, lambdaContext('lifecycle-job', options.timeoutMs ?? 15 * 60_000));
    } catch (error) {
      logger.error('lifecycle job failed; the next tick runs it again', { error: error as Error });
    }
  };
  const schedule = (ms: number) => {
    if (!running || options.intervalMs <= 0) return;
    timer = setTimeout(() => {
      current = current.then(tick).finally(() => schedule(options.intervalMs));
    }, Math.min(ms, MAX_TIMEOUT_MS));
    timer.unref();
  };
  schedule(options.firstAfterMs ?? options.intervalMs);
  return {
    stop: async () => { running = false; clearTimeout(timer); await current; },
    /** One run now, after the one in progress (tests, and the operator's impatience). */
    runNow: () => (current = current.then(tick)),
  };
}
