/**
 * The mark phase, recovery points: the tenant's catalog in RP id order; each live RP's index
 * parts become marks (a part at a time, so one huge RP spans steps), and its purged ancestors
 * that its restore reads through are marked too (held). Purged RPs are listed, for the cleanup
 * (their upload records and index parts go once the sweep is done). A live RP without an index
 * (storage layout 1, not migrated) stops the run: its packs cannot be told from garbage.
 */
import type { GcContext } from './gc-context.js';
import { count } from './gc-context.js';
import { catalogCollection, type CatalogEntry } from './gc-keys.js';
import { MARK_BYTES, MARK_KEY, RP_NAME_BYTES, writeRpName } from './gc-records.js';
import { closeList, listWriter, type Phase } from './phase.js';
import { indexOf, markHeldAncestors, markPart } from './rp-marks.js';
import { rpFacts } from './rp-facts.js';
import { RunSorter } from './sorted-runs.js';

export interface MarkRpsCursor {
  /** The last catalog entry done. */
  after?: string;
  /** An RP part-way through: the next part to mark. */
  current?: { rpId: string; part: number };
}

/** RPs looked at per step (each one stream read). */
const RPS_PER_STEP = 200;

export const markRunsPrefix = (ctx: GcContext): string => `${ctx.work}/marks/L0`;

export const markRpsPhase: Phase<MarkRpsCursor> = async (ctx, cursor = {}) => {
  const sorter = new RunSorter(ctx.deps.blobs, markRunsPrefix(ctx), MARK_BYTES, MARK_KEY, ctx.carry.markRuns);
  const purged = listWriter(ctx, 'purged', RP_NAME_BYTES);
  const held = listWriter(ctx, 'held', RP_NAME_BYTES);
  const save = async (next: MarkRpsCursor | undefined) => {
    ctx.carry.markRuns = await sorter.flush();
    await closeList(ctx, 'purged', purged);
    await closeList(ctx, 'held', held);
    return next === undefined ? { done: true as const } : { cursor: next };
  };
  let after = cursor.after;
  let current = cursor.current;
  let parts = 0;
  let examined = 0;
  for (;;) {
    if (current) {
      const facts = await rpFacts(ctx.deps, ctx.tenantId, current.rpId);
      if (facts && !facts.purged) {
        const index = indexOf(ctx, facts);
        for (let n = current.part; n < index.firstChunks.length; n++) {
          if (parts >= ctx.limits.markParts) return save({ ...(after !== undefined ? { after } : {}), current: { rpId: current.rpId, part: n } });
          count(ctx, 'markedEntries', await markPart(ctx, sorter, facts.rpId, index, n, false));
          parts++;
        }
        await markHeldAncestors(ctx, sorter, facts, held);
        count(ctx, 'liveRps');
      }
      after = current.rpId;
      current = undefined;
    }
    const page = await ctx.deps.operational.listPage<CatalogEntry>(catalogCollection(ctx.tenantId), { ...(after !== undefined ? { after } : {}), limit: 100 });
    if (page.records.length === 0) return save(undefined);
    for (const { id, record } of page.records) {
      if (++examined > RPS_PER_STEP) return save({ ...(after !== undefined ? { after } : {}) });
      if (record.collected) { after = id; continue; }
      const facts = await rpFacts(ctx.deps, ctx.tenantId, id);
      if (facts?.purged) {
        await purged.add(writeRpName(Buffer.alloc(RP_NAME_BYTES), id));
        count(ctx, 'purgedRps');
        after = id;
        continue;
      }
      if (!facts) { after = id; continue; }
      current = { rpId: id, part: 0 };
      break;
    }
    if (!current && page.next === undefined) return save(undefined);
  }
};
