/**
 * Chunk reads of a committed recovery point (restore, failback): each chunk is found in the
 * index of the RP or of one of its ancestors (shared/format/rp-index.ts: pick the part by its
 * first id, bisect it), then read by range from its pack (chunk-reader.ts). Index parts are
 * immutable and stay cached per process: a restore reads each part once. Committed RPs change
 * only through their lifecycle (roll-up, purge: docs/lifecycle.md) and GC's repack, which writes
 * an RP's index again as a new generation (`RecoveryPointReindexed`) before it deletes the old
 * packs; RPs are cached for a minute, and a read that finds a part or a pack gone reads the RP's
 * chain again from the log once before it fails.
 */
import { DomainError } from '../../domain/errors.js';
import { MAX_MISSING_BATCH, type RecoveryPointCommittedData, type RpIndexRef } from '../../domain/recovery-point.js';
import type { RecoveryPointLife } from '../../domain/recovery-point-lifecycle.js';
import { partFor, RpIndexPart, type ChunkLocation } from '../../format/rp-index.js';
import { assertSha256 } from '../../ids.js';
import type { BlobStore } from '../../ports/blob-store.js';
import type { EventStore } from '../../ports/event-store.js';
import { NotFoundError } from '../../ports/errors.js';
import type { AppDeps } from '../deps.js';
import { recoveryPointHandler } from '../handlers.js';
import { loadTenant, requireMachine } from './access.js';
import { readLocated, type LocatedChunk } from './chunk-reader.js';
import { meterEgress } from './egress-meter.js';
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

interface CachedRp { readonly rp: RecoveryPointCommittedData; readonly life: RecoveryPointLife | undefined; readonly at: number }
const committedCaches = new WeakMap<EventStore, Map<string, CachedRp>>();
const COMMITTED_CACHE_ENTRIES = 1024;
/**
 * How long a process trusts what it read of an RP. A committed RP changes after its commit only
 * through its lifecycle (docs/lifecycle.md): a roll-up (the superseded manifest and index keep
 * answering, below, so a stale view reads right) or a purge, which GC acts on only after its own
 * grace period, far longer than this; and by GC's reindex, after which a read that finds the old
 * part or pack gone reads the chain again (readRecoveryPointChunks).
 */
export const COMMITTED_CACHE_MS = 60_000;

