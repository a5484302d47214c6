/**
 * The reads of the DynamoDB event store, all strongly consistent: a stream's last event,
 * a stream's events, the log head, log entries from a seq, and events by key.
 */
import {
  BatchGetItemCommand, QueryCommand, type AttributeValue, type QueryCommandInput, type QueryCommandOutput,
} from '@aws-sdk/client-dynamodb';
import type { StoredEvent } from '../../events/envelope.js';
import { PortError, UnavailableError } from '../../ports/errors.js';
import type { DynamoDbSender } from './dynamodb-append-strategies.js';
import { eventKeyToItem, itemToStoredEvent, type EventKey } from './dynamodb-event-item.js';
import { itemToLogEntry, LOG_STREAM_ID, type LogEntry } from './dynamodb-event-log.js';
import { translateAwsError } from './errors.js';

type Item = Record<string, AttributeValue>;
const BATCH_GET_MAX = 100;

async function query(client: DynamoDbSender, input: QueryCommandInput, operation: string): Promise<QueryCommandOutput> {
  try {
    return await client.send(new QueryCommand(input));
  } catch (err) {
    throw translateAwsError(err, operation);
  }
}

/** Items of one partition key, version > after (or ≥ from), ascending, up to `limit` items (all if undefined). */
async function queryPartition(client: DynamoDbSender, tableName: string, pk: string, after: number, limit: number | undefined, operation: string): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await query(client, {
      TableName: tableName,
      KeyConditionExpression: 'streamId = :s AND version > :v',
      ExpressionAttributeValues: { ':s': { S: pk }, ':v': { N: String(after) } },
      ConsistentRead: true,
      ...(limit !== undefined ? { Limit: limit - items.length } : {}),
      ...(start !== undefined ? { ExclusiveStartKey: start } : {}),
    }, operation);
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined && (limit === undefined || items.length < limit));
  return items;
}

async function lastItem(client: DynamoDbSender, tableName: string, pk: string, operation: string): Promise<Item | undefined> {
  const page = await query(client, {
    TableName: tableName,
    KeyConditionExpression: 'streamId = :s',
    ExpressionAttributeValues: { ':s': { S: pk } },
    ScanIndexForward: false,
    Limit: 1,
    ConsistentRead: true,
  }, operation);
  return page.Items?.[0];
}

export async function readLastEvent(client: DynamoDbSender, tableName: string, streamId: string): Promise<StoredEvent | undefined> {
  const item = await lastItem(client, tableName, streamId, `DynamoDB read last event of ${streamId}`);
  return item === undefined ? undefined : itemToStoredEvent(item);
}

export async function readStreamEvents(client: DynamoDbSender, tableName: string, streamId: string, afterVersion: number, limit?: number): Promise<StoredEvent[]> {
  const items = await queryPartition(client, tableName, streamId, afterVersion, limit, `DynamoDB readStream ${streamId}`);
  return items.map(itemToStoredEvent);
}

/** The seq of the last log entry (0 for an empty log). */
export async function readLogHead(client: DynamoDbSender, tableName: string): Promise<number> {
  const item = await lastItem(client, tableName, LOG_STREAM_ID, 'DynamoDB read the event log head');
  return item === undefined ? 0 : itemToLogEntry(item).seq;
}

/** Up to `limit` log entries with seq ≥ fromSeq. */
export async function readLogEntries(client: DynamoDbSender, tableName: string, fromSeq: number, limit: number): Promise<LogEntry[]> {
  const items = await queryPartition(client, tableName, LOG_STREAM_ID, fromSeq - 1, limit, 'DynamoDB read the event log');
  return items.map(itemToLogEntry);
}

/** The events with these keys, in the order of `keys`; a missing one is a damaged log (PortError). */
export async function getEvents(client: DynamoDbSender, tableName: string, keys: readonly EventKey[]): Promise<StoredEvent[]> {
  const found = new Map<string, StoredEvent>();
  const id = (k: EventKey) => `${k.streamId}\u0000${k.version}`;
  for (let i = 0; i < keys.length; i += BATCH_GET_MAX) {
    let pending: Item[] = keys.slice(i, i + BATCH_GET_MAX).map(eventKeyToItem);
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt > 8) throw new UnavailableError(`DynamoDB readAll: ${pending.length} keys stayed unprocessed`);
      if (attempt > 0) await new Promise((r) => setTimeout(r, 25 * 2 ** attempt));
      let out;
      try {
        out = await client.send(new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }));
      } catch (err) {
        throw translateAwsError(err, 'DynamoDB readAll');
      }
      for (const item of out.Responses?.[tableName] ?? []) {
        const e = itemToStoredEvent(item);
        found.set(id(e), e);
      }
      pending = out.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  }
  return keys.map((k) => {
    const e = found.get(id(k));
    if (e === undefined) throw new PortError(`DynamoDB event log points to ${k.streamId} v${k.version}, which is missing`);
    return e;
  });
}
