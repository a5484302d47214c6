/**
 * Chunk reads of a committed recovery point (restore, failback): each chunk is found in the
 * index of the RP or of one of its ancestors (shared/format/rp-index.ts: pick the part by its
 * first id, bisect it), then read by range from its pack (chunk-reader.ts). Index parts are
 * immutable, and so is a committed RP except for GC's repack, which writes parts again under a
 * new generation (`RecoveryPointReindexed`) before it deletes the old packs; both stay cached per
 * process, so a restore reads each part once, and a read that finds a part or a pack gone reads
 * the RP's chain again from the log once before it fails.
 */
import { DomainError } from '../../domain/errors.js';
import { indexGeneration, MAX_MISSING_BATCH, type RecoveryPointCommittedData } from '../../domain/recovery-point.js';
import { partFor, RpIndexPart, type ChunkLocation } from '../../format/rp-index.js';
import { assertSha256 } from '../../ids.js';
import type { BlobStore } from '../../ports/blob-store.js';
import type { EventStore } from '../../ports/event-store.js';
import { NotFoundError } from '../../ports/errors.js';
import type { AppDeps } from '../deps.js';
import { recoveryPointHandler } from '../handlers.js';
import { loadTenant, requireMachine } from './access.js';
import { readLocated, type LocatedChunk } from './chunk-reader.js';
import { rpIndexKey } from './storage.js';

/** At most this many ids per read request (the 64 KiB JSON limit), as for `missing`. */
export const MAX_READ_BATCH = MAX_MISSING_BATCH;
/** A read answers chunks until the next would take its body past this (at least one chunk). */
export const READ_BODY_BYTES = 4 * 1024 * 1024;
const PART_CACHE_ENTRIES = 16;

const partCaches = new WeakMap<BlobStore, Map<string, Promise<RpIndexPart>>>();

function indexPart(blobs: BlobStore, key: string): Promise<RpIndexPart> {
  let cache = partCaches.get(blobs);
  if (!cache) partCaches.set(blobs, (cache = new Map()));
  let hit = cache.get(key);
  if (hit) cache.delete(key);
  else {
    hit = blobs.get(key).then((bytes) => RpIndexPart.decode(bytes));
    hit.catch(() => cache.delete(key));
  }
  cache.set(key, hit);
  for (const oldest of cache.keys()) {
    if (cache.size <= PART_CACHE_ENTRIES) break;
    cache.delete(oldest);
  }
  return hit;
}

const layoutOne = (rpId: string) => new DomainError('conflict',
  `recovery point ${rpId} is stored in storage layout 1 (one record per chunk); the service provider runs \`drcore admin migrate-storage\` once to index it`,
  { reason: 'storage-migration-required' });

const committedCaches = new WeakMap<EventStore, Map<string, RecoveryPointCommittedData>>();
const COMMITTED_CACHE_ENTRIES = 1024;

function committedCache(deps: AppDeps): Map<string, RecoveryPointCommittedData> {
  let cache = committedCaches.get(deps.events);
  if (!cache) committedCaches.set(deps.events, (cache = new Map()));
  return cache;
}

/** A committed RP with its index changes only by GC's reindex: kept per process, so a restore's reads do not re-read the chain. */
async function committedRp(deps: AppDeps, tenantId: string, rpId: string): Promise<RecoveryPointCommittedData | undefined> {
  const cache = committedCache(deps);
  const key = `${tenantId}/${rpId}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const { state } = await recoveryPointHandler.load(deps, { tenantId, rpId });
  if (state.status !== 'committed') return undefined;
  if (state.rp.index) {
    cache.set(key, state.rp);
    if (cache.size > COMMITTED_CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
  }
  return state.rp;
}

/** The RP and its ancestors, newest first; 404 unless committed on this machine. */
export async function committedChain(deps: AppDeps, tenantId: string, machineId: string, rpId: string): Promise<RecoveryPointCommittedData[]> {
  const chain: RecoveryPointCommittedData[] = [];
  for (let id: string | undefined = rpId; id !== undefined;) {
    const rp = await committedRp(deps, tenantId, id);
    if (!rp || rp.machineId !== machineId) {
      throw new DomainError('not-found', chain.length === 0 ? `machine ${machineId} has no committed recovery point ${id}` : `parent ${id} of ${rpId} is not committed`);
    }
    if (chain.some((c) => c.rpId === id)) throw new Error(`recovery point ${rpId} has a cyclic parent chain`);
    chain.push(rp);
    id = rp.parentRpId;
  }
  return chain;
}

/** Where `chunk` is in the chain's indexes, or undefined. */
async function locate(deps: AppDeps, tenantId: string, chain: readonly RecoveryPointCommittedData[], chunk: string): Promise<ChunkLocation | undefined> {
  for (const rp of chain) {
    if (!rp.index) throw layoutOne(rp.rpId);
    const n = partFor(rp.index.firstChunks, chunk);
    if (n < 0) continue;
    const found = (await indexPart(deps.blobs, rpIndexKey(tenantId, rp.rpId, n, indexGeneration(rp.index)))).find(chunk);
    if (found) return found;
  }
  return undefined;
}

/**
 * The verified stored bytes of the first chunks of `ids` (in order) that fit READ_BODY_BYTES —
 * at least one; the caller asks again for the rest. 404 when a chunk is not in the RP's chain.
 */
export async function readRecoveryPointChunks(
  deps: AppDeps, tenantId: string, machineId: string, rpId: string, ids: readonly string[], actor: string,
): Promise<Buffer[]> {
  if (ids.length === 0 || ids.length > MAX_READ_BATCH) throw new DomainError('invalid', `ask for 1 to ${MAX_READ_BATCH} chunks at a time`);
  for (const id of ids) assertSha256(id);
  await loadTenant(deps, tenantId);
  await requireMachine(deps, tenantId, machineId);
  try {
    return await readFromChain(deps, tenantId, machineId, rpId, ids, actor);
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
    // An index part or a pack is gone: GC repacked since this process cached the chain. Read it again, once.
    const cache = committedCache(deps);
    for (const key of [...cache.keys()]) if (key.startsWith(`${tenantId}/`)) cache.delete(key);
    return readFromChain(deps, tenantId, machineId, rpId, ids, actor);
  }
}

async function readFromChain(
  deps: AppDeps, tenantId: string, machineId: string, rpId: string, ids: readonly string[], actor: string,
): Promise<Buffer[]> {
  const chain = await committedChain(deps, tenantId, machineId, rpId);
  const wanted: LocatedChunk[] = [];
  let bytes = 0;
  for (const id of ids) {
    const location = await locate(deps, tenantId, chain, id);
    if (!location) throw new DomainError('not-found', `chunk ${id} is not stored for recovery point ${rpId} or its parents`);
    if (wanted.length > 0 && bytes + 4 + location.length > READ_BODY_BYTES) break;
    wanted.push({ id, location });
    bytes += 4 + location.length;
  }
  return readLocated(deps, tenantId, wanted, actor);
}
