/**
 * BlobStore that counts (request-counter.ts). The S3 requests of each call are those of
 * S3BlobStore (adapters/aws/s3-blob-store.ts):
 * - put: HeadObject first; absent → PutObject (PUT class); present → GetObject to compare
 *   (created: false, or BlobConflictError), no PUT;
 * - get: GetObject; head: HeadObject (both GET class);
 * - getRange (its own kind, bytes out the range's): one ranged GetObject (GET class); none
 *   for length 0 or for arguments refused before any request (RangeError, InvalidIdError);
 * - list: one ListObjectsV2 (PUT class) per 1000 keys, at least one; listPage: one ListObjectsV2;
 * - delete: DeleteObject (free).
 */
import { InvalidIdError } from '../../ids.js';
import type { BlobStore } from '../../ports/blob-store.js';
import { BlobConflictError } from '../../ports/errors.js';
import { countCall, type CallFacts, type Outcome, type RequestCounter } from './request-counter.js';

export const BLOBS = 'blobs';
const LIST_PAGE = 1000;

export function countingBlobStore(inner: BlobStore, counter: RequestCounter): BlobStore {
  const count = <T>(method: string, call: () => Promise<T>, facts: (o: Outcome<T>) => CallFacts) => countCall(counter, BLOBS, method, call, facts);
  return {
    put: (key, bytes, options) => count('put', () => inner.put(key, bytes, options), (o) => {
      const compared = o.ok ? !o.value.created : o.error instanceof BlobConflictError;
      return { bytesIn: bytes.byteLength, units: compared ? { s3Get: 2 } : { s3Get: 1, s3Put: 1 } };
    }),
    get: (key) => count('get', () => inner.get(key), (o) => ({ bytesOut: o.ok ? o.value.length : 0, units: { s3Get: 1 } })),
    getRange: (key, offset, length) => count('getRange', () => inner.getRange(key, offset, length), (o) => {
      const sent = length !== 0 && (o.ok || !(o.error instanceof RangeError || o.error instanceof InvalidIdError));
      return { bytesOut: o.ok ? o.value.length : 0, units: sent ? { s3Get: 1 } : {} };
    }),
    head: (key) => count('head', () => inner.head(key), () => ({ units: { s3Get: 1 } })),
    delete: (key) => count('delete', () => inner.delete(key), () => ({})),
    listPage: (prefix, options) => count('listPage', () => inner.listPage(prefix, options), (o) => ({ items: o.ok ? o.value.objects.length : 0, units: { s3Put: 1 } })),
    list: (prefix) => (async function* listed() {
      let keys = 0;
      let failed = false;
      try {
        for await (const key of inner.list(prefix)) {
          keys += 1;
          yield key;
        }
      } catch (err) {
        failed = true;
        throw err;
      } finally {
        counter.call(BLOBS, 'list', failed, { items: keys, units: { s3Put: Math.max(1, Math.ceil(keys / LIST_PAGE)) } });
      }
    })(),
  };
}
