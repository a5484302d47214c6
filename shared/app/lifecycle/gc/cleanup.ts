/**
 * The cleanup, after the sweep (and so after the settle): the run's markers go (uploads of those
 * packs store them anew from now on); purged RPs that no live RP still reads through lose their
 * upload records and index parts, and their catalog entry is marked collected; index parts a
 * reindex superseded go; registration days older than the grace period, all resolved by this run's
 * mark, go; and last the run's work area. A dry run deletes its work area only. Every deletion
 * is idempotent, so a step run again does no harm.
 */
import { UPLOAD_SHARDS, rpIndexKey, uploadsCollection } from '../../replication/storage.js';
import { mapLimit } from '../../replication/storage.js';
import { condemnedCollection } from './condemned-packs.js';
import type { GcContext } from './gc-context.js';
import { count } from './gc-context.js';
import { catalogCollection, rpDataPrefix, type CatalogEntry } from './gc-keys.js';
import { PART_BYTES, partOf, RP_NAME_BYTES, rpNameOf } from './gc-records.js';
import { listReader, type Phase } from './phase.js';
import type { RunPosition } from './sorted-runs.js';
import { nextDay, registryCollection } from './upload-registry.js';

type Stage = 'markers' | 'purged' | 'superseded' | 'registry' | 'work';
export interface CleanupCursor { stage: Stage; list?: RunPosition; shard?: number; day?: string }

const ORDER: readonly Stage[] = ['markers', 'purged', 'superseded', 'registry', 'work'];

async function heldRps(ctx: GcContext): Promise<Set<string>> {
  const out = new Set<string>();
  for (const r = await listReader(ctx, 'held', RP_NAME_BYTES); r.current; await r.advance()) out.add(rpNameOf(r.current));
  return out;
}

/** Deletes up to `budget` records of a collection (page by page); returns how many, and whether it is empty now. */
async function deleteRecords(ctx: GcContext, collection: string, budget: number): Promise<{ deleted: number; empty: boolean }> {
  let deleted = 0;
  while (deleted < budget) {
    const page = await ctx.deps.operational.listPage<unknown>(collection, { limit: Math.min(1000, budget - deleted) });
    if (page.records.length === 0) return { deleted, empty: true };
    await mapLimit(page.records, 16, (r) => ctx.deps.operational.delete(collection, r.id));
    deleted += page.records.length;
  }
  return { deleted, empty: false };
}

/** Deletes up to `budget` objects under a prefix; whether none is left. */
async function deleteObjects(ctx: GcContext, prefix: string, budget: number): Promise<{ deleted: number; empty: boolean }> {
  let deleted = 0;
  while (deleted < budget) {
    // Whole pages (S3 answers 1000 keys for the price of 1): the budget bounds the deletes.
    const page = await ctx.deps.blobs.listPage(prefix, { limit: 1000 });
    if (page.objects.length === 0) return { deleted, empty: true };
    const now = page.objects.slice(0, budget - deleted);
    await mapLimit(now, 16, (o) => ctx.deps.blobs.delete(o.key));
    deleted += now.length;
  }
  return { deleted, empty: false };
}

export const cleanupPhase: Phase<CleanupCursor> = async (ctx, cursor) => {
  const dry = ctx.run.options.dryRun;
  let c: CleanupCursor = cursor ?? { stage: dry ? 'work' : 'markers' };
  let budget = ctx.limits.packs;
  const nextStage = (): CleanupCursor | undefined => {
    const i = ORDER.indexOf(c.stage);
    return i + 1 < ORDER.length ? { stage: ORDER[i + 1] as Stage } : undefined;
  };
  for (;;) {
    if (budget <= 0) return { cursor: c };
    switch (c.stage) {
      case 'markers': {
        const r = await deleteRecords(ctx, condemnedCollection(ctx.tenantId), budget);
        budget -= r.deleted;
        if (!r.empty) return { cursor: c };
        break;
      }
      case 'purged': {
        const held = await heldRps(ctx);
        count(ctx, 'heldRps', c.list === undefined ? held.size : 0);
        const list = await listReader(ctx, 'purged', RP_NAME_BYTES, c.list);
        for (; list.current; await list.advance()) {
          const rpId = rpNameOf(list.current);
          if (held.has(rpId)) { c = { ...c, shard: 0 }; continue; }
          for (let shard = c.shard ?? 0; shard < UPLOAD_SHARDS.length; shard++) {
            const r = await deleteRecords(ctx, uploadsCollection(ctx.tenantId, rpId, UPLOAD_SHARDS[shard] as string), budget);
            budget -= r.deleted;
            count(ctx, 'deletedUploadRecords', r.deleted);
            if (!r.empty) return { cursor: { ...c, list: list.position, shard } };
          }
          const parts = await deleteObjects(ctx, rpDataPrefix(ctx.tenantId, rpId), budget);
          budget -= parts.deleted;
          count(ctx, 'deletedIndexParts', parts.deleted);
          if (!parts.empty) return { cursor: { ...c, list: list.position, shard: UPLOAD_SHARDS.length } };
          const entry = await ctx.deps.operational.get<CatalogEntry>(catalogCollection(ctx.tenantId), rpId);
          if (entry && !entry.collected) {
            await ctx.deps.operational.put<CatalogEntry>(catalogCollection(ctx.tenantId), rpId, { ...entry, collected: true });
            count(ctx, 'collectedRps');
          }
          c = { stage: 'purged', shard: 0 };
          if (budget <= 0) { await list.advance(); return { cursor: { ...c, list: list.position } }; }
        }
        break;
      }
      case 'superseded': {
        const list = await listReader(ctx, 'superseded', PART_BYTES, c.list);
        for (; list.current && budget > 0; await list.advance(), budget--) {
          const p = partOf(list.current);
          await ctx.deps.blobs.delete(rpIndexKey(ctx.tenantId, p.rpId, p.part, p.generation));
          count(ctx, 'deletedIndexParts');
        }
        if (list.current) return { cursor: { ...c, list: list.position } };
        break;
      }
      case 'registry': {
        // Days before the grace period: every RP in them was resolved by this run's mark.
        for (let day = c.day ?? ctx.run.registryFrom; day < ctx.graceFromDay; day = nextDay(day)) {
          const r = await deleteRecords(ctx, registryCollection(ctx.tenantId, day), budget);
          budget -= r.deleted;
          if (!r.empty) return { cursor: { stage: 'registry', day } };
        }
        break;
      }
      case 'work': {
        const r = await deleteObjects(ctx, `${ctx.work}/`, budget);
        budget -= r.deleted;
        if (!r.empty) return { cursor: c };
        return { done: true };
      }
      default: {
        const never: never = c.stage;
        throw new Error(`unknown cleanup stage ${String(never)}`);
      }
    }
    c = nextStage() as CleanupCursor;
  }
};
