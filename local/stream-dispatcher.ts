import { storedEventToItem } from '../shared/adapters/aws/dynamodb-event-item.js';
import type { AttributeValue, Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { PositionedEvent } from '../shared/events/envelope.js';
import type { EventStore } from '../shared/ports/event-store.js';
import type { ReadModels } from '../shared/ports/read-models.js';
import { logger } from '../shared/runtime/logger.js';
import { lambdaContext } from './lambda-context.js';

export type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse | void>;

const CHECKPOINT = 'stream-dispatcher';

/** The event table item, as DynamoDB would hold it, as a stream NEW_IMAGE. */
export function streamRecord(e: PositionedEvent): DynamoDBStreamEvent['Records'][number] {
  const image = storedEventToItem(e);
  return {
    eventID: e.position, eventName: 'INSERT', eventVersion: '1.1', eventSource: 'aws:dynamodb', awsRegion: 'local',
    eventSourceARN: 'arn:aws:dynamodb:local:000000000000:table/events/stream/local',
    dynamodb: {
      Keys: { streamId: { S: e.streamId }, version: { N: String(e.version) } },
      NewImage: image as Record<string, AttributeValue>,
      SequenceNumber: e.position, SizeBytes: 0, StreamViewType: 'NEW_IMAGE', ApproximateCreationDateTime: Date.parse(e.at) / 1000,
    },
  };
}

/**
 * The local DynamoDB Streams → Lambda mapping: tails the event log from a checkpoint and
 * calls the projector with stream-shaped batches; on a partial failure it resumes from
 * the first failed record (as bisect/ReportBatchItemFailures does).
 */
export function startStreamDispatcher(events: EventStore, readModels: ReadModels, handler: StreamHandler, options: { batchSize?: number; idleMs?: number } = {}): { stop(): Promise<void>; drain(): Promise<void> } {
  let running = true;
  const waiters: (() => void)[] = [];
  const loop = (async () => {
    while (running) {
      try {
        const cursor = await readModels.getCheckpoint(CHECKPOINT);
        const page = await events.readAll(cursor, options.batchSize ?? 100);
        if (page.events.length === 0) {
          for (const w of waiters.splice(0)) w();
          await sleep(options.idleMs ?? 50);
          continue;
        }
        const result = await handler({ Records: page.events.map(streamRecord) }, lambdaContext('projector'));
        const failedAt = result?.batchItemFailures?.[0]?.itemIdentifier;
        const done = failedAt ? page.events.slice(0, page.events.findIndex((e) => e.position === failedAt)) : page.events;
        const last = done.at(-1);
        if (last) await readModels.putCheckpoint(CHECKPOINT, last.position);
        if (failedAt) await sleep(1000);
      } catch (error) {
        logger.error('stream dispatcher error', { error: error as Error });
        await sleep(1000);
      }
    }
  })();
  return {
    stop: async () => { running = false; await loop; },
    drain: () => new Promise((r) => { waiters.push(r); }),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
