/**
 * How an append reaches DynamoDB: its events (conditional puts on (streamId, version))
 * and its log entry (conditional put of the next seq, dynamodb-event-log.ts).
 *
 * - 'native' (production): one TransactWriteItems with the log entry first, then the
 *   events — all or nothing.
 * - 'emulated-sequential' (emulators only): dynalite has no TransactWriteItems
 *   (UnknownOperationException), so the events are written with conditional PutItems in
 *   version order (those already written are deleted again if a later one fails), then
 *   the log entry is claimed. NOT atomic under a crash; it exists only so the contract
 *   suite can run on dynalite. The native request is covered by
 *   test/unit/aws-dynamodb-transact.unit.test.ts.
 */
import {
  DeleteItemCommand, PutItemCommand, TransactWriteItemsCommand,
  type DynamoDBClient, type TransactWriteItemsCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { StoredEvent } from '../../events/envelope.js';
import { cancellationReasonCodes, awsErrorName } from './errors.js';
import { eventKeyToItem, storedEventToItem } from './dynamodb-event-item.js';
import { logEntryToItem, type LogEntry } from './dynamodb-event-log.js';

export type TransactionMode = 'native' | 'emulated-sequential';

/** What the adapter needs of a DynamoDB client (tests inject a recorder). */
export type DynamoDbSender = Pick<DynamoDBClient, 'send'>;

/** DynamoDB's limit of actions in one TransactWriteItems: 1 log entry + 99 events. */
export const MAX_TRANSACT_ITEMS = 100;
export const MAX_EVENTS_PER_APPEND = MAX_TRANSACT_ITEMS - 1;

/** Never overwrite: the put succeeds only if its key (streamId, version) is free. */
export const CREATE_ONLY = 'attribute_not_exists(streamId)';

export function putEventInput(tableName: string, e: StoredEvent) {
  return { TableName: tableName, Item: storedEventToItem(e), ConditionExpression: CREATE_ONLY };
}

export function putLogEntryInput(tableName: string, entry: LogEntry) {
  return { TableName: tableName, Item: logEntryToItem(entry), ConditionExpression: CREATE_ONLY };
}

export function transactWriteInput(tableName: string, entry: LogEntry, events: readonly StoredEvent[]): TransactWriteItemsCommandInput {
  return {
    TransactItems: [
      { Put: putLogEntryInput(tableName, entry) },
      ...events.map((e) => ({ Put: putEventInput(tableName, e) })),
    ],
  };
}

/** Why a write of an append failed: our events collided (a concurrent append), or only the log seq was taken. */
export type WriteFailure = 'events-conflict' | 'log-seq-taken';

export class AppendWriteError extends Error {
  override readonly name = 'AppendWriteError';
  constructor(readonly failure: WriteFailure, options: { cause: unknown }) {
    super(failure, options);
  }
}

/** Native: one transaction. Throws AppendWriteError for condition failures, the SDK error otherwise. */
export async function writeNative(client: DynamoDbSender, tableName: string, entry: LogEntry, events: readonly StoredEvent[]): Promise<void> {
  try {
    await client.send(new TransactWriteItemsCommand(transactWriteInput(tableName, entry, events)));
  } catch (err) {
    if (awsErrorName(err) !== 'TransactionCanceledException') throw err;
    const [logReason, ...eventReasons] = cancellationReasonCodes(err);
    const lost = (code: string | undefined) => code === 'ConditionalCheckFailed' || code === 'TransactionConflict';
    if (eventReasons.some(lost)) throw new AppendWriteError('events-conflict', { cause: err });
    if (lost(logReason)) throw new AppendWriteError('log-seq-taken', { cause: err });
    throw err;
  }
}

/** Emulated, step 1: the events, in order, undone if one fails. */
export async function writeEventsSequentially(client: DynamoDbSender, tableName: string, events: readonly StoredEvent[]): Promise<void> {
  const written: StoredEvent[] = [];
  try {
    for (const e of events) {
      await client.send(new PutItemCommand(putEventInput(tableName, e)));
      written.push(e);
    }
  } catch (err) {
    // Undo, newest first, only items that are still exactly ours.
    for (const e of written.reverse()) {
      await client.send(new DeleteItemCommand({
        TableName: tableName,
        Key: eventKeyToItem(e),
        ConditionExpression: '#hash = :hash',
        ExpressionAttributeNames: { '#hash': 'hash' },
        ExpressionAttributeValues: { ':hash': { S: e.hash } },
      })).catch(() => undefined);
    }
    if (awsErrorName(err) === 'ConditionalCheckFailedException') throw new AppendWriteError('events-conflict', { cause: err });
    throw err;
  }
}

/** Emulated, step 2: claim the log entry (after the events exist, so no reader sees it early). */
export async function writeLogEntry(client: DynamoDbSender, tableName: string, entry: LogEntry): Promise<void> {
  try {
    await client.send(new PutItemCommand(putLogEntryInput(tableName, entry)));
  } catch (err) {
    if (awsErrorName(err) === 'ConditionalCheckFailedException') throw new AppendWriteError('log-seq-taken', { cause: err });
    throw err;
  }
}
