/**
 * OperationalStore that counts (request-counter.ts). On AWS it is DynamoDbOperationalStore: the
 * read-model table under `_` collections, strongly consistent reads, so each call costs what the
 * same call of countingReadModels costs (GetItem, PutItem, DeleteItem, Query). listPage is its
 * own kind: a Query (continued past a 1 MB cut), read units of the records returned (≥ 1).
 */
import type { OperationalPage, OperationalStore } from '../../ports/operational-store.js';
import { CHECKPOINT_COLLECTION } from '../aws/table-schemas.js';
import { documentBytes, gotFacts, listFacts, putFacts } from './counting-read-models.js';
import { readUnits } from './dynamodb-units.js';
import { countCall, type CallFacts, type Outcome, type RequestCounter } from './request-counter.js';

export const OPERATIONAL = 'operational';

/** The facts of the Query of one page: the records' item bytes (their ids are known here). */
const pageFacts = (collection: string) => (o: Outcome<OperationalPage<unknown>>): CallFacts => {
  if (!o.ok) return { units: { dynamoRead: 1 } };
  const bytes = o.value.records.reduce((n, r) => n + documentBytes(collection, r.id, r.record), 0);
  return { bytesOut: bytes, items: o.value.records.length, units: { dynamoRead: readUnits(bytes) } };
};

export function countingOperationalStore(inner: OperationalStore, counter: RequestCounter): OperationalStore {
  const count = <T>(method: string, call: () => Promise<T>, facts: (o: Outcome<T>) => CallFacts) => countCall(counter, OPERATIONAL, method, call, facts);
  const store: OperationalStore = {
    get: <T>(collection: string, id: string) => count('get', () => inner.get<T>(collection, id), gotFacts(collection, id)),
    put: <T>(collection: string, id: string, record: T) => count('put', () => inner.put(collection, id, record), putFacts(collection, id, record)),
    delete: (collection, id) => count('delete', () => inner.delete(collection, id), () => ({ units: { dynamoWrite: 1 } })),
    list: <T>(collection: string) => count('list', () => inner.list<T>(collection), listFacts(collection)),
    listPage: <T>(collection: string, options: { after?: string; limit: number }) => count('listPage', () => inner.listPage<T>(collection, options), pageFacts(collection)),
    getCheckpoint: (name) => count('getCheckpoint', () => inner.getCheckpoint(name), gotFacts(CHECKPOINT_COLLECTION, name)),
    putCheckpoint: (name, cursor) => count('putCheckpoint', () => inner.putCheckpoint(name, cursor), putFacts(CHECKPOINT_COLLECTION, name, cursor)),
  };
  if (inner.close) store.close = inner.close.bind(inner);
  return store;
}
