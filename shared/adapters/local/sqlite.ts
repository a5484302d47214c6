/**
 * node:sqlite plumbing shared by the local adapters: one way to open a database
 * (WAL, synchronous=FULL, busy timeout, 0600 file) and one way to run a transaction.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLOutputValue } from 'node:sqlite';
import { UnavailableError } from '../../ports/errors.js';

export const BUSY_TIMEOUT_MS = 5000;

/** Opens (creating if needed) a SQLite database file for durable, multi-process use. */
export function openSqlite(file: string): DatabaseSync {
  if (file !== ':memory:') {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // Create the file 0600 first: SQLite gives its -wal and -shm files the same mode.
    closeSync(openSync(file, 'a', 0o600));
  }
  const db = new DatabaseSync(file, { timeout: BUSY_TIMEOUT_MS });
  db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = FULL');
  return db;
}

/**
 * Runs fn inside BEGIN IMMEDIATE … COMMIT (the write lock is taken up front, so a
 * read-then-write cannot lose a race to another connection), rolling back on error.
 */
export function transaction<T>(db: DatabaseSync, fn: () => T): T {
  try {
    db.exec('BEGIN IMMEDIATE');
  } catch (err) {
    throw translateBusy(err);
  }
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (err) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw translateBusy(err);
  }
}

/** The SQLite (extended) result code of an error thrown by node:sqlite, if any. */
export function sqliteErrcode(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null || !('errcode' in err)) return undefined;
  const code = (err as { errcode: unknown }).errcode;
  return typeof code === 'number' ? code : undefined;
}

const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_CONSTRAINT = 19;

export function isConstraintError(err: unknown): boolean {
  const code = sqliteErrcode(err);
  return code !== undefined && (code & 0xff) === SQLITE_CONSTRAINT;
}

/** SQLITE_BUSY / SQLITE_LOCKED (after the busy timeout) become UnavailableError: retryable. */
export function translateBusy(err: unknown): unknown {
  const code = sqliteErrcode(err);
  if (code !== undefined && ((code & 0xff) === SQLITE_BUSY || (code & 0xff) === SQLITE_LOCKED)) {
    return new UnavailableError('the database is busy', { cause: err });
  }
  return err;
}

/** Typed column readers: node:sqlite rows are Record<string, SQLOutputValue>. */
export type Row = Record<string, SQLOutputValue>;

export function text(row: Row, column: string): string {
  const v = row[column];
  if (typeof v !== 'string') throw new TypeError(`column ${column}: expected text, found ${typeof v}`);
  return v;
}

export function int(row: Row, column: string): number {
  const v = row[column];
  if (typeof v === 'bigint') return Number(v);
  if (typeof v !== 'number') throw new TypeError(`column ${column}: expected integer, found ${typeof v}`);
  return v;
}

export function optionalText(row: Row, column: string): string | undefined {
  const v = row[column];
  return v === null || v === undefined ? undefined : text(row, column);
}
