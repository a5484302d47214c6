/**
 * Reads a tenant's chunks back out of their packs (restore, failback, commit's manifest
 * checks). The last few packs read stay in memory, per BlobStore, so a sequential restore
 * reads each pack once rather than once per chunk.
 *
 * Every chunk read is verified: its bytes must hash to its id before anyone gets them. A
 * mismatch is read once more from the store (the cached copy may be the bad one); if the stored
 * copy is bad too, the corruption is recorded (`ChunkCorruptionDetected`, once per chunk and
 * pack), the chunk's index record is removed so `missing` reports it and the next upload stores
 * it again, and the read fails with DomainError reason 'stored-chunk-corrupt' (a 5xx).
 */
import type { BlobStore } from '../../ports/blob-store.js';
import { NotFoundError } from '../../ports/errors.js';
import { DomainError } from '../../domain/errors.js';
import { chunkId as hashChunk } from '../../format/index.js';
import type { AppDeps } from '../deps.js';
import { chunkIntegrityHandler } from '../handlers.js';
import { chunkKey, decodeChunkRecord, packKey, type ChunkRecord } from './storage.js';

export const PACK_CACHE_ENTRIES = 8;

const caches = new WeakMap<BlobStore, Map<string, Promise<Buffer>>>();

function cacheOf(blobs: BlobStore): Map<string, Promise<Buffer>> {
  let c = caches.get(blobs);
  if (!c) caches.set(blobs, (c = new Map()));
  return c;
}

/** A pack's bytes, from the LRU or the store. Packs are immutable, so a cached copy never goes stale (a corrupt one is evicted). */
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

/** Drops a pack from the LRU (its copy failed verification, or its stored object was replaced). */
export function evictPack(blobs: BlobStore, tenantId: string, packId: string): void {
  cacheOf(blobs).delete(packKey(tenantId, packId));
}

export type ChunkReaderDeps = Pick<AppDeps, 'blobs' | 'events' | 'clock'>;

/** The chunk's bytes in `pack`, or undefined when the record points past the pack's end. */
const sliceOf = (pack: Buffer, r: ChunkRecord): Buffer | undefined =>
  (r.offset + r.length > pack.length ? undefined : pack.subarray(r.offset, r.offset + r.length));

/**
 * The chunk's stored bytes, verified against its id (a view into the cached pack: do not
 * mutate). DomainError not-found if absent; reason 'stored-chunk-corrupt' if its stored bytes do not
 * hash to its id (recorded as `ChunkCorruptionDetected` by `actor`, and the chunk is missing from then on).
 */
export async function readChunk(deps: ChunkReaderDeps, tenantId: string, chunkId: string, actor: string): Promise<Buffer> {
  const record = await findChunk(deps.blobs, tenantId, chunkId);
  if (!record) throw new DomainError('not-found', `chunk ${chunkId} is not stored`);
  const cached = sliceOf(await readPack(deps.blobs, tenantId, record.pack), record);
  if (cached && hashChunk(cached) === chunkId) return cached;
  evictPack(deps.blobs, tenantId, record.pack);
  const stored = await readPack(deps.blobs, tenantId, record.pack);
  const bytes = sliceOf(stored, record);
  const actualSha256 = hashChunk(bytes ?? stored.subarray(record.offset));
  if (bytes && actualSha256 === chunkId) return bytes;
  evictPack(deps.blobs, tenantId, record.pack);
  await recordCorruption(deps, tenantId, chunkId, record, actualSha256, actor);
  throw new DomainError('not-found', `chunk ${chunkId} is stored corrupt in pack ${record.pack} (its bytes hash to ${actualSha256}); `
    + 'nothing was served, and it counts as missing until it is uploaded again', { reason: 'stored-chunk-corrupt', details: { chunk: chunkId, pack: record.pack } });
}

/**
 * The event first, then the index record goes: a failed append leaves the record, so the next
 * read tries again. The record is removed only while it still points at the corrupt copy (a
 * re-upload may have indexed a new one meanwhile); a race in between leaves the chunk missing,
 * and the next replication sends it again: nothing corrupt is ever served.
 */
async function recordCorruption(
  deps: ChunkReaderDeps, tenantId: string, chunkId: string, r: ChunkRecord, actualSha256: string, actor: string,
): Promise<void> {
  await chunkIntegrityHandler(deps, { tenantId, chunkId }, {
    type: 'RecordChunkCorruption', data: { tenantId, chunk: chunkId, pack: r.pack, offset: r.offset, length: r.length, actualSha256 },
  }, actor);
  const now = await findChunk(deps.blobs, tenantId, chunkId);
  if (now && now.pack === r.pack && now.offset === r.offset) await deps.blobs.delete(chunkKey(tenantId, chunkId));
}
