/**
 * The plan: the tenant's packs as the store lists them (pages of 1000, in key order = pack id
 * order) joined with the merged marks (sorted by pack): one pass over both, nothing held but the
 * marks of the pack at hand. Each pack is
 *   - dead: no mark, and older than the grace period → listed to be condemned;
 *   - young: no mark, within the grace period (an upload between its object and its record) → kept;
 *   - a repack candidate: marked, not pinned, older than the grace period, its live bytes under
 *     `repackBelowPercent` of its size → listed with its marks (up to `maxRepackPacks` packs and
 *     the limit of chunks per run);
 *   - live otherwise.
 * Marks of packs the listing does not have are counted as missing (an index naming a pack that is
 * gone: damage for verification to report; nothing GC may fix). Objects whose name is not a pack
 * id are left alone.
 */
import { isSha256Hex } from '../../../format/hash.js';
import { count } from './gc-context.js';
import { packsPrefix } from './gc-keys.js';
import { CANDIDATE_BYTES, MARK_BYTES, markLength, markPinned, PACK_SIZE_BYTES, writeCandidate, writePackSize } from './gc-records.js';
import { closeList, listWriter, type Phase } from './phase.js';
import { RunReader, type RunPosition } from './sorted-runs.js';

export interface PlanCursor { after?: string; marks?: RunPosition; candidates?: number; candidateChunks?: number; lastMissing?: string }

export const planPhase: Phase<PlanCursor> = async (ctx, cursor = {}) => {
  const { blobs } = ctx.deps;
  const { options } = ctx.run;
  const prefix = packsPrefix(ctx.tenantId);
  const marks = await RunReader.open(blobs, ctx.carry.merged as string, MARK_BYTES, cursor.marks);
  const dead = listWriter(ctx, 'dead', PACK_SIZE_BYTES);
  const candidates = listWriter(ctx, 'candidates', CANDIDATE_BYTES);
  const candidateLive = listWriter(ctx, 'candidate-live', MARK_BYTES);
  const c: PlanCursor = { ...cursor };
  const row = Buffer.alloc(Math.max(PACK_SIZE_BYTES, CANDIDATE_BYTES));
  const missing = async (pack: Buffer | undefined): Promise<void> => {
    // Marks before `pack` (all of them, with no pack) name packs that are not stored.
    while (marks.current && (pack === undefined || marks.current.compare(pack, 0, 32, 0, 32) < 0)) {
      const id = marks.current.toString('hex', 0, 32);
      if (id !== c.lastMissing) { count(ctx, 'missingPacks'); c.lastMissing = id; }
      await marks.advance();
    }
  };
  const save = async (done: boolean) => {
    c.marks = marks.position;
    await closeList(ctx, 'dead', dead);
    await closeList(ctx, 'candidates', candidates);
    await closeList(ctx, 'candidate-live', candidateLive);
    return done ? { done: true as const, ...(options.dryRun ? { skipTo: 'cleanup' } : {}) } : { cursor: c };
  };

  for (let pages = 0; pages < ctx.limits.planPages; pages++) {
    const page = await blobs.listPage(prefix, { ...(c.after !== undefined ? { after: c.after } : {}), limit: 1000 });
    for (const o of page.objects) {
      c.after = o.key;
      const packId = o.key.slice(prefix.length);
      if (!isSha256Hex(packId)) { count(ctx, 'foreignObjects'); continue; }
      const pack = Buffer.from(packId, 'hex');
      await missing(pack);
      let liveChunks = 0;
      let liveBytes = 0;
      let pinned = false;
      const kept: Buffer[] = [];
      while (marks.current && marks.current.compare(pack, 0, 32, 0, 32) === 0) {
        liveChunks++;
        liveBytes += markLength(marks.current);
        pinned ||= markPinned(marks.current);
        if (kept.length <= ctx.limits.repackChunks) kept.push(Buffer.from(marks.current));
        await marks.advance();
      }
      count(ctx, 'listedPacks');
      count(ctx, 'listedBytes', o.size);
      const old = o.modifiedMs <= ctx.cutoffMs;
      if (liveChunks === 0) {
        if (!old) { count(ctx, 'youngPacks'); count(ctx, 'youngBytes', o.size); continue; }
        await dead.add(writePackSize(row, packId, o.size));
        count(ctx, 'deadPacks');
        count(ctx, 'deadBytes', o.size);
        continue;
      }
      count(ctx, 'livePacks');
      count(ctx, 'liveChunks', liveChunks);
      count(ctx, 'liveBytes', liveBytes);
      const sparse = liveBytes * 100 < o.size * options.repackBelowPercent;
      if (!sparse || !old || pinned) continue;
      const room = (c.candidates ?? 0) < options.maxRepackPacks && (c.candidateChunks ?? 0) + liveChunks <= ctx.limits.repackChunks;
      if (!room) { count(ctx, 'repackDeferredPacks'); continue; }
      await candidates.add(writeCandidate(row, packId, o.size, liveBytes));
      for (const m of kept) await candidateLive.add(m);
      c.candidates = (c.candidates ?? 0) + 1;
      c.candidateChunks = (c.candidateChunks ?? 0) + liveChunks;
      count(ctx, 'repackCandidates');
      count(ctx, 'repackCandidateBytes', o.size);
      count(ctx, 'repackCandidateLiveBytes', liveBytes);
    }
    if (page.next === undefined) {
      await missing(undefined);
      return save(true);
    }
  }
  return save(false);
};
