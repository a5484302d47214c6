/**
 * The mark phase, uploads (and again in the re-mark): the RPs registered as uploading on a day
 * of the grace period (upload-registry.ts) — whatever they are now — have every pack of their
 * upload records marked, pinned: an upload in flight, or just committed, keeps all it stored.
 * Then the relocations (healed copies of damaged chunks) are marked, pinned. In the mark (not the
 * re-mark), the older days' RPs that were never committed and did not upload within the grace
 * period are listed as abandoned: their records go next (drop-abandoned.ts), so their packs are
 * garbage like any other unmarked pack.
 */
import type { ChunkLocation } from '../../../format/rp-index.js';
import { decodeEntries } from '../../replication/storage.js';
import { relocatedCollection } from '../../replication/damage.js';
import { uploadPage } from '../../replication/upload-records.js';
import type { GcContext } from './gc-context.js';
import { count } from './gc-context.js';
import { MARK_BYTES, MARK_KEY, RP_NAME_BYTES, writeMark, writeRpName } from './gc-records.js';
import { closeList, listWriter, type Phase } from './phase.js';
import { rpFacts } from './rp-facts.js';
import { RunSorter } from './sorted-runs.js';
import { nextDay, registryCollection, type UploadRegistration } from './upload-registry.js';

export interface UploadsCursor {
  stage: 'grace' | 'stale' | 'relocated';
  day?: string;
  /** The last RP of the day done. */
  after?: string;
  /** An RP part-way through its records: the last pack done. */
  rp?: { rpId: string; after?: string };
  relocatedAfter?: string;
}

const PAGE = 100;

/** Days from `from` to `to`, both included (yyyy-mm-dd). */
function* days(from: string, to: string): Generator<string> {
  for (let d = from; d <= to; d = nextDay(d)) yield d;
}

/** Whether rpId registered on a grace day after `day` (so it is marked there, not here). */
async function registeredLater(ctx: GcContext, rpId: string, day: string | undefined): Promise<boolean> {
  for (const d of days(day === undefined ? ctx.graceFromDay : nextDay(day), ctx.today)) {
    if (await ctx.deps.operational.get<UploadRegistration>(registryCollection(ctx.tenantId, d), rpId)) return true;
  }
  return false;
}

/**
 * The uploads phase; `remark`: the re-mark's pass (its own runs, no abandoned list). Sorted runs go
 * to `<work>/marks/L0` (or `remarks/L0`); the run counts are kept in the carry.
 */
export function uploadsPhase(remark: boolean): Phase<UploadsCursor> {
  return async (ctx, cursor = { stage: 'grace' }) => {
    const runs = remark ? 'remarkRuns' : 'markRuns';
    const sorter = new RunSorter(ctx.deps.blobs, `${ctx.work}/${remark ? 'remarks' : 'marks'}/L0`, MARK_BYTES, MARK_KEY, ctx.carry[runs]);
    const abandoned = listWriter(ctx, 'abandoned', RP_NAME_BYTES);
    const scratch = Buffer.alloc(MARK_BYTES);
    let c: UploadsCursor = { ...cursor };
    let budget = ctx.limits.uploadRecords;
    const save = async (done: boolean) => {
      ctx.carry[runs] = await sorter.flush();
      await closeList(ctx, 'abandoned', abandoned);
      return done ? { done: true as const } : { cursor: c };
    };

    /** Marks the RP's records from c.rp; false when the budget ran out first. */
    const markRecords = async (): Promise<boolean> => {
      const rp = c.rp as { rpId: string; after?: string };
      for (;;) {
        if (budget <= 0) return false;
        const page = await uploadPage(ctx.deps, ctx.tenantId, rp.rpId, rp.after, Math.min(PAGE, budget));
        for (const r of page.records) {
          for (const { location: l } of decodeEntries(r)) await sorter.add(writeMark(scratch, l.pack, l.offset, l.length, true));
          count(ctx, remark ? 'remarkedRecords' : 'markedRecords');
          rp.after = r.packId;
        }
        budget -= page.records.length;
        if (page.next === undefined) return true;
      }
    };

    const stageDays = (): [string, string] => (c.stage === 'grace' ? [ctx.graceFromDay, ctx.today] : [ctx.run.registryFrom, dayBefore(ctx.graceFromDay)]);
    while (c.stage !== 'relocated') {
      const [from, to] = stageDays();
      for (let day = c.day ?? from; day <= to; day = nextDay(day), c = { stage: c.stage, day }) {
        c.day = day;
        for (;;) {
          if (c.rp) {
            if (!(await markRecords())) return save(false);
            c.after = c.rp.rpId;
            delete c.rp;
          }
          if (budget <= 0) return save(false);
          const page = await ctx.deps.operational.listPage<UploadRegistration>(registryCollection(ctx.tenantId, day), { ...(c.after !== undefined ? { after: c.after } : {}), limit: PAGE });
          for (const { id } of page.records) {
            budget--;
            if (c.stage === 'grace') {
              if (await registeredLater(ctx, id, day)) { c.after = id; continue; }
              count(ctx, remark ? 'remarkedUploads' : 'inGraceRps');
              c.rp = { rpId: id };
              break;
            }
            // A stale day: abandoned unless it uploaded within the grace period or was committed.
            if (!(await registeredLater(ctx, id, undefined)) && (await rpFacts(ctx.deps, ctx.tenantId, id)) === undefined) {
              await abandoned.add(writeRpName(Buffer.alloc(RP_NAME_BYTES), id));
            }
            c.after = id;
          }
          if (c.rp) continue;
          if (page.next === undefined) break;
        }
      }
      c = remark || c.stage === 'stale' ? { stage: 'relocated' } : { stage: 'stale' };
    }
    for (;;) {
      if (budget <= 0) return save(false);
      const page = await ctx.deps.operational.listPage<ChunkLocation>(relocatedCollection(ctx.tenantId), { ...(c.relocatedAfter !== undefined ? { after: c.relocatedAfter } : {}), limit: 1000 });
      for (const { id, record: l } of page.records) {
        await sorter.add(writeMark(scratch, l.pack, l.offset, l.length, true));
        c.relocatedAfter = id;
      }
      budget -= page.records.length;
      if (page.next === undefined) return save(true);
    }
  };
}

/** The day before `day` (yyyy-mm-dd). */
function dayBefore(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) - 86_400_000).toISOString().slice(0, 10);
}
