/**
 * GC on the workflow queue (issue 11 item 2, on AWS: the workflow worker, one step per message,
 * each within its 30 s). The outbox turns `GcRunStarted` and every `GcStepCompleted` into the
 * message of the next step (delayed to the step's `notBefore`, the settle), so a run goes on by
 * itself until `GcRunFinished`, across as many Lambda invocations as it takes. A message whose
 * step is not the one under way (a duplicate delivery, a step recorded meanwhile) does nothing.
 */
import type { StoredEvent } from '../../../events/envelope.js';
import type { GcRunStartedData, GcStepCompletedData } from '../../../domain/gc-run.js';
import type { AppDeps } from '../../deps.js';
import type { GcStepMessage } from '../../workflows/messages.js';
import { RetryLaterError } from '../../workflows/permanent-failure.js';
import { gcStep } from './gc-step.js';

/** SQS delays a message at most 15 minutes. */
const MAX_DELAY_SECONDS = 900;

/** The outbox's message for a GC event: the next step, and how long the queue holds it back. */
export function gcOutboxMessage(event: StoredEvent): { message: GcStepMessage; delaySeconds: number } | undefined {
  if (event.type === 'GcRunStarted') {
    const d = event.data as GcRunStartedData;
    return { message: { type: 'GcStep', tenantId: d.tenantId, runId: d.runId, step: 0 }, delaySeconds: 0 };
  }
  if (event.type === 'GcStepCompleted') {
    const d = event.data as GcStepCompletedData;
    const wait = d.notBefore === undefined ? 0 : Math.ceil((Date.parse(d.notBefore) - Date.parse(event.at)) / 1000);
    return { message: { type: 'GcStep', tenantId: d.tenantId, runId: d.runId, step: d.step }, delaySeconds: Math.min(MAX_DELAY_SECONDS, Math.max(0, wait)) };
  }
  return undefined;
}

/** Runs the step the message names; too early (the settle not over) → retried when it is. */
export async function runGcWorkflow(deps: AppDeps, message: GcStepMessage): Promise<void> {
  const outcome = await gcStep(deps, message.tenantId, { runId: message.runId, step: message.step });
  if (outcome.status === 'waiting') {
    const seconds = Math.ceil((Date.parse(outcome.until) - deps.clock().getTime()) / 1000);
    throw new RetryLaterError(Math.min(43_200, Math.max(1, seconds)), `GC run ${outcome.runId} of tenant ${message.tenantId} waits until ${outcome.until}`);
  }
}
