/**
 * Reads a tenant's chunks back out of their packs (restore, failback, commit's manifest
 * checks). The last few packs read stay in memory, per BlobStore, so a sequential restore
 * reads each pack once rather than once per chunk.
 */
import type { BlobStore } from '../../ports/blob-store.js';
import { NotFoundError } from '../../ports/errors.js';
import { DomainError } from '../../domain/errors.js';
import { chunkKey, decodeChunkRecord, packKey, type ChunkRecord } from './storage.js';

export const PACK_CACHE_ENTRIES = 8;

const caches = new WeakMap<BlobStore, Map<string, Promise<Buffer>>>();

function cacheOf(blobs: BlobStore): Map<string, Promise<Buffer>> {
  let c = caches.get(blobs);
  if (!c) caches.set(blobs, (c = new Map()));
  return c;
}

/** A pack's bytes, from the LRU or the store. Packs are immutable, so a cached copy never goes stale. */
export function readPack(blobs: BlobStore, tenantId: string, packId: string): Promise<Buffer> {
  const cache = cacheOf(blobs);
  const key = packKey(tenantId, packId);
  let hit = cache.get(key);
  if (hit) {
    cache.delete(key);
  } else {
    hit = blobs.get(key);
    hit.catch(() => cache.delete(key));
  }
  cache.set(key, hit);
  for (const oldest of cache.keys()) {
    if (cache.size <= PACK_CACHE_ENTRIES) break;
    cache.delete(oldest);
  }
  return hit;
}

/** The chunk's record, or undefined when this tenant does not store it. */
export async function findChunk(blobs: BlobStore, tenantId: string, chunkId: string): Promise<ChunkRecord | undefined> {
  const key = chunkKey(tenantId, chunkId);
  try {
    return decodeChunkRecord(await blobs.get(key), key);
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

/** The chunk's stored bytes (a view into the cached pack: do not mutate). DomainError not-found if absent. */
export async function readChunk(blobs: BlobStore, tenantId: string, chunkId: string): Promise<Buffer> {
  const record = await findChunk(blobs, tenantId, chunkId);
  if (!record) throw new DomainError('not-found', `chunk ${chunkId} is not stored`);
  const pack = await readPack(blobs, tenantId, record.pack);
  if (record.offset + record.length > pack.length) throw new Error(`chunk record of ${chunkId} points past the end of pack ${record.pack}`);
  return pack.subarray(record.offset, record.offset + record.length);
}
