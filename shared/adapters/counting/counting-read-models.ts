/**
 * ReadModels that counts (request-counter.ts). The DynamoDB units of each call are those of
 * DynamoDbReadModels (adapters/aws/dynamodb-read-models.ts): an item is
 * {collection, id, doc: JSON}; every read is strongly consistent.
 * - get: GetItem, read units of the item (1 if absent);
 * - put: PutItem, write units of the item;
 * - delete: DeleteItem, 1 write unit (the size of what it deletes is not known here);
 * - list: one Query, read units of the returned items summed (≥ 1);
 * - clear: a Scan and batch deletes of unknown size: counted as a call with 1 read unit.
 */
import type { ReadModels } from '../../ports/read-models.js';
import { itemBytes, readUnits, writeUnits } from './dynamodb-units.js';
import { countCall, type CallFacts, type Outcome, type RequestCounter } from './request-counter.js';

export const READ_MODELS = 'readModels';

/** The bytes of the read-model item holding `doc` (undefined: an absent item). */
export function documentBytes(collection: string, id: string, doc: unknown): number {
  const json = doc === undefined ? undefined : JSON.stringify(doc);
  return itemBytes({ collection: { S: collection }, id: { S: id }, ...(json === undefined ? {} : { doc: { S: json } }) });
}

/** The facts of a GetItem of (collection, id) that returned `value`. */
export const gotFacts = (collection: string, id: string) => (o: Outcome<unknown>): CallFacts => {
  const bytes = o.ok && o.value !== undefined ? documentBytes(collection, id, o.value) : 0;
  return { bytesOut: bytes, items: bytes ? 1 : 0, units: { dynamoRead: readUnits(bytes) } };
};
/** The facts of a PutItem of `doc` at (collection, id). */
export const putFacts = (collection: string, id: string, doc: unknown) => (): CallFacts => {
  const bytes = documentBytes(collection, id, doc);
  return { bytesIn: bytes, items: 1, units: { dynamoWrite: writeUnits(bytes) } };
};
/** The facts of a Query that returned `docs` (ids are not in the documents: 40 bytes each). */
export const listFacts = (collection: string) => (o: Outcome<unknown[]>): CallFacts => {
  if (!o.ok) return { units: { dynamoRead: 1 } };
  const bytes = o.value.reduce<number>((n, doc) => n + documentBytes(collection, 'x'.repeat(40), doc), 0);
  return { bytesOut: bytes, items: o.value.length, units: { dynamoRead: readUnits(bytes) } };
};

export function countingReadModels(inner: ReadModels, counter: RequestCounter): ReadModels {
  const count = <T>(method: string, call: () => Promise<T>, facts: (o: Outcome<T>) => CallFacts) => countCall(counter, READ_MODELS, method, call, facts);
  const models: ReadModels = {
    get: <T>(collection: string, id: string) => count('get', () => inner.get<T>(collection, id), gotFacts(collection, id)),
    put: <T>(collection: string, id: string, doc: T) => count('put', () => inner.put(collection, id, doc), putFacts(collection, id, doc)),
    delete: (collection, id) => count('delete', () => inner.delete(collection, id), () => ({ units: { dynamoWrite: 1 } })),
    list: <T>(collection: string, options?: { prefix?: string }) => count('list', () => inner.list<T>(collection, options), listFacts(collection)),
    clear: () => count('clear', () => inner.clear(), () => ({ units: { dynamoRead: 1 } })),
  };
  if (inner.close) models.close = inner.close.bind(inner);
  return models;
}
