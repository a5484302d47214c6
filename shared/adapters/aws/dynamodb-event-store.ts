/**
 * EventStore on DynamoDB (DESIGN §4). Table: pk streamId (S), sk version (N); see
 * dynamodb-event-item.ts for the item format.
 *
 * append: reads the stream's last event (consistent read) to check expectedVersion and
 * to chain the hashes, then writes with conditional puts on (streamId, version): one
 * event → PutItem, several → one TransactWriteItems (dynamodb-append-strategies.ts).
 * The condition, not the read, is what makes two concurrent appends exclusive.
 *
 * readAll: a Scan; the cursor is the last evaluated key. Streams do not interleave in
 * global append order (capabilities.globalOrder = false): on AWS the projector follows
 * the table's stream instead, and readAll serves rebuilds and the admin event view.
 */
import { QueryCommand, ScanCommand, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { chainEvents } from '../../events/chain.js';
import type { NewEvent, PositionedEvent, StoredEvent } from '../../events/envelope.js';
import { assertStreamId } from '../../ids.js';
import { ConcurrencyError, PortError } from '../../ports/errors.js';
import type { EventStore } from '../../ports/event-store.js';
import { ENV } from '../../runtime/env.js';
import { defaultAwsClients, requiredEnv } from './clients.js';
import {
  MAX_TRANSACT_ITEMS, writeEvents, type DynamoDbSender, type TransactionMode,
} from './dynamodb-append-strategies.js';
import { decodeCursor, encodeCursor, eventKeyToItem, itemToStoredEvent, type EventItem } from './dynamodb-event-item.js';
import { isConditionFailure, translateAwsError } from './errors.js';

export interface DynamoDbEventStoreOptions {
  /** Default: the container's shared client (endpoint from DRCORE_AWS_ENDPOINT, if set). */
  readonly client?: DynamoDbSender;
  /** Default: DRCORE_EVENTS_TABLE. */
  readonly tableName?: string;
  /** Default 'native' (TransactWriteItems). 'emulated-sequential' is for dynalite only. */
  readonly transactions?: TransactionMode;
}

const DEFAULT_READ_ALL_LIMIT = 1000;

export class DynamoDbEventStore implements EventStore {
  readonly capabilities = { globalOrder: false } as const;
  private readonly client: DynamoDbSender;
  private readonly tableName: string;
  private readonly transactions: TransactionMode;

  constructor(options: DynamoDbEventStoreOptions = {}) {
    this.client = options.client ?? defaultAwsClients().dynamodb;
    this.tableName = options.tableName ?? requiredEnv(ENV.eventsTable);
    this.transactions = options.transactions ?? 'native';
  }

  async append(streamId: string, expectedVersion: number, events: readonly NewEvent[]): Promise<StoredEvent[]> {
    assertStreamId(streamId);
    if (!Number.isSafeInteger(expectedVersion) || expectedVersion < 0) {
      throw new RangeError(`expectedVersion must be a non-negative integer, got ${String(expectedVersion)}`);
    }
    if (this.transactions === 'native' && events.length > MAX_TRANSACT_ITEMS) {
      throw new PortError(`stream ${streamId}: at most ${MAX_TRANSACT_ITEMS} events can be appended atomically on DynamoDB, got ${events.length}`);
    }
    const last = await this.lastEvent(streamId);
    const actual = last?.version ?? 0;
    if (actual !== expectedVersion) throw new ConcurrencyError(streamId, expectedVersion, actual);
    if (events.length === 0) return [];

    const stored = chainEvents(streamId, last, events);
    try {
      await writeEvents(this.client, this.transactions, this.tableName, stored);
    } catch (err) {
      if (isConditionFailure(err)) {
        const now = await this.lastEvent(streamId).then((e) => e?.version, () => undefined);
        throw new ConcurrencyError(streamId, expectedVersion, now, { cause: err });
      }
      throw translateAwsError(err, `DynamoDB append to ${streamId}`);
    }
    return stored;
  }

  async readStream(streamId: string, afterVersion = 0): Promise<StoredEvent[]> {
    assertStreamId(streamId);
    if (!Number.isSafeInteger(afterVersion) || afterVersion < 0) {
      throw new RangeError(`afterVersion must be a non-negative integer, got ${String(afterVersion)}`);
    }
    const events: StoredEvent[] = [];
    let start: EventItem | undefined;
    do {
      const page = await this.query({
        TableName: this.tableName,
        KeyConditionExpression: 'streamId = :s AND version > :v',
        ExpressionAttributeValues: { ':s': { S: streamId }, ':v': { N: String(afterVersion) } },
        ConsistentRead: true,
        ...(start !== undefined ? { ExclusiveStartKey: start } : {}),
      }, `DynamoDB readStream ${streamId}`);
      for (const item of page.Items ?? []) events.push(itemToStoredEvent(item));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return events;
  }

  async readAll(after?: string, limit = DEFAULT_READ_ALL_LIMIT): Promise<{ events: PositionedEvent[]; next: string | undefined }> {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${String(limit)}`);
    const start = after === undefined ? undefined : eventKeyToItem(decodeCursor(after));
    let page;
    try {
      page = await this.client.send(new ScanCommand({
        TableName: this.tableName,
        Limit: limit,
        ConsistentRead: true,
        ...(start !== undefined ? { ExclusiveStartKey: start } : {}),
      }));
    } catch (err) {
      throw translateAwsError(err, 'DynamoDB readAll');
    }
    const events = sortPerStream((page.Items ?? []).map(itemToStoredEvent))
      .map((e): PositionedEvent => ({ ...e, position: encodeCursor(e) }));
    const lastKey = page.LastEvaluatedKey;
    const next = lastKey === undefined ? undefined : encodeCursor(itemToKey(lastKey));
    return { events, next };
  }

  private async lastEvent(streamId: string): Promise<{ version: number; hash: string } | undefined> {
    const page = await this.query({
      TableName: this.tableName,
      KeyConditionExpression: 'streamId = :s',
      ExpressionAttributeValues: { ':s': { S: streamId } },
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
    }, `DynamoDB read last event of ${streamId}`);
    const item = page.Items?.[0];
    return item === undefined ? undefined : itemToStoredEvent(item);
  }

  private async query(input: QueryCommandInput, operation: string) {
    try {
      return await this.client.send(new QueryCommand(input));
    } catch (err) {
      throw translateAwsError(err, operation);
    }
  }
}

function itemToKey(item: EventItem): { streamId: string; version: number } {
  const streamId = item.streamId?.S;
  const version = Number(item.version?.N);
  if (streamId === undefined || !Number.isSafeInteger(version)) throw new PortError('DynamoDB readAll: malformed LastEvaluatedKey');
  return { streamId, version };
}

/** Keeps streams in the order they first appear in the page; each stream by version. */
function sortPerStream(events: StoredEvent[]): StoredEvent[] {
  const firstSeen = new Map<string, number>();
  events.forEach((e, i) => { if (!firstSeen.has(e.streamId)) firstSeen.set(e.streamId, i); });
  return [...events].sort((a, b) =>
    (firstSeen.get(a.streamId) ?? 0) - (firstSeen.get(b.streamId) ?? 0) || a.version - b.version);
}
