import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { WorkflowMessage } from '../../shared/app/workflows/messages.js';
import { isLifecycleMessage, LifecycleMessage } from '../../shared/app/workflows/lifecycle-messages.js';
import { runLifecycleWorkflow } from '../../shared/app/workflows/lifecycle-workflow.js';
import { runPairingWorkflow } from '../../shared/app/workflows/pairing-workflow.js';
import { runRenewalWorkflow } from '../../shared/app/workflows/renewal-workflow.js';
import { runGcWorkflow } from '../../shared/app/lifecycle/gc/gc-workflow.js';
import { PermanentWorkflowError, RetryLaterError } from '../../shared/app/workflows/permanent-failure.js';
import { isSeedImportMessage, SeedImportMessage } from '../../shared/app/workflows/seed-import-messages.js';
import { runSeedImportWorkflow } from '../../shared/app/workflows/seed-import-workflow.js';
import { QUEUES } from '../../shared/ports/queue.js';
import { lambdaHandler } from '../../shared/runtime/lambda-handler.js';
import { logger } from '../../shared/runtime/logger.js';
import type { AppDeps } from '../../shared/app/deps.js';

/**
 * SQS worker for the workflow queue. Each record is processed on its own; failures are
 * reported as `batchItemFailures` so only they are redelivered (and dead-lettered after
 * maxReceiveCount). A malformed message fails and will reach the DLQ, where it is visible.
 * A step that gave up for good (PermanentWorkflowError: its outcome is already recorded) is
 * made visible again at once, so it reaches the DLQ without waiting out the retries.
 */
export const makeHandler = (deps: AppDeps) => lambdaHandler(middy<SQSEvent, SQSBatchResponse>().handler(async (event) => {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    const receiveCount = Number.parseInt(record.attributes?.ApproximateReceiveCount ?? '', 10) || 1;
    try {
      const body: unknown = JSON.parse(record.body);
      if (isLifecycleMessage(body)) await runLifecycleWorkflow(deps, LifecycleMessage.parse(body));
      else if (isSeedImportMessage(body)) await runSeedImportWorkflow(deps, SeedImportMessage.parse(body));
      else {
        const message = WorkflowMessage.parse(body);
        if (message.type === 'CertificateRenewalRequested') await runRenewalWorkflow(deps, message);
        else if (message.type === 'GcStep') await runGcWorkflow(deps, message);
        else await runPairingWorkflow(deps, message, { receiveCount, maxReceiveCount: QUEUES.workflow.maxReceiveCount });
      }
    } catch (error) {
      if (error instanceof RetryLaterError) {
        // Not a failure: the message comes back when the step may run.
        try {
          await deps.queue.changeVisibility('workflow', record.receiptHandle, error.seconds);
        } catch (visibilityError) {
          logger.warn('could not hold the message back; it comes back after its visibility timeout', { messageId: record.messageId, error: visibilityError as Error });
        }
      } else if (error instanceof PermanentWorkflowError) {
        logger.warn('workflow message gave up for good; dead-lettering it', { messageId: record.messageId, receiveCount, reason: error.message });
        try {
          await deps.queue.changeVisibility('workflow', record.receiptHandle, 0);
        } catch (visibilityError) {
          logger.warn('could not make the message visible again; it is dead-lettered after its visibility timeouts', { messageId: record.messageId, error: visibilityError as Error });
        }
      } else {
        logger.error('workflow message failed', { messageId: record.messageId, receiveCount, error: error as Error });
      }
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}));
