/**
 * The sweep: the condemned packs (bucket by bucket, in pack order) joined with the merged
 * re-mark. A pack the re-mark names is rescued (kept). The others are deleted, then released on
 * the tenant's storage counter with the sizes the plan listed — CollectStorage, one command per
 * batch of ≤ 96 packs, its sequence derived from the step, so a step run again (a crash, a
 * duplicate delivery) deletes the same packs again (a no-op) and releases nothing twice. The
 * condemned set stays until the cleanup: a step run again sees the same packs and makes the same
 * batches. A pack is never released before its object is deleted: the counter is never under
 * what is stored.
 */
import { MAX_COLLECT_PACKS } from '../../../domain/storage.js';
import { commandMeta } from '../../command-handler.js';
import { storageHandler } from '../../handlers.js';
import { loadTenant } from '../../replication/access.js';
import { mapLimit, packKey } from '../../replication/storage.js';
import { bucketPacks, condemnedCollection, type CondemnedBucket } from './condemned-packs.js';
import { count } from './gc-context.js';
import { MARK_BYTES } from './gc-records.js';
import type { Phase } from './phase.js';
import { stepSeq } from './repack.js';
import { RunReader, type RunPosition } from './sorted-runs.js';

/** `bucket`: the bucket at hand (undefined: the first); `index`: its next pack. */
export interface SweepCursor { bucket?: string; index?: number; remarks?: RunPosition }

export const sweepPhase: Phase<SweepCursor> = async (ctx, cursor = {}) => {
  const { blobs, operational } = ctx.deps;
  const remarks = await RunReader.open(blobs, ctx.carry.remerged as string, MARK_BYTES, cursor.remarks);
  const doomed: { packId: string; bytes: number }[] = [];
  const collection = condemnedCollection(ctx.tenantId);
  // The buckets from the one at hand on (256 at most: one page).
  const page = await operational.listPage<CondemnedBucket>(collection, { ...(cursor.bucket !== undefined && cursor.bucket !== '00' ? { after: prevBucket(cursor.bucket) } : {}), limit: 1000 });
  let at: SweepCursor | undefined;
  let examined = 0;
  outer: for (const { id, record } of page.records) {
    const packs = record.runId === ctx.run.runId ? bucketPacks(record) : [];
    for (let i = id === cursor.bucket ? cursor.index ?? 0 : 0; i < packs.length; i++) {
      if (examined >= ctx.limits.packs) { at = { bucket: id, index: i }; break outer; }
      examined++;
      const { packId, bytes } = packs[i] as { packId: string; bytes: number };
      const pack = Buffer.from(packId, 'hex');
      while (remarks.current && remarks.current.compare(pack, 0, 32, 0, 32) < 0) await remarks.advance();
      if (remarks.current && remarks.current.compare(pack, 0, 32, 0, 32) === 0) { count(ctx, 'rescuedPacks'); continue; }
      doomed.push({ packId, bytes });
    }
  }
  // Objects first, then the counter.
  await mapLimit(doomed, 16, (d) => blobs.delete(packKey(ctx.tenantId, d.packId)));
  if (doomed.length > 0) {
    const tenant = await loadTenant(ctx.deps, ctx.tenantId);
    const meta = commandMeta(ctx.deps, ctx.actor);
    for (let b = 0; b * MAX_COLLECT_PACKS < doomed.length; b++) {
      const release = doomed.slice(b * MAX_COLLECT_PACKS, (b + 1) * MAX_COLLECT_PACKS);
      await storageHandler(ctx.deps, ctx.tenantId, {
        type: 'CollectStorage', quotaBytes: tenant.quotaBytes,
        data: { tenantId: ctx.tenantId, gc: { runId: ctx.run.runId, seq: stepSeq(ctx, b + 1) }, charge: [], release },
      }, meta, { attempts: 64 });
    }
    count(ctx, 'freedPacks', doomed.length);
    count(ctx, 'freedBytes', doomed.reduce((n, d) => n + d.bytes, 0));
  }
  return at === undefined ? { done: true } : { cursor: { ...at, remarks: remarks.position } };
};

/** The bucket id just before `bucket` (listPage lists the ids after `after`; '00' lists from the start). */
const prevBucket = (bucket: string): string => (Number.parseInt(bucket, 16) - 1).toString(16).padStart(2, '0');
