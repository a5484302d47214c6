import middy from '@middy/core';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { StoredEvent } from '../shared/events/envelope.js';
import { projectEvent } from '../shared/app/projections/projector.js';
import { getDeps } from '../shared/runtime/deps.js';
import { logger } from '../shared/runtime/logger.js';

/** A stored event from a DynamoDB stream NEW_IMAGE (the event table's item shape). */
export function eventFromImage(image: Record<string, AttributeValue>): StoredEvent {
  const item = unmarshall(image);
  return {
    streamId: String(item['streamId']), version: Number(item['version']), type: String(item['type']),
    data: typeof item['data'] === 'string' ? JSON.parse(item['data']) : item['data'],
    at: String(item['at']), actor: String(item['actor']), prevHash: String(item['prevHash']), hash: String(item['hash']),
  };
}

/**
 * DynamoDB stream → read models and the workflow outbox. Records of one stream arrive in
 * version order; on the first failure the rest of the batch is reported failed from that
 * record on (partial batch response), so order is kept on retry.
 */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>().handler(async (event) => {
  const deps = await getDeps();
  for (let i = 0; i < event.Records.length; i++) {
    const record = event.Records[i]!;
    if (record.eventName !== 'INSERT' || !record.dynamodb?.NewImage) continue;
    try {
      await projectEvent(deps, eventFromImage(record.dynamodb.NewImage as Record<string, AttributeValue>));
    } catch (error) {
      logger.error('projection failed', { sequenceNumber: record.dynamodb.SequenceNumber, error: error as Error });
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb.SequenceNumber ?? '' }] };
    }
  }
  return { batchItemFailures: [] };
});
