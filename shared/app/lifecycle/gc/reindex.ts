/**
 * The reindex: every live RP whose index names a repacked pack gets its index written again as
 * the next generation (create-once keys beside the old ones: every part, the chunks that moved
 * at their new places), then one `RecoveryPointReindexed` — from then on its reads use the new packs. The
 * command names the index the rewrite started from: an RP whose index changed since (another
 * rewrite) is refused and keeps the old packs referenced, which the re-mark then sees (its stream
 * changed after the mark). An RP committed after the mark is not in the repack's moved list:
 * left as it is, and likewise seen by the re-mark. Old parts are deleted at the cleanup, after
 * the settle, so a read that found the old index in its cache finds it still there.
 *
 * Memory: the repacked pack ids (≤ maxRepackPacks) and the moved list (≤ the chunk limit per
 * run, 76 bytes each) are loaded once per step; an index part at a time.
 */
import { createHash } from 'node:crypto';
import { DomainError } from '../../../domain/errors.js';
import { indexGeneration, type RpIndexRef } from '../../../domain/recovery-point.js';
import { encodeRpIndex, type IndexEntry } from '../../../format/rp-index.js';
import { BlobConflictError } from '../../../ports/errors.js';
import { recoveryPointHandler } from '../../handlers.js';
import { rpIndexKey } from '../../replication/storage.js';
import type { GcContext } from './gc-context.js';
import { count } from './gc-context.js';
import { catalogCollection, type CatalogEntry } from './gc-keys.js';
import { MOVED_BYTES, MOVED_KEY, PACK_SIZE_BYTES, PART_BYTES, writePart } from './gc-records.js';
import { closeList, listWriter, type Phase, listReader } from './phase.js';
import { readPart } from './rp-marks.js';
import { rpFacts } from './rp-facts.js';
import { compareKeys } from './sorted-runs.js';

/**
 * `current`: an RP part-way: `scan` looks for a part that names a repacked pack, `write` writes
 * every part of the next generation; `of`, a digest of the index it started from (an RP whose
 * index changed between steps is left as it is).
 */
export interface ReindexCursor { after?: string; current?: { rpId: string; part: number; stage: 'scan' | 'write'; of?: string } }

const digestOf = (index: RpIndexRef): string => createHash('sha256').update(JSON.stringify([index.firstChunks, indexGeneration(index)])).digest('hex').slice(0, 16);