/** A committed, unpurged RP, kept per process for COMMITTED_CACHE_MS (by the deps clock), so a restore's reads do not re-read the chain. */
async function committedRp(deps: AppDeps, tenantId: string, rpId: string, fresh = false): Promise<CachedRp | undefined> {
  let cache = committedCaches.get(deps.events);
  if (!cache) committedCaches.set(deps.events, (cache = new Map()));
  const key = `${tenantId}/${rpId}`;
  const now = deps.clock().getTime();
  const hit = cache.get(key);
  if (hit && !fresh && now - hit.at < COMMITTED_CACHE_MS) return hit;
  cache.delete(key);
  const { state } = await recoveryPointHandler.load(deps, { tenantId, rpId });
  if (state.status !== 'committed' || state.life?.purgedAt) return undefined;
  const got = { rp: state.rp, life: state.life, at: now };
  if (state.rp.index) {
    cache.set(key, got);
    if (cache.size > COMMITTED_CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
  }
  return got;
}

async function chainOf(deps: AppDeps, tenantId: string, machineId: string, rpId: string, fresh: boolean): Promise<CachedRp[]> {
  const chain: CachedRp[] = [];
  for (let id: string | undefined = rpId; id !== undefined;) {
    const link = await committedRp(deps, tenantId, id, fresh);
    if (!link || link.rp.machineId !== machineId) {
      throw new DomainError('not-found', chain.length === 0 ? `machine ${machineId} has no committed recovery point ${id}` : `parent ${id} of ${rpId} is not committed`);
    }
    if (chain.some((c) => c.rp.rpId === id)) throw new Error(`recovery point ${rpId} has a cyclic parent chain`);
    chain.push(link);
    id = link.rp.parentRpId;
  }
  return chain;
}

/** The RP and its ancestors (as they rest now: after roll-ups), newest first; 404 unless committed on this machine and not purged. */
export async function committedChain(deps: AppDeps, tenantId: string, machineId: string, rpId: string, options: { fresh?: boolean } = {}): Promise<RecoveryPointCommittedData[]> {
  return (await chainOf(deps, tenantId, machineId, rpId, options.fresh ?? false)).map((c) => c.rp);
}

/** Where `chunk` is in one index (an RP's current one, or a superseded one), or undefined. */
async function locateIn(deps: AppDeps, tenantId: string, rpId: string, index: Readonly<RpIndexRef> | { readonly firstChunks: readonly string[]; readonly generation?: number } | undefined, chunk: string): Promise<ChunkLocation | undefined> {
  if (!index) throw layoutOne(rpId);
  const n = partFor(index.firstChunks, chunk);
  if (n < 0) return undefined;
  return (await indexPart(deps.blobs, rpIndexKey(tenantId, rpId, n, index.generation))).find(chunk);
}

/** Where `chunk` is in the chain's current indexes, or undefined. */
export async function locateInChain(deps: AppDeps, tenantId: string, chain: readonly RecoveryPointCommittedData[], chunk: string): Promise<ChunkLocation | undefined> {
  for (const rp of chain) {
    const found = await locateIn(deps, tenantId, rp.rpId, rp.index, chunk);
    if (found) return found;
  }
  return undefined;
}

/**
 * A chunk of what a chain link read before a roll-up (a restore that began before it holds the
 * old manifest): its superseded indexes, then its old parents' chains — while they are unpurged.
 */
async function locateSuperseded(deps: AppDeps, tenantId: string, machineId: string, chain: readonly CachedRp[], chunk: string): Promise<ChunkLocation | undefined> {
  for (const link of chain) {
    for (const old of link.life?.superseded ?? []) {
      const found = await locateIn(deps, tenantId, link.rp.rpId, old.index, chunk);
      if (found) return found;
      if (old.parentRpId === undefined) continue;
      let parents: CachedRp[];
      try {
        parents = await chainOf(deps, tenantId, machineId, old.parentRpId, false);
      } catch (err) {
        if (err instanceof DomainError && err.code === 'not-found') continue; // purged since: that view is gone
        throw err;
      }
      const inParents = await locateInChain(deps, tenantId, parents.map((p) => p.rp), chunk);
      if (inParents) return inParents;
    }
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
  let chunks: Buffer[];
  try {
    chunks = await readFromChain(deps, tenantId, machineId, rpId, ids, actor, false);
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
    // An index part or a pack is gone: GC repacked since this process cached the chain. Read it again, once.
    chunks = await readFromChain(deps, tenantId, machineId, rpId, ids, actor, true);
  }
  await meterEgress(deps, tenantId, chunks.reduce((n, c) => n + c.length, 0));
  return chunks;
}

async function readFromChain(
  deps: AppDeps, tenantId: string, machineId: string, rpId: string, ids: readonly string[], actor: string, fresh: boolean,
): Promise<Buffer[]> {
  let chain = await chainOf(deps, tenantId, machineId, rpId, fresh);
  const wanted: LocatedChunk[] = [];
  let bytes = 0;
  for (const id of ids) {
    let location = await locateInChain(deps, tenantId, chain.map((c) => c.rp), id);
    // Not in the chain as this process knew it: a roll-up may have changed it since (read it
    // again, once), or the caller holds the manifest the RP had before (its superseded links).
    if (!location && !fresh) {
      chain = await chainOf(deps, tenantId, machineId, rpId, true);
      fresh = true;
      location = await locateInChain(deps, tenantId, chain.map((c) => c.rp), id);
    }
    location ??= await locateSuperseded(deps, tenantId, machineId, chain, id);
    if (!location) throw new DomainError('not-found', `chunk ${id} is not stored for recovery point ${rpId} or its parents`);
    if (wanted.length > 0 && bytes + 4 + location.length > READ_BODY_BYTES) break;
    wanted.push({ id, location });
    bytes += 4 + location.length;
  }
  return readLocated(deps, tenantId, wanted, actor);
}

/** The verify job's lookups (shared/app/lifecycle/verify): the chain's current indexes. */
export const locate = locateInChain;
