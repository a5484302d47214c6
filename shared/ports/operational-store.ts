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
  getCheckpoint(name: string): Promise<string | undefined>;
  putCheckpoint(name: string, cursor: string): Promise<void>;
  close?(): Promise<void>;
}
