/**
 * ReadModels on SQLite: one JSON document per (collection, id). Ids order by SQLite's
 * BINARY collation (UTF-8 bytes), as DynamoDB's sort keys do. (A read-models.db of before
 * the OperationalStore also has a `checkpoints` table: SqliteOperationalStore.open moves it.)
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { InvalidIdError } from '../../ids.js';
import type { ReadModels } from '../../ports/read-models.js';
import { openSqlite, text, transaction } from './sqlite.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS documents (
  collection TEXT NOT NULL,
  id         TEXT NOT NULL,
  doc        TEXT NOT NULL,
  PRIMARY KEY (collection, id)
) WITHOUT ROWID;`;

const MAX_KEY_LENGTH = 512;

export class SqliteReadModels implements ReadModels {
  readonly #db: DatabaseSync;
  readonly #get: StatementSync;
  readonly #put: StatementSync;
  readonly #delete: StatementSync;
  readonly #list: StatementSync;

  private constructor(db: DatabaseSync) {
    this.#db = db;
    db.exec(SCHEMA);
    this.#get = db.prepare('SELECT doc FROM documents WHERE collection = ? AND id = ?');
    this.#put = db.prepare(
      'INSERT INTO documents (collection, id, doc) VALUES (?, ?, ?) ON CONFLICT (collection, id) DO UPDATE SET doc = excluded.doc',
    );
    this.#delete = db.prepare('DELETE FROM documents WHERE collection = ? AND id = ?');
    this.#list = db.prepare('SELECT id, doc FROM documents WHERE collection = ? AND id >= ? ORDER BY id');
  }

  static open(file: string): SqliteReadModels {
    return new SqliteReadModels(openSqlite(file));
  }

  async get<T>(collection: string, id: string): Promise<T | undefined> {
    const row = this.#get.get(key('collection', collection), key('id', id));
    return row ? (JSON.parse(text(row, 'doc')) as T) : undefined;
  }

  async put<T>(collection: string, id: string, doc: T): Promise<void> {
    const json = JSON.stringify(doc);
    if (json === undefined) throw new TypeError('a read-model document must be JSON');
    this.#put.run(key('collection', collection), key('id', id), json);
  }

  async delete(collection: string, id: string): Promise<void> {
    this.#delete.run(key('collection', collection), key('id', id));
  }

  async list<T>(collection: string, options?: { prefix?: string }): Promise<T[]> {
    const prefix = options?.prefix ?? '';
    if (typeof prefix !== 'string') throw new InvalidIdError('prefix', prefix);
    const out: T[] = [];
    // Ids that start with the prefix are contiguous from the prefix on, in byte order.
    for (const row of this.#list.iterate(key('collection', collection), prefix)) {
      if (!text(row, 'id').startsWith(prefix)) break;
      out.push(JSON.parse(text(row, 'doc')) as T);
    }
    return out;
  }

  async clear(): Promise<void> {
    transaction(this.#db, () => this.#db.exec('DELETE FROM documents'));
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }
}

/** Collections and ids: non-empty strings of bounded length (values are bound, never spliced). */
function key(kind: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_KEY_LENGTH) throw new InvalidIdError(kind, value);
  return value;
}
