/**
 * The sweep: the condemned packs (their markers, in pack order) joined with the merged re-mark.
 * A pack the re-mark names is rescued (kept; its marker goes at the cleanup). The others are
 * deleted, then released on the tenant's storage counter with the sizes the plan listed —
 * CollectStorage, one command per batch of ≤ 96 packs, its sequence derived from the step, so a
 * step run again (crash, duplicate delivery) deletes the same packs again (a no-op) and releases
 * nothing twice. Markers stay until the cleanup: a step run again sees the same markers and
 * makes the same batches. A pack is never released before its object is deleted: the counter is
 * never under what is stored.
 */
import { MAX_COLLECT_PACKS } from '../../../domain/storage.js';
import { commandMeta } from '../../command-handler.js';
import { storageHandler } from '../../handlers.js';
import { loadTenant } from '../../replication/access.js';
import { mapLimit, packKey } from '../../replication/storage.js';
import { condemnedCollection, type CondemnedPack } from './condemned-packs.js';
import { count } from './gc-context.js';
import { MARK_BYTES } from './gc-records.js';
import type { Phase } from './phase.js';
import { stepSeq } from './repack.js';
import { RunReader, type RunPosition } from './sorted-runs.js';

export interface SweepCursor { after?: string; remarks?: RunPosition }

export const sweepPhase: Phase<SweepCursor> = async (ctx, cursor = {}) => {
  const { blobs, operational } = ctx.deps;
  const remarks = await RunReader.open(blobs, ctx.carry.remerged as string, MARK_BYTES, cursor.remarks);
  const doomed: { packId: string; bytes: number }[] = [];
  let after = cursor.after;
  let more = true;
  let examined = 0;
  while (more && examined < ctx.limits.packs) {
    const page = await operational.listPage<CondemnedPack>(condemnedCollection(ctx.tenantId), { ...(after !== undefined ? { after } : {}), limit: Math.min(1000, ctx.limits.packs - examined) });
    for (const { id, record } of page.records) {
      examined++;
      after = id;
      const pack = Buffer.from(id, 'hex');
      while (remarks.current && remarks.current.compare(pack, 0, 32, 0, 32) < 0) await remarks.advance();
      if (remarks.current && remarks.current.compare(pack, 0, 32, 0, 32) === 0) { count(ctx, 'rescuedPacks'); continue; }
      doomed.push({ packId: id, bytes: record.bytes });
    }
    more = page.next !== undefined;
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
  if (!more) return { done: true };
  return { cursor: { ...(after !== undefined ? { after } : {}), remarks: remarks.position } };
};
