import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { WorkflowMessage } from '../shared/app/workflows/messages.js';
import { runPairingWorkflow } from '../shared/app/workflows/pairing-workflow.js';
import { getDeps } from '../shared/runtime/deps.js';
import { lambdaHandler } from '../shared/runtime/lambda-handler.js';
import { logger } from '../shared/runtime/logger.js';

/**
 * SQS worker for the workflow queue. Each record is processed on its own; failures are
 * reported as `batchItemFailures` so only they are redelivered (and dead-lettered after
 * maxReceiveCount). A malformed message fails and will reach the DLQ, where it is visible.
 */
export const handler = lambdaHandler(middy<SQSEvent, SQSBatchResponse>().handler(async (event) => {
  const deps = await getDeps();
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      const message = WorkflowMessage.parse(JSON.parse(record.body));
      await runPairingWorkflow(deps, message);
    } catch (error) {
      logger.error('workflow message failed', { messageId: record.messageId, receiveCount: record.attributes?.ApproximateReceiveCount, error: error as Error });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}));