/** Where moved chunks went: the moved list in one buffer, bisected by (old pack, old offset). */
class MovedPlaces {
  private constructor(private readonly bytes: Buffer, private readonly n: number) {}
  static async load(ctx: GcContext): Promise<MovedPlaces> {
    const parts: Buffer[] = [];
    for (const r = await listReader(ctx, 'moved', MOVED_BYTES); r.current; await r.advance()) parts.push(Buffer.from(r.current));
    const bytes = Buffer.concat(parts);
    return new MovedPlaces(bytes, bytes.length / MOVED_BYTES);
  }
  find(pack: string, offset: number): { pack: string; offset: number } | undefined {
    const key = Buffer.alloc(MOVED_KEY);
    key.write(pack, 0, 32, 'hex');
    key.writeUInt32BE(offset, 32);
    for (let lo = 0, hi = this.n - 1; lo <= hi;) {
      const mid = (lo + hi) >>> 1;
      const c = compareKeys(this.bytes, mid * MOVED_BYTES, key, 0, MOVED_KEY);
      if (c === 0) return { pack: this.bytes.toString('hex', mid * MOVED_BYTES + 36, mid * MOVED_BYTES + 68), offset: this.bytes.readUInt32BE(mid * MOVED_BYTES + 68) };
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }
}

async function repackedPacks(ctx: GcContext): Promise<Set<string>> {
  const out = new Set<string>();
  for (const r = await listReader(ctx, 'repacked', PACK_SIZE_BYTES); r.current; await r.advance()) out.add(r.current.toString('hex', 0, 32));
  return out;
}

/** Writes a part under its generation; a leftover of a crashed earlier rewrite under that key is replaced (nothing reads it). */
async function putPart(ctx: GcContext, key: string, bytes: Buffer): Promise<void> {
  try {
    await ctx.deps.blobs.put(key, bytes, { contentType: 'application/octet-stream' });
  } catch (err) {
    if (!(err instanceof BlobConflictError)) throw err;
    await ctx.deps.blobs.delete(key);
    await ctx.deps.blobs.put(key, bytes, { contentType: 'application/octet-stream' });
  }
}

export const reindexPhase: Phase<ReindexCursor> = async (ctx, cursor = {}) => {
  const repacked = await repackedPacks(ctx);
  if (repacked.size === 0) return { done: true };
  const moved = await MovedPlaces.load(ctx);
  const superseded = listWriter(ctx, 'superseded', PART_BYTES);
  let after = cursor.after;
  let current = cursor.current;
  let parts = 0;
  const save = async (next: ReindexCursor | undefined) => {
    await closeList(ctx, 'superseded', superseded);
    return next === undefined ? { done: true as const } : { cursor: next };
  };
  for (;;) {
    if (current) {
      const facts = await rpFacts(ctx.deps, ctx.tenantId, current.rpId);
      const index = facts && !facts.purged ? facts.index : undefined;
      let skip = !index || (current.of !== undefined && current.of !== digestOf(index));
      if (index && skip) count(ctx, 'reindexSkippedRps');
      if (index && !skip) {
        current.of = digestOf(index);
        const next = indexGeneration(index) + 1;
        // Scan until a part names a repacked pack; then write every part of the next generation.
        while (!skip && current.part < index.firstChunks.length) {
          if (parts >= ctx.limits.reindexParts) return save({ ...(after !== undefined ? { after } : {}), current });
          parts++;
          const part = await readPart(ctx, current.rpId, index, current.part);
          if (current.stage === 'scan') {
            let hit = false;
            for (let i = 0; i < part.count && !hit; i++) hit = repacked.has(part.placeAt(i).pack.toString('hex'));
            if (hit) current = { ...current, part: 0, stage: 'write' };
            else current = { ...current, part: current.part + 1 };
            continue;
          }
          const entries: IndexEntry[] = [];
          for (const e of part.entries()) {
            if (!repacked.has(e.pack)) { entries.push(e); continue; }
            const to = moved.find(e.pack, e.offset);
            if (!to) { skip = true; break; } // referenced since the mark: left to the re-mark
            entries.push({ chunk: e.chunk, pack: to.pack, offset: to.offset, length: e.length });
          }
          if (skip) { count(ctx, 'reindexSkippedRps'); break; }
          const [encoded] = encodeRpIndex(entries, entries.length);
          await putPart(ctx, rpIndexKey(ctx.tenantId, current.rpId, current.part, next), (encoded as { bytes: Buffer }).bytes);
          current = { ...current, part: current.part + 1 };
        }
        if (!skip && current.stage === 'write') await commitReindex(ctx, facts as { machineId: string }, current.rpId, index, superseded);
      }
      after = current.rpId;
      current = undefined;
    }
    const page = await ctx.deps.operational.listPage<CatalogEntry>(catalogCollection(ctx.tenantId), { ...(after !== undefined ? { after } : {}), limit: 100 });
    const next = page.records.find((r) => !r.record.collected);
    if (!next) {
      if (page.next === undefined) return save(undefined);
      after = page.records.at(-1)?.id;
      continue;
    }
    current = { rpId: next.id, part: 0, stage: 'scan' };
  }
};

async function commitReindex(ctx: GcContext, rp: { machineId: string }, rpId: string, replaces: RpIndexRef, superseded: ReturnType<typeof listWriter>): Promise<void> {
  const from = indexGeneration(replaces);
  const index: RpIndexRef = { firstChunks: replaces.firstChunks, generation: from + 1 };
  const parts = replaces.firstChunks.length;
  try {
    await recoveryPointHandler(ctx.deps, { tenantId: ctx.tenantId, rpId }, {
      type: 'ReindexRecoveryPoint', data: { tenantId: ctx.tenantId, machineId: rp.machineId, rpId, index, replaces, runId: ctx.run.runId },
    }, ctx.actor);
  } catch (err) {
    if (!(err instanceof DomainError && err.code === 'conflict')) throw err;
    count(ctx, 'reindexConflicts');
    // The new generation is nobody's: the cleanup deletes it.
    for (let n = 0; n < parts; n++) await superseded.add(writePart(Buffer.alloc(PART_BYTES), rpId, n, from + 1));
    return;
  }
  count(ctx, 'reindexedRps');
  for (let n = 0; n < parts; n++) await superseded.add(writePart(Buffer.alloc(PART_BYTES), rpId, n, from));
}
