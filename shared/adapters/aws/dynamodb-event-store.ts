/**
 * EventStore on DynamoDB (DESIGN §4). Table: pk streamId (S), sk version (N); the item
 * format is in dynamodb-event-item.ts.
 *
 * append: reads the stream's last event (consistent read) to check expectedVersion and
 * to chain the hashes, then writes the events with conditional puts on
 * (streamId, version) together with one entry of the global log, in one
 * TransactWriteItems (dynamodb-append-strategies.ts). The conditions, not the read, make
 * two concurrent appends exclusive. When only the log seq was taken by an append to
 * another stream, the adapter takes the next seq and tries again.
 *
 * readAll follows the global log (dynamodb-event-log.ts): exact, in commit order, so
 * capabilities.globalOrder is true. On AWS the projector follows the table's stream;
 * readAll serves rebuilds, the admin event view and the local runtime.
 */
import { chainEvents } from '../../events/chain.js';
import type { NewEvent, PositionedEvent, StoredEvent } from '../../events/envelope.js';
import { assertStreamId } from '../../ids.js';
import { ConcurrencyError, PortError, UnavailableError } from '../../ports/errors.js';
import type { EventStore } from '../../ports/event-store.js';
import { ENV } from '../../runtime/env.js';
import { defaultDynamoDbClient, requiredEnv } from './clients.js';
import {
  AppendWriteError, MAX_EVENTS_PER_APPEND, writeEventsSequentially, writeLogEntry, writeNative,
  type DynamoDbSender, type TransactionMode,
} from './dynamodb-append-strategies.js';
import { decodePosition, encodePosition, LOG_START, type LogEntry } from './dynamodb-event-log.js';
import { getEvents, readLastEvent, readLogEntries, readLogHead, readStreamEvents } from './dynamodb-event-reads.js';
import { translateAwsError } from './errors.js';

export interface DynamoDbEventStoreOptions {
  /** Default: the container's shared client (endpoint from DRCORE_AWS_ENDPOINT, if set). */
  readonly client?: DynamoDbSender;
  /** Default: DRCORE_EVENTS_TABLE. */
  readonly tableName?: string;
  /** Default 'native' (TransactWriteItems). 'emulated-sequential' is for dynalite only. */
  readonly transactions?: TransactionMode;
}

const DEFAULT_READ_ALL_LIMIT = 1000;
/** Attempts at a free log seq when appends to other streams keep taking it. */
const LOG_SEQ_ATTEMPTS = 25;

function assertCount(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`${name} must be an integer ≥ ${min}, got ${String(value)}`);
}

export class DynamoDbEventStore implements EventStore {
  readonly capabilities = { globalOrder: true } as const;
  private readonly client: DynamoDbSender;
  private readonly tableName: string;
  private readonly transactions: TransactionMode;

  constructor(options: DynamoDbEventStoreOptions = {}) {
    this.client = options.client ?? defaultDynamoDbClient();
    this.tableName = options.tableName ?? requiredEnv(ENV.eventsTable);
    this.transactions = options.transactions ?? 'native';
  }

  async append(streamId: string, expectedVersion: number, events: readonly NewEvent[]): Promise<StoredEvent[]> {
    assertStreamId(streamId);
    assertCount('expectedVersion', expectedVersion, 0);
    if (events.length > MAX_EVENTS_PER_APPEND) {
      throw new PortError(`stream ${streamId}: at most ${MAX_EVENTS_PER_APPEND} events can be appended atomically on DynamoDB, got ${events.length}`);
    }
    const last = await readLastEvent(this.client, this.tableName, streamId);
    const actual = last?.version ?? 0;
    if (actual !== expectedVersion) throw new ConcurrencyError(streamId, expectedVersion, actual);
    if (events.length === 0) return [];

    const stored = chainEvents(streamId, last, events);
    try {
      await this.write(streamId, expectedVersion, stored);
    } catch (err) {
      if (err instanceof AppendWriteError && err.failure === 'events-conflict') {
        const now = await readLastEvent(this.client, this.tableName, streamId).then((e) => e?.version ?? 0, () => undefined);
        throw new ConcurrencyError(streamId, expectedVersion, now, { cause: err.cause });
      }
      throw translateAwsError(err, `DynamoDB append to ${streamId}`);
    }
    return stored;
  }

  private async write(streamId: string, expectedVersion: number, stored: StoredEvent[]): Promise<void> {
    if (this.transactions === 'emulated-sequential') await writeEventsSequentially(this.client, this.tableName, stored);
    let lastError: unknown;
    for (let attempt = 0; attempt < LOG_SEQ_ATTEMPTS; attempt += 1) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.random() * 10 * Math.min(attempt, 5)));
      const seq = (await readLogHead(this.client, this.tableName)) + 1;
      const entry: LogEntry = { seq, streamId, from: expectedVersion + 1, count: stored.length };
      try {
        if (this.transactions === 'native') await writeNative(this.client, this.tableName, entry, stored);
        else await writeLogEntry(this.client, this.tableName, entry);
        return;
      } catch (err) {
        if (!(err instanceof AppendWriteError && err.failure === 'log-seq-taken')) throw err;
        lastError = err.cause;
      }
    }
    throw new UnavailableError(`stream ${streamId}: no free event log seq after ${LOG_SEQ_ATTEMPTS} attempts (heavy concurrent appends)`, { cause: lastError });
  }

  async readStream(streamId: string, afterVersion = 0, limit?: number): Promise<StoredEvent[]> {
    assertStreamId(streamId);
    assertCount('afterVersion', afterVersion, 0);
    if (limit !== undefined) assertCount('limit', limit, 1);
    return readStreamEvents(this.client, this.tableName, streamId, afterVersion, limit);
  }

  async readLast(streamId: string): Promise<StoredEvent | undefined> {
    assertStreamId(streamId);
    return readLastEvent(this.client, this.tableName, streamId);
  }

  async readAll(after?: string, limit = DEFAULT_READ_ALL_LIMIT): Promise<{ events: PositionedEvent[]; next: string | undefined }> {
    assertCount('limit', limit, 1);
    const from = after === undefined ? LOG_START : decodePosition(after);
    // Entries with seq ≥ from.seq; the first may be partly read already (from.offset events).
    const entries = await readLogEntries(this.client, this.tableName, Math.max(from.seq, 1), limit + 1);
    const wanted: { streamId: string; version: number; seq: number; offset: number }[] = [];
    for (const entry of entries) {
      const skip = entry.seq === from.seq ? from.offset : 0;
      for (let i = skip; i < entry.count && wanted.length < limit; i += 1) {
        wanted.push({ streamId: entry.streamId, version: entry.from + i, seq: entry.seq, offset: i + 1 });
      }
      if (wanted.length >= limit) break;
    }
    const stored = await getEvents(this.client, this.tableName, wanted);
    const events = stored.map((e, i): PositionedEvent => {
      const w = wanted[i]!;
      return { ...e, position: encodePosition({ seq: w.seq, offset: w.offset }) };
    });
    const next = events.length > 0 ? events[events.length - 1]!.position : after;
    return { events, next };
  }
}
