/**
 * OperationalStore on SQLite, in its own database file (operational.db beside
 * read-models.db), so that clearing or deleting the read models cannot touch it. One JSON
 * record per (collection, id), and the checkpoints. Ids order by SQLite's BINARY collation
 * (UTF-8 bytes), as DynamoDB's sort keys do.
 */
import { existsSync } from 'node:fs';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { InvalidIdError } from '../../ids.js';
import { assertPageLimit, type OperationalPage, type OperationalStore } from '../../ports/operational-store.js';
import { openSqlite, text, transaction } from './sqlite.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS records (
  collection TEXT NOT NULL,
  id         TEXT NOT NULL,
  doc        TEXT NOT NULL,
  PRIMARY KEY (collection, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints (
  name   TEXT PRIMARY KEY,
  cursor TEXT NOT NULL
) WITHOUT ROWID;`;

const MAX_KEY_LENGTH = 512;

/**
 * listPage: a range of the primary key (collection = ? AND id > ?), one row more than the page
 * to know whether more follow. Every id is non-empty, so `id > ''` starts at the first.
 */
export const LIST_PAGE_SQL = 'SELECT id, doc FROM records WHERE collection = ? AND id > ? ORDER BY id LIMIT ?';

/** Where the read models kept operational records before they had their own store. */
export interface LegacyReadModels {
  /** The read-models database file. */
  readonly file: string;
  /** Its collections that held operational records. */
  readonly collections: readonly string[];
}

export class SqliteOperationalStore implements OperationalStore {
  readonly #db: DatabaseSync;
  readonly #get: StatementSync;
  readonly #put: StatementSync;
  readonly #delete: StatementSync;
  readonly #list: StatementSync;
  readonly #listPage: StatementSync;
  readonly #getCheckpoint: StatementSync;
  readonly #putCheckpoint: StatementSync;

  private constructor(db: DatabaseSync) {
    this.#db = db;
    db.exec(SCHEMA);
    this.#get = db.prepare('SELECT doc FROM records WHERE collection = ? AND id = ?');
    this.#put = db.prepare('INSERT INTO records (collection, id, doc) VALUES (?, ?, ?) ON CONFLICT (collection, id) DO UPDATE SET doc = excluded.doc');
    this.#delete = db.prepare('DELETE FROM records WHERE collection = ? AND id = ?');
    this.#list = db.prepare('SELECT doc FROM records WHERE collection = ? ORDER BY id');
    this.#listPage = db.prepare(LIST_PAGE_SQL);
    this.#getCheckpoint = db.prepare('SELECT cursor FROM checkpoints WHERE name = ?');
    this.#putCheckpoint = db.prepare('INSERT INTO checkpoints (name, cursor) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET cursor = excluded.cursor');
  }

  /**
   * Opens (creating) the store. With `legacy`, first moves what an older read-models.db held
   * for it (its `checkpoints` table, the given collections) into this store, once: a record
   * already here wins, and the moved ones leave the read models.
   */
  static open(file: string, legacy?: LegacyReadModels): SqliteOperationalStore {
    const store = new SqliteOperationalStore(openSqlite(file));
    if (legacy && existsSync(legacy.file)) store.#adopt(legacy);
    return store;
  }

  async get<T>(collection: string, id: string): Promise<T | undefined> {
    const row = this.#get.get(key('collection', collection), key('id', id));
    return row ? (JSON.parse(text(row, 'doc')) as T) : undefined;
  }

  async put<T>(collection: string, id: string, record: T): Promise<void> {
    const json = JSON.stringify(record);
    if (json === undefined) throw new TypeError('an operational record must be JSON');
    this.#put.run(key('collection', collection), key('id', id), json);
  }

  async delete(collection: string, id: string): Promise<void> {
    this.#delete.run(key('collection', collection), key('id', id));
  }

  async list<T>(collection: string): Promise<T[]> {
    return this.#list.all(key('collection', collection)).map((row) => JSON.parse(text(row, 'doc')) as T);
  }

  async listPage<T>(collection: string, options: { after?: string; limit: number }): Promise<OperationalPage<T>> {
    const c = key('collection', collection);
    const limit = assertPageLimit(options.limit);
    const after = options.after === undefined ? '' : key('id', options.after);
    const rows = this.#listPage.all(c, after, limit + 1);
    const records = rows.slice(0, limit).map((row) => ({ id: text(row, 'id'), record: JSON.parse(text(row, 'doc')) as T }));
    return { records, next: rows.length > limit ? records.at(-1)?.id : undefined };
  }

  async getCheckpoint(name: string): Promise<string | undefined> {
    const row = this.#getCheckpoint.get(key('checkpoint', name));
    return row ? text(row, 'cursor') : undefined;
  }

  async putCheckpoint(name: string, cursor: string): Promise<void> {
    if (typeof cursor !== 'string') throw new TypeError('a checkpoint cursor must be a string');
    this.#putCheckpoint.run(key('checkpoint', name), cursor);
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }

  /** Copies (what is here wins), then deletes from the legacy file: idempotent, so a crash between the two files' commits is undone by the next open. */
  #adopt(legacy: LegacyReadModels): void {
    const db = this.#db;
    db.prepare('ATTACH DATABASE ? AS legacy').run(legacy.file);
    try {
      const tables = new Set(db.prepare("SELECT name FROM legacy.sqlite_master WHERE type = 'table'").all().map((r) => text(r, 'name')));
      const inList = legacy.collections.map(() => '?').join(', ');
      transaction(db, () => {
        if (tables.has('checkpoints')) {
          db.exec('INSERT OR IGNORE INTO checkpoints (name, cursor) SELECT name, cursor FROM legacy.checkpoints');
          db.exec('DELETE FROM legacy.checkpoints');
        }
        if (tables.has('documents') && legacy.collections.length > 0) {
          db.prepare(`INSERT OR IGNORE INTO records (collection, id, doc) SELECT collection, id, doc FROM legacy.documents WHERE collection IN (${inList})`).run(...legacy.collections);
          db.prepare(`DELETE FROM legacy.documents WHERE collection IN (${inList})`).run(...legacy.collections);
        }
      });
    } finally {
      db.exec('DETACH DATABASE legacy');
    }
  }
}

/** Collections, ids and checkpoint names: non-empty strings of bounded length (values are bound, never spliced). */
function key(kind: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_KEY_LENGTH) throw new InvalidIdError(kind, value);
  return value;
}
