import { storedEventToItem } from '../shared/adapters/aws/dynamodb-event-item.js';
import type { AttributeValue, Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { PositionedEvent } from '../shared/events/envelope.js';
import type { EventStore } from '../shared/ports/event-store.js';
import type { OperationalStore } from '../shared/ports/operational-store.js';
import { EVENT_STREAM_DELIVERY } from '../shared/ports/event-stream.js';
import { clearProjectionFailure, deadLetterProjection, type ProjectionDeadLetter } from '../shared/app/projections/projection-dead-letters.js';
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

export interface StreamDispatcherOptions {
  batchSize?: number;
  idleMs?: number;
  /** Retries of a failing record after its first attempt; then it is dead-lettered. */
  retryAttempts?: number;
  /** Backoff before retry n: base · 2^(n-1) ms, at most max. */
  retryDelayMs?: { base: number; max: number };
  /** Called with each record given up on (serve logs it). */
  onDeadLetter?: (letter: ProjectionDeadLetter) => void;
}

const DEFAULT_RETRY_DELAY_MS = { base: 100, max: 2_000 }; // 10 retries: about 13 s before a dead letter

/**
 * The local DynamoDB Streams → Lambda mapping, with the AWS mapping's settings
 * (EVENT_STREAM_DELIVERY): tails the event log from a checkpoint and calls the projector with
 * stream-shaped batches; on a partial failure it resumes from the first failed record (as
 * bisectBatchOnError + ReportBatchItemFailures do), with backoff. A record that still fails
 * after `retryAttempts` retries is dead-lettered (projection-dead-letters, with the projector's
 * error) and the checkpoint moves past it, so the events after it keep flowing.
 * If the invocation itself fails (the handler throws), the batch is retried without limit:
 * that is the runtime failing, not a projection.
 */
export function startStreamDispatcher(events: EventStore, operational: OperationalStore, handler: StreamHandler, options: StreamDispatcherOptions = {}): { stop(): Promise<void>; drain(): Promise<void> } {
  const retryAttempts = options.retryAttempts ?? EVENT_STREAM_DELIVERY.retryAttempts;
  const delay = options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
  let running = true;
  let wake: (() => void) | undefined;
  /** A pause that stop() cuts short. */
  const sleep = (ms: number) => new Promise<void>((resolve) => {
    const done = () => { clearTimeout(timer); wake = undefined; resolve(); };
    const timer = setTimeout(done, ms);
    wake = done;
  });
  const waiters: (() => void)[] = [];
  /** The record being retried: its position, the attempts so far, when it first failed. */
  let failing: { position: string; attempts: number; firstFailedAt: string } | undefined;
  const loop = (async () => {
    while (running) {
      try {
        const cursor = await operational.getCheckpoint(CHECKPOINT);
        const page = await events.readAll(cursor, options.batchSize ?? EVENT_STREAM_DELIVERY.batchSize);
        if (page.events.length === 0) {
          for (const w of waiters.splice(0)) w();
          await sleep(options.idleMs ?? 50);
          continue;
        }
        const result = await handler({ Records: page.events.map(streamRecord) }, lambdaContext('projector'));
        const failedAt = result?.batchItemFailures?.[0]?.itemIdentifier;
        // An identifier that names no record of the batch fails the whole batch (as Lambda treats it).
        const failedIndex = failedAt === undefined ? -1 : Math.max(0, page.events.findIndex((e) => e.position === failedAt));
        const done = failedIndex < 0 ? page.events : page.events.slice(0, failedIndex);
        const last = done.at(-1);
        if (last) await operational.putCheckpoint(CHECKPOINT, last.position);
        if (failing && done.some((e) => e.position === failing?.position)) {
          await clearProjectionFailure(operational, failing.position); // it passed on a retry
          failing = undefined;
        }
        const failed = failedIndex < 0 ? undefined : page.events[failedIndex];
        if (!failed) continue;
        if (failing?.position !== failed.position) failing = { position: failed.position, attempts: 0, firstFailedAt: new Date().toISOString() };
        failing.attempts += 1;
        if (failing.attempts <= retryAttempts) {
          await sleep(Math.min(delay.max, delay.base * 2 ** (failing.attempts - 1)));
          continue;
        }
        const letter = await deadLetterProjection(operational,
          { position: failed.position, streamId: failed.streamId, version: failed.version, type: failed.type },
          failing.attempts, failing.firstFailedAt, new Date().toISOString());
        await operational.putCheckpoint(CHECKPOINT, failed.position);
        failing = undefined;
        logger.error('projection dead-lettered after its retries; the projector moves on', {
          position: letter.position, streamId: letter.streamId, version: letter.version, type: letter.type, attempts: letter.attempts, error: letter.error,
        });
        options.onDeadLetter?.(letter);
      } catch (error) {
        logger.error('stream dispatcher error', { error: error as Error });
        await sleep(1000);
      }
    }
  })();
  return {
    stop: async () => { running = false; wake?.(); await loop; },
    drain: () => new Promise((r) => { waiters.push(r); }),
  };
}
