/**
 * ReadModels: projection storage (pending requests, tenants, machines, RP lists, usage), and
 * nothing else. Rebuildable from the event log at any time; never the source of truth (what
 * is — notifications, checkpoints, projection dead letters — is in the OperationalStore).
 *
 * Guarantees (readModelsContract):
 * - put() replaces the whole document of (collection, id); get() returns the last one put.
 * - list(collection) returns every document of the collection, ordered by id; with
 *   `prefix`, those whose id starts with it.
 * - clear() removes every document (rebuild-projections), and nothing of the OperationalStore.
 * - Documents are plain JSON.
 */
export interface ReadModels {
  get<T>(collection: string, id: string): Promise<T | undefined>;
  put<T>(collection: string, id: string, doc: T): Promise<void>;
  delete(collection: string, id: string): Promise<void>;
  list<T>(collection: string, options?: { prefix?: string }): Promise<T[]>;
  clear(): Promise<void>;
  close?(): Promise<void>;
}
