/**
 * EventStore that counts (request-counter.ts). The DynamoDB units of each call are those of
 * DynamoDbEventStore (adapters/aws/dynamodb-event-store.ts), whose reads are all strongly
 * consistent:
 * - append of n ≥ 1 events: a Query for the stream's last event (1 read unit) and one for the
 *   `$log` head (1), then one TransactWriteItems of the log entry and the n event items:
 *   2 × (units of the entry + Σ units of each event item) write units;
 *   of 0 events, or refused (ConcurrencyError) or failed: the first Query only (a transaction
 *   cancelled by a concurrent append is not counted);
 * - readStream: one Query, its items summed: read units of the total (≥ 1);
 * - readAll: a Query of the `$log` entries (one per run of one stream's events) and a
 *   BatchGetItem of the events, each item its own read units;
 * - lastAssignedPosition: one Query (1).
 * Item sizes are those of the AWS item format (dynamodb-event-item.ts, dynamodb-event-log.ts).
 */
import { storedEventToItem } from '../aws/dynamodb-event-item.js';
import { logEntryToItem } from '../aws/dynamodb-event-log.js';
import type { StoredEvent } from '../../events/envelope.js';
import type { EventStore } from '../../ports/event-store.js';
import { itemBytes, readUnits, TRANSACTION_FACTOR, writeUnits } from './dynamodb-units.js';
import { countCall, type CallFacts, type Outcome, type RequestCounter } from './request-counter.js';

export const EVENTS = 'events';
/** A seq of seven digits: the log entry's size for any log of fewer than ten million appends. */
const TYPICAL_SEQ = 1_000_000;

const eventBytes = (e: StoredEvent): number => itemBytes(storedEventToItem(e));
const logEntryBytes = (streamId: string, from: number, count: number): number =>
  itemBytes(logEntryToItem({ seq: TYPICAL_SEQ, streamId, from, count }));

function appendFacts(o: Outcome<StoredEvent[]>): CallFacts {
  if (!o.ok || o.value.length === 0) return { units: { dynamoRead: 1 } };
  const events = o.value;
  const sizes = events.map(eventBytes);
  const first = events[0]!;
  const entry = writeUnits(logEntryBytes(first.streamId, first.version, events.length));
  const write = TRANSACTION_FACTOR * (entry + sizes.reduce((n, b) => n + writeUnits(b), 0));
  return { bytesIn: sizes.reduce((n, b) => n + b, 0), items: events.length, units: { dynamoRead: 2, dynamoWrite: write } };
}

function readAllFacts(events: readonly StoredEvent[]): CallFacts {
  const sizes = events.map(eventBytes);
  let entries = 0;
  let logBytes = 0;
  events.forEach((e, i) => {
    if (i > 0 && events[i - 1]!.streamId === e.streamId && events[i - 1]!.version + 1 === e.version) return;
    entries += 1;
    logBytes += logEntryBytes(e.streamId, e.version, 1);
  });
  const read = (entries === 0 ? 1 : readUnits(logBytes)) + sizes.reduce((n, b) => n + readUnits(b), 0);
  return { bytesOut: sizes.reduce((n, b) => n + b, 0), items: events.length, units: { dynamoRead: read } };
}

export function countingEventStore(inner: EventStore, counter: RequestCounter): EventStore {
  const count = <T>(method: string, call: () => Promise<T>, facts: (o: Outcome<T>) => CallFacts) => countCall(counter, EVENTS, method, call, facts);
  const store: EventStore = {
    capabilities: inner.capabilities,
    append: (streamId, expectedVersion, events) => count('append', () => inner.append(streamId, expectedVersion, events), appendFacts),
    readStream: (streamId, afterVersion, limit) => count('readStream', () => inner.readStream(streamId, afterVersion, limit), (o) => {
      if (!o.ok) return { units: { dynamoRead: 1 } };
      const bytes = o.value.reduce((n, e) => n + eventBytes(e), 0);
      return { bytesOut: bytes, items: o.value.length, units: { dynamoRead: readUnits(bytes) } };
    }),
    readLast: (streamId) => count('readLast', () => inner.readLast(streamId), (o) => {
      const bytes = o.ok && o.value ? eventBytes(o.value) : 0;
      return { bytesOut: bytes, items: o.ok && o.value ? 1 : 0, units: { dynamoRead: Math.max(1, readUnits(bytes)) } };
    }),
    readAll: (after, limit) => count('readAll', () => inner.readAll(after, limit), (o) => (o.ok ? readAllFacts(o.value.events) : { units: { dynamoRead: 1 } })),
  };
  if (inner.lastAssignedPosition) {
    const last = inner.lastAssignedPosition.bind(inner);
    store.lastAssignedPosition = () => count('lastAssignedPosition', last, () => ({ units: { dynamoRead: 1 } }));
  }
  if (inner.close) store.close = inner.close.bind(inner);
  return store;
}
