/**
 * OperationalStore: what the core records about its own running — the operator's
 * notifications, the local stream dispatcher's checkpoint, the projector's failures and dead
 * letters. These are not projections: nothing rebuilds them from the event log, so this store
 * is their source of truth, and rebuild-projections (which clears ReadModels) never clears it.
 *
 * Guarantees (operationalStoreContract):
 * - put() replaces the whole record of (collection, id); get() returns the last one put.
 * - delete() removes a record; deleting a missing one succeeds.
 * - list(collection) returns every record of the collection, ordered by id.
 * - listPage(collection, { after, limit }) returns, ordered by id, at most `limit` records of
 *   the collection whose id is greater than `after` (all, without `after`), each with its id,
 *   reading only that page (never the whole collection). `next` is the last id returned when
 *   more records followed it at the time of the read, and undefined when the page ends the
 *   collection (so `after` = the last id gives { records: [], next: undefined }). Passing
 *   `next` back as `after` pages through every record once, in order. limit is an integer
 *   1..1000 (RangeError otherwise, before any I/O); `after` is an id (InvalidIdError).
 * - Checkpoints: putCheckpoint/getCheckpoint keep one opaque cursor per name.
 * - ReadModels.clear() leaves every record and checkpoint (the AWS adapter shares the
 *   read-model table under its own key prefix; the local one has its own database file).
 * - Records are plain JSON; collections, ids and names are non-empty strings of bounded
 *   length (InvalidIdError otherwise).
 */
export interface OperationalStore {
  get<T>(collection: string, id: string): Promise<T | undefined>;
  put<T>(collection: string, id: string, record: T): Promise<void>;
  delete(collection: string, id: string): Promise<void>;
  list<T>(collection: string): Promise<T[]>;
  listPage<T>(collection: string, options: { after?: string; limit: number }): Promise<OperationalPage<T>>;
  getCheckpoint(name: string): Promise<string | undefined>;
  putCheckpoint(name: string, cursor: string): Promise<void>;
  close?(): Promise<void>;
}

/** One page of listPage: the records with their ids, and the `after` of the next page (undefined: none). */
export interface OperationalPage<T> {
  records: { id: string; record: T }[];
  next: string | undefined;
}

export const MAX_PAGE_LIMIT = 1000;

/** listPage's limit: an integer 1..MAX_PAGE_LIMIT (RangeError otherwise). */
export function assertPageLimit(limit: unknown): number {
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw new RangeError(`a page limit must be an integer 1..${MAX_PAGE_LIMIT}, got ${String(limit)}`);
  }
  return limit;
}
