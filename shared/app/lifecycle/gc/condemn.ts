/**
 * The condemn: every pack the sweep may delete — the dead ones of the plan and the old packs
 * the repack emptied — is listed in the tenant's condemned set (condemned-packs.ts) before
 * anything is deleted, a bucket (the pack ids' first two hex digits) per record. From then on an
 * upload that finds one of them stored is refused (429) instead of counting on it; after the last
 * bucket the run waits out the settle, so every upload that counted on one before has written its
 * record, and the re-mark sees it. A bucket past MAX_BUCKET_PACKS keeps the rest for the next run.
 * Nothing condemned: the run goes straight to the cleanup.
 */
import { mapLimit } from '../../replication/storage.js';
import { condemnedCollection, MAX_BUCKET_PACKS, type CondemnedBucket } from './condemned-packs.js';
import { count } from './gc-context.js';
import { PACK_SIZE_BYTES, packSizeOf } from './gc-records.js';
import { listReader, type Phase } from './phase.js';
import type { RunPosition } from './sorted-runs.js';

export interface CondemnCursor { dead?: RunPosition; repacked?: RunPosition }

/** Buckets written per step. */
const BUCKETS_PER_STEP = 32;

export const condemnPhase: Phase<CondemnCursor> = async (ctx, cursor = {}) => {
  const dead = await listReader(ctx, 'dead', PACK_SIZE_BYTES, cursor.dead);
  const repacked = await listReader(ctx, 'repacked', PACK_SIZE_BYTES, cursor.repacked);
  const at = ctx.now.toISOString();
  const next = () => (!repacked.current || (dead.current && dead.current.compare(repacked.current, 0, 32, 0, 32) <= 0) ? dead : repacked);
  const buckets: { id: string; bucket: CondemnedBucket }[] = [];
  while (buckets.length < BUCKETS_PER_STEP && (dead.current || repacked.current)) {
    const id = (next().current as Buffer).toString('hex', 0, 1);
    let ids = '';
    const bytes: number[] = [];
    for (let from = next(); from.current && from.current.toString('hex', 0, 1) === id; from = next()) {
      const p = packSizeOf(from.current);
      if (bytes.length < MAX_BUCKET_PACKS) { ids += p.pack; bytes.push(p.bytes); } else count(ctx, 'condemnDeferredPacks');
      await from.advance();
    }
    buckets.push({ id, bucket: { runId: ctx.run.runId, at, ids, bytes } });
    count(ctx, 'condemnedPacks', bytes.length);
  }
  // A step run again writes the same buckets (the lists do not change).
  await mapLimit(buckets, 16, (b) => ctx.deps.operational.put<CondemnedBucket>(condemnedCollection(ctx.tenantId), b.id, b.bucket));
  if (dead.current || repacked.current) return { cursor: { dead: dead.position, repacked: repacked.position } };
  if ((ctx.counters['condemnedPacks'] ?? 0) === 0) return { done: true, skipTo: 'cleanup' };
  return { done: true, notBefore: new Date(ctx.now.getTime() + ctx.run.options.settleSeconds * 1000).toISOString() };
};
