/**
 * The storage lifecycle's jobs on the workflow worker (AWS: EventBridge schedules put the first
 * message on the queue; locally serve's timers run the same jobs in-process):
 * - VerifyStep: one step of a verify run within the worker's time limit; the step's cursor goes
 *   on the queue as the next step of the same run (redelivery repeats a step harmlessly:
 *   results are once per run and RP, findings once per copy);
 * - SignVerificationReport: the worker is the one function that may read the CA key;
 * - LogCheckpoint: a signed checkpoint of every stream's head into the log anchors.
 */
import { DomainError } from '../../domain/errors.js';
import type { AppDeps } from '../deps.js';
import { verifyStep } from '../lifecycle/verify/verify-job.js';
import { failReport, produceReport } from '../lifecycle/verify/verification-report.js';
import { writeLogCheckpoint } from '../log-anchor.js';
import type { LifecycleMessage } from './lifecycle-messages.js';
import { PermanentWorkflowError } from './permanent-failure.js';

const ACTOR = 'system:verify';
/** A worker step's work budget: its function times out at 30 s; the step ends after the pack it is reading. */
export const WORKER_VERIFY_BUDGET_MS = 20_000;

export async function runLifecycleWorkflow(deps: AppDeps, message: LifecycleMessage, options: { verifyBudgetMs?: number } = {}): Promise<void> {
  switch (message.type) {
    case 'VerifyStep': {
      const runId = message.runId ?? deps.newId('verify');
      let step;
      try {
        step = await verifyStep(deps, { ...message, runId, budgetMs: options.verifyBudgetMs ?? WORKER_VERIFY_BUDGET_MS }, ACTOR);
      } catch (err) {
        if (err instanceof DomainError && (err.code === 'not-found' || err.code === 'invalid')) throw new PermanentWorkflowError(`verify run ${runId}: ${err.message}`, { cause: err });
        throw err;
      }
      if (step.next !== undefined) await deps.queue.send('workflow', JSON.stringify({ ...message, runId, cursor: step.next } satisfies LifecycleMessage));
      return;
    }
    case 'SignVerificationReport':
      try {
        await produceReport(deps, message.tenantId, message.reportId, ACTOR);
      } catch (err) {
        if (!(err instanceof DomainError && err.code === 'not-found')) throw err;
        await failReport(deps, message.tenantId, message.reportId, err.message, ACTOR);
        throw new PermanentWorkflowError(err.message, { cause: err });
      }
      return;
    case 'LogCheckpoint': {
      if (!deps.logAnchors) throw new Error('this runtime has no log anchors (DRCORE_LOG_ANCHOR_BUCKET)');
      await writeLogCheckpoint(deps, deps.logAnchors);
      return;
    }
    default: {
      const never: never = message;
      throw new Error(`unknown lifecycle message ${JSON.stringify(never)}`);
    }
  }
}
