/**
 * Drops the upload records of abandoned RPs (never committed, nothing uploaded within the grace
 * period: the issue 10 item 3 sweep): from then on nothing references their packs, which the
 * plan finds unmarked and the sweep frees — after the condemn and the settle, so a commit that
 * read the records before they went has ended and is seen by the re-mark (it follows the log).
 * Before any pack is condemned: a commit that starts after this finds the records gone.
 */
import { UPLOAD_SHARDS, uploadsCollection, type UploadRecord } from '../../replication/storage.js';
import { count } from './gc-context.js';
import { RP_NAME_BYTES, rpNameOf } from './gc-records.js';
import { listReader, type Phase } from './phase.js';
import type { RunPosition } from './sorted-runs.js';

export interface DropCursor { list?: RunPosition; shard?: number; deleted?: boolean }

export const dropAbandonedPhase: Phase<DropCursor> = async (ctx, cursor = {}) => {
  const reader = await listReader(ctx, 'abandoned', RP_NAME_BYTES, cursor.list);
  let shard = cursor.shard ?? 0;
  let deleted = cursor.deleted ?? false;
  let budget = ctx.limits.uploadRecords;
  while (reader.current) {
    const rpId = rpNameOf(reader.current);
    for (; shard < UPLOAD_SHARDS.length; shard++) {
      const collection = uploadsCollection(ctx.tenantId, rpId, UPLOAD_SHARDS[shard] as string);
      for (;;) {
        if (budget <= 0) return { cursor: { list: reader.position, shard, deleted } };
        const page = await ctx.deps.operational.listPage<UploadRecord>(collection, { limit: Math.min(1000, budget) });
        if (page.records.length === 0) break;
        await Promise.all(page.records.map((r) => ctx.deps.operational.delete(collection, r.id)));
        count(ctx, 'droppedUploadRecords', page.records.length);
        budget -= page.records.length;
        deleted = true;
      }
    }
    if (deleted) count(ctx, 'abandonedRps');
    shard = 0;
    deleted = false;
    await reader.advance();
  }
  return { done: true };
};
