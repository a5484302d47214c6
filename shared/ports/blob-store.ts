import { InvalidIdError } from '../ids.js';

/**
 * BlobStore: immutable objects (packs, manifests, notifications). DESIGN §5.
 *
 * Keys: '/'-separated segments, each [A-Za-z0-9._-]{1,128}, never '.' or '..'
 * (assertBlobKey). Adapters reject other keys with InvalidIdError before any I/O.
 *
 * Guarantees every adapter gives (checked by blobStoreContract):
 * - Atomicity: a reader sees either the whole object or no object, never a partial one,
 *   also after a crash during put().
 * - Idempotent create-once: put() of bytes already stored under the key is a no-op
 *   success; put() of different bytes under an existing key throws BlobConflictError and
 *   keeps the original. (Where an emulator cannot enforce it server-side, the suite says so.)
 * - Integrity: when `sha256` is given, the adapter stores the object only if the bytes
 *   match it (and asks the service to check it where the service can).
 * - Durability: once put() resolves, the object survives a crash of the process.
 * - get() of a missing key throws NotFoundError; head() returns undefined; delete() of a
 *   missing key succeeds.
 * - getRange(key, offset, length) returns the bytes [offset, offset + length) of the object,
 *   reading only those (never the whole object). A range running past the end returns the
 *   bytes that exist: fewer than `length`, and an empty Buffer when offset ≥ size. A missing
 *   key throws NotFoundError, except that length 0 returns an empty Buffer without asking the
 *   store anything. offset and length must be non-negative safe integers, else RangeError
 *   before any I/O (assertByteRange).
 * - list(prefix) yields every key starting with prefix, in lexicographic order.
 * - listPage(prefix, { after, limit }) returns, in the same order, at most `limit` (1..1000) of
 *   those keys that are greater than `after` (all, without `after`), each with its size and its
 *   last-modified time (ms since the epoch, the store's clock), reading only that page (one
 *   ListObjectsV2 on S3). `next` is the last key returned when more keys may follow, undefined
 *   when the page ends the listing; passing it back as `after` lists every key once. A GC that
 *   runs in bounded steps pages its listing with it and tells old objects from new ones.
 */
export interface BlobStore {
  put(key: string, bytes: Uint8Array, options?: { sha256?: string; contentType?: string }): Promise<{ created: boolean }>;
  get(key: string): Promise<Buffer>;
  getRange(key: string, offset: number, length: number): Promise<Buffer>;
  head(key: string): Promise<{ size: number } | undefined>;
  list(prefix: string): AsyncIterable<string>;
  listPage(prefix: string, options: { after?: string; limit: number }): Promise<BlobListPage>;
  delete(key: string): Promise<void>;
}

/** An object as a listing shows it. */
export interface BlobListing { readonly key: string; readonly size: number; readonly modifiedMs: number }
export interface BlobListPage { readonly objects: BlobListing[]; readonly next: string | undefined }

export const MAX_LIST_PAGE = 1000;

/** listPage's arguments: a valid prefix, `after` a valid key (or absent), limit an integer 1..MAX_LIST_PAGE. */
export function assertListPage(prefix: unknown, options: { after?: unknown; limit: unknown }): void {
  if (!isValidBlobPrefix(prefix)) throw new InvalidIdError('blob prefix', prefix);
  if (options.after !== undefined && !isValidBlobKey(options.after)) throw new InvalidIdError('blob key', options.after);
  const { limit } = options;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_PAGE) {
    throw new RangeError(`a list page limit must be an integer 1..${MAX_LIST_PAGE}, got ${String(limit)}`);
  }
}

const SEGMENT = /^[A-Za-z0-9._-]{1,128}$/;
export function isValidBlobKey(key: unknown): key is string {
  if (typeof key !== 'string' || key.length === 0 || key.length > 1024) return false;
  return key.split('/').every((s) => SEGMENT.test(s) && s !== '.' && s !== '..');
}
/** A list() prefix: a valid key, optionally ending in '/', or ''. */
export function isValidBlobPrefix(prefix: unknown): prefix is string {
  if (prefix === '') return true;
  if (typeof prefix !== 'string') return false;
  return isValidBlobKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
}

/** getRange's offset and length: non-negative safe integers (RangeError otherwise). */
export function assertByteRange(offset: unknown, length: unknown): void {
  for (const [name, value] of [['offset', offset], ['length', length]] as const) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`blob range ${name} must be a non-negative safe integer, got ${String(value)}`);
    }
  }
}
