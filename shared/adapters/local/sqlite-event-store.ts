/**
 * EventStore on SQLite (DESIGN §2, §4): one `events` table; the AUTOINCREMENT
 * position is the global order and the readAll cursor; UNIQUE(stream_id, version)
 * is the last line of defence of optimistic concurrency.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { NewEvent, PositionedEvent, StoredEvent } from '../../events/envelope.js';
import { chainEvents } from '../../events/chain.js';
import { assertStreamId, InvalidIdError } from '../../ids.js';
import type { EventStore } from '../../ports/event-store.js';
import { ConcurrencyError } from '../../ports/errors.js';
import { int, isConstraintError, openSqlite, text, transaction, type Row } from './sqlite.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position  INTEGER PRIMARY KEY AUTOINCREMENT,
  stream_id TEXT    NOT NULL,
  version   INTEGER NOT NULL,
  type      TEXT    NOT NULL,
  data      TEXT    NOT NULL,
  at        TEXT    NOT NULL,
  actor     TEXT    NOT NULL,
  prev_hash TEXT    NOT NULL,
  hash      TEXT    NOT NULL,
  UNIQUE (stream_id, version)
)`;

const DEFAULT_LIMIT = 500;
const MAX_LIMIT = 10_000;
const CURSOR = /^\d{1,16}$/;

export class SqliteEventStore implements EventStore {
  readonly capabilities = { globalOrder: true } as const;
  readonly #db: DatabaseSync;
  readonly #last: StatementSync;
  readonly #insert: StatementSync;
  readonly #stream: StatementSync;
  readonly #lastEvent: StatementSync;
  readonly #streamPage: StatementSync;
  readonly #all: StatementSync;

  private constructor(db: DatabaseSync) {
    this.#db = db;
    db.exec(SCHEMA);
    this.#last = db.prepare('SELECT version, hash FROM events WHERE stream_id = ? ORDER BY version DESC LIMIT 1');
    this.#insert = db.prepare(
      'INSERT INTO events (stream_id, version, type, data, at, actor, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.#stream = db.prepare('SELECT * FROM events WHERE stream_id = ? AND version > ? ORDER BY version');
    this.#lastEvent = db.prepare('SELECT * FROM events WHERE stream_id = ? ORDER BY version DESC LIMIT 1');
    this.#streamPage = db.prepare('SELECT * FROM events WHERE stream_id = ? AND version > ? ORDER BY version LIMIT ?');
    this.#all = db.prepare('SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?');
  }

  static open(file: string): SqliteEventStore {
    return new SqliteEventStore(openSqlite(file));
  }

  async append(streamId: string, expectedVersion: number, events: readonly NewEvent[]): Promise<StoredEvent[]> {
    assertStreamId(streamId);
    if (!Number.isSafeInteger(expectedVersion) || expectedVersion < 0) {
      throw new RangeError(`expectedVersion must be a non-negative integer, got ${String(expectedVersion)}`);
    }
    const normalized = events.map(normalizeEvent);
    try {
      return transaction(this.#db, () => {
        const lastRow = this.#last.get(streamId);
        const last = lastRow ? { version: int(lastRow, 'version'), hash: text(lastRow, 'hash') } : undefined;
        const actual = last?.version ?? 0;
        if (actual !== expectedVersion) throw new ConcurrencyError(streamId, expectedVersion, actual);
        const stored = chainEvents(streamId, last, normalized);
        for (const e of stored) {
          this.#insert.run(e.streamId, e.version, e.type, JSON.stringify(e.data), e.at, e.actor, e.prevHash, e.hash);
        }
        return stored;
      });
    } catch (err) {
      if (isConstraintError(err)) throw new ConcurrencyError(streamId, expectedVersion, undefined, { cause: err });
      throw err;
    }
  }

  async readStream(streamId: string, afterVersion = 0, limit?: number): Promise<StoredEvent[]> {
    assertStreamId(streamId);
    if (!Number.isSafeInteger(afterVersion) || afterVersion < 0) {
      throw new RangeError(`afterVersion must be a non-negative integer, got ${String(afterVersion)}`);
    }
    if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1)) throw new RangeError(`limit must be a positive integer, got ${String(limit)}`);
    return (limit === undefined ? this.#stream.all(streamId, afterVersion) : this.#streamPage.all(streamId, afterVersion, limit)).map(toStored);
  }

  async readLast(streamId: string): Promise<StoredEvent | undefined> {
    assertStreamId(streamId);
    const row = this.#lastEvent.get(streamId) as Row | undefined;
    return row === undefined ? undefined : toStored(row);
  }

  async readAll(after?: string, limit = DEFAULT_LIMIT): Promise<{ events: PositionedEvent[]; next: string | undefined }> {
    if (after !== undefined && !CURSOR.test(after)) throw new InvalidIdError('cursor', after);
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${String(limit)}`);
    const rows = this.#all.all(after === undefined ? 0 : Number(after), Math.min(limit, MAX_LIMIT));
    const events = rows.map((row): PositionedEvent => ({ ...toStored(row), position: String(int(row, 'position')) }));
    // At the end of the log the cursor stays where it was, so a projector can keep polling from it.
    return { events, next: events.at(-1)?.position ?? after };
  }

  async lastAssignedPosition(): Promise<string | undefined> {
    const row = this.#db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'").get() as { seq?: number } | undefined;
    return row?.seq === undefined ? undefined : String(row.seq);
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }
}

/**
 * Events are stored as JSON, so chain what JSON gives back: the hash computed at append
 * then matches the event as read (a Date, an undefined or a NaN would not round-trip).
 */
function normalizeEvent(e: NewEvent): NewEvent {
  if (typeof e.type !== 'string' || e.type.length === 0) throw new TypeError('event type must be a non-empty string');
  if (typeof e.at !== 'string' || typeof e.actor !== 'string') throw new TypeError('event at and actor must be strings');
  const json = JSON.stringify(e.data ?? null);
  return { type: e.type, data: JSON.parse(json) as unknown, at: e.at, actor: e.actor };
}

function toStored(row: Row): StoredEvent {
  return {
    streamId: text(row, 'stream_id'),
    version: int(row, 'version'),
    type: text(row, 'type'),
    data: JSON.parse(text(row, 'data')) as unknown,
    at: text(row, 'at'),
    actor: text(row, 'actor'),
    prevHash: text(row, 'prev_hash'),
    hash: text(row, 'hash'),
  };
}
