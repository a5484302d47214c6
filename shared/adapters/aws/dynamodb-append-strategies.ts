/**
 * How a multi-event append reaches DynamoDB.
 *
 * - 'native' (production): one TransactWriteItems of conditional puts — all or nothing.
 * - 'emulated-sequential' (emulators only): dynalite has no TransactWriteItems
 *   (UnknownOperationException), so the events are written with conditional PutItems in
 *   version order, and the ones already written are deleted again if a later one fails.
 *   That is NOT atomic under a crash; it exists only so the contract suite can run on
 *   dynalite. The native request is covered by test/unit/aws-dynamodb-transact.unit.test.ts.
 */
import {
  DeleteItemCommand, PutItemCommand, TransactWriteItemsCommand,
  type DynamoDBClient, type TransactWriteItemsCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { StoredEvent } from '../../events/envelope.js';
import { eventKeyToItem, storedEventToItem } from './dynamodb-event-item.js';

export type TransactionMode = 'native' | 'emulated-sequential';

/** What the adapter needs of a DynamoDB client (tests inject a recorder). */
export type DynamoDbSender = Pick<DynamoDBClient, 'send'>;

/** DynamoDB's limit of actions in one TransactWriteItems. */
export const MAX_TRANSACT_ITEMS = 100;

/** Never overwrite an event: the put succeeds only if (streamId, version) is free. */
export const CREATE_ONLY = 'attribute_not_exists(streamId)';

export function putEventInput(tableName: string, e: StoredEvent) {
  return { TableName: tableName, Item: storedEventToItem(e), ConditionExpression: CREATE_ONLY };
}

export function transactWriteInput(tableName: string, events: readonly StoredEvent[]): TransactWriteItemsCommandInput {
  return { TransactItems: events.map((e) => ({ Put: putEventInput(tableName, e) })) };
}

export async function writeEvents(client: DynamoDbSender, mode: TransactionMode, tableName: string, events: readonly StoredEvent[]): Promise<void> {
  const [first] = events;
  if (first === undefined) return;
  if (events.length === 1) {
    await client.send(new PutItemCommand(putEventInput(tableName, first)));
  } else if (mode === 'native') {
    await client.send(new TransactWriteItemsCommand(transactWriteInput(tableName, events)));
  } else {
    await writeSequentially(client, tableName, events);
  }
}

async function writeSequentially(client: DynamoDbSender, tableName: string, events: readonly StoredEvent[]): Promise<void> {
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
    throw err;
  }
}
