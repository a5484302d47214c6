import type { NewEvent, PositionedEvent, StoredEvent } from '../events/envelope.js';

/**
 * EventStore: the source of truth (DESIGN §4).
 *
 * Guarantees every adapter gives (checked by eventStoreContract):
 * - Atomicity: append() stores all of its events or none of them.
 * - Optimistic concurrency: append(stream, expectedVersion, …) succeeds only when the
 *   stream's last version is exactly expectedVersion (0 = the stream does not exist yet);
 *   otherwise it throws ConcurrencyError and stores nothing. Of two concurrent appends
 *   with the same expectedVersion exactly one succeeds.
 * - Ordering: readStream() returns a stream's events in version order, 1..n, gapless.
 * - Hash chain: each stored event carries prevHash/hash (shared/events/chain.ts), computed
 *   at append from the stream's last stored event.
 * - Durability: once append() resolves, the events survive a crash of the process.
 * - readAll(after) returns every event appended after the cursor exactly once, each stream's
 *   events in version order. Whether streams also interleave in global append order is an
 *   adapter capability (`globalOrder`). Both adapters give it: SQLite by its autoincrement
 *   position, DynamoDB by the gapless `$log` index written in each append's transaction
 *   (adapters/aws/dynamodb-event-log.ts). The contract asserts it wherever it is declared.
 */
export interface EventStore {
  readonly capabilities: { readonly globalOrder: boolean };
  append(streamId: string, expectedVersion: number, events: readonly NewEvent[]): Promise<StoredEvent[]>;
  /**
   * Events of one stream with version > afterVersion (default 0), in order; [] for an unknown
   * stream. With `limit` (a positive integer), at most that many: the first ones. A caller that
   * folds a long stream reads it in pages so, its memory bounded by the page.
   */
  readStream(streamId: string, afterVersion?: number, limit?: number): Promise<StoredEvent[]>;
  /** The stream's last event (its highest version), or undefined for an unknown stream: one read, whatever the stream's length. */
  readLast(streamId: string): Promise<StoredEvent | undefined>;
  /** Up to `limit` events after the cursor (undefined = from the start), and the cursor to continue from. */
  readAll(after?: string, limit?: number): Promise<{ events: PositionedEvent[]; next: string | undefined }>;
  /**
   * Optional: the highest global position ever assigned, whether or not its event is still
   * there (local: sqlite_sequence). Lets verify-log notice a truncated tail.
   */
  lastAssignedPosition?(): Promise<string | undefined>;
  close?(): Promise<void>;
}
