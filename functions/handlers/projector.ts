import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { storedEventFromStreamRecord } from '../../shared/adapters/aws/dynamodb-stream-records.js';
import { noteProjectionFailure, type RecordCoordinates } from '../../shared/app/projections/projection-dead-letters.js';
import { projectEvent } from '../../shared/app/projections/projector.js';
import { lambdaHandler } from '../../shared/runtime/lambda-handler.js';
import { logger } from '../../shared/runtime/logger.js';
import type { AppDeps } from '../../shared/app/deps.js';

/**
 * DynamoDB stream → read models and the workflow outbox. Records of one stream arrive in
 * version order; on the first failure the rest of the batch is reported failed from that
 * record on (partial batch response), so order is kept on retry. Items that are not
 * events (the event table's `$log` entries) are skipped. A failure is noted with its error
 * (projection-failures) for the operator; the stream mapping retries the record a bounded
 * number of times, then dead-letters it (shared/ports/event-stream.ts).
 */
export const makeHandler = (deps: Pick<AppDeps, 'readModels' | 'queue' | 'operational'>) => lambdaHandler(middy<DynamoDBStreamEvent, DynamoDBBatchResponse>().handler(async (event) => {
  for (const record of event.Records) {
    try {
      const stored = storedEventFromStreamRecord(record);
      if (stored) await projectEvent(deps, stored);
    } catch (error) {
      logger.error('projection failed', { sequenceNumber: record.dynamodb?.SequenceNumber, error: error as Error });
      try {
        await noteProjectionFailure(deps.operational, coordinates(record), error, new Date().toISOString());
      } catch (noteError) {
        logger.error('could not note the projection failure', { sequenceNumber: record.dynamodb?.SequenceNumber, error: noteError as Error });
      }
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
    }
  }
  return { batchItemFailures: [] };
}));

/** What a record says it is, read without trusting it (it may be the malformed one). */
function coordinates(record: DynamoDBRecord): RecordCoordinates {
  const keys = record.dynamodb?.Keys ?? record.dynamodb?.NewImage;
  return {
    position: record.dynamodb?.SequenceNumber || record.eventID || 'unknown',
    streamId: keys?.['streamId']?.S ?? '?',
    version: Number(keys?.['version']?.N ?? 0),
    type: record.dynamodb?.NewImage?.['type']?.S ?? '?',
  };
}
