import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { storedEventFromStreamRecord } from '../shared/adapters/aws/dynamodb-stream-records.js';
import { projectEvent } from '../shared/app/projections/projector.js';
import { getDeps } from '../shared/runtime/deps.js';
import { lambdaHandler } from '../shared/runtime/lambda-handler.js';
import { logger } from '../shared/runtime/logger.js';

/**
 * DynamoDB stream → read models and the workflow outbox. Records of one stream arrive in
 * version order; on the first failure the rest of the batch is reported failed from that
 * record on (partial batch response), so order is kept on retry. Items that are not
 * events (the event table's `$log` entries) are skipped.
 */
export const handler = lambdaHandler(middy<DynamoDBStreamEvent, DynamoDBBatchResponse>().handler(async (event) => {
  const deps = await getDeps();
  for (const record of event.Records) {
    try {
      const stored = storedEventFromStreamRecord(record);
      if (stored) await projectEvent(deps, stored);
    } catch (error) {
      logger.error('projection failed', { sequenceNumber: record.dynamodb?.SequenceNumber, error: error as Error });
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
    }
  }
  return { batchItemFailures: [] };
}));
