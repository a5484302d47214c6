/**
 * ReadModels: projection storage (pending requests, tenants, machines, RP lists, usage).
 * Rebuildable from the event log at any time; never the source of truth.
 *
 * Guarantees (readModelsContract):
 * - put() replaces the whole document of (collection, id); get() returns the last one put.
 * - list(collection) returns every document of the collection, ordered by id; with
 *   `prefix`, those whose id starts with it.
 * - Checkpoints: putCheckpoint/getCheckpoint keep a projector's readAll cursor.
 * - clear() removes every document and checkpoint (rebuild-projections).
 * - Documents are plain JSON.
 */
export interface ReadModels {
  get<T>(collection: string, id: string): Promise<T | undefined>;
  put<T>(collection: string, id: string, doc: T): Promise<void>;
  delete(collection: string, id: string): Promise<void>;
  list<T>(collection: string, options?: { prefix?: string }): Promise<T[]>;
  getCheckpoint(name: string): Promise<string | undefined>;
  putCheckpoint(name: string, cursor: string): Promise<void>;
  clear(): Promise<void>;
  close?(): Promise<void>;
}
