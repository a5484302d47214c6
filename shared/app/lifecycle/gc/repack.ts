/**
 * The repack: the live chunks of mostly dead packs are copied into new, full packs (restic's
 * prune does the same). A step takes a few candidate packs in pack order, reads each whole and
 * verifies it (every chunk's SHA-256 and the pack id: a corrupt pack is left as it is, for
 * verification to report), keeps the chunks the marks name, and packs them anew. Then, in this
 * order: the new packs are charged on the tenant's storage counter (CollectStorage, once per
 * step, against the quota: a repack never takes a tenant over it — the repack stops there), the
 * new packs are stored (create-once), and where each chunk went is written to the `moved` list,
 * the old packs to `repacked`. Nothing points at the new packs yet (the reindex does that), and
 * nothing old is deleted here: a crash anywhere leaves at most new packs nothing references,
 * young, which a later run frees. A step run again rebuilds the same packs (same input, same
 * order) and finds its charge applied.
 */
import { DomainError } from '../../../domain/errors.js';
import { gcStepApplied } from '../../../domain/storage.js';
import { decodePack, encodePack, MAX_PACK_BYTES, packSize, PackFormatError, verifyPack } from '../../../format/pack.js';
import { NotFoundError } from '../../../ports/errors.js';
import { storageHandler } from '../../handlers.js';
import { loadTenant } from '../../replication/access.js';
import { mapLimit, packKey } from '../../replication/storage.js';
import { commandMeta } from '../../command-handler.js';
import type { GcContext } from './gc-context.js';
import { count } from './gc-context.js';
import { CANDIDATE_BYTES, candidateOf, MARK_BYTES, markOffset, MOVED_BYTES, PACK_SIZE_BYTES, writeMoved, writePackSize } from './gc-records.js';
import { closeList, listWriter, type Phase, listReader } from './phase.js';
import type { RunPosition } from './sorted-runs.js';

export interface RepackCursor { candidates?: RunPosition; live?: RunPosition; stopped?: boolean }

interface Moving { oldPack: string; oldOffset: number; id: string; bytes: Buffer }

/** The step's counter sequence: one CollectStorage per step, after any earlier step's. */
export const stepSeq = (ctx: GcContext, batch = 0): number => ctx.step * 100 + batch;

/** Packs the moving chunks (each id once) into new packs of at most MAX_PACK_BYTES. */
function newPacks(moving: readonly Moving[]): { id: string; bytes: Buffer; at: Map<string, number> }[] {
  const out: { id: string; bytes: Buffer; at: Map<string, number> }[] = [];
  let pending: Moving[] = [];
  let pendingBytes = 0;
  const seen = new Set<string>();
  const close = () => {
    if (pending.length === 0) return;
    const p = encodePack(pending.map((m) => ({ id: m.id, bytes: m.bytes })));
    out.push({ id: p.id, bytes: p.bytes, at: new Map(decodePack(p.bytes).map((e) => [e.id, e.offset])) });
    pending = [];
    pendingBytes = 0;
  };
  for (const m of moving) {
    if (seen.has(m.id)) continue;
    seen.add(m.id);
    if (pending.length > 0 && packSize(pending.length + 1, pendingBytes + m.bytes.length) > MAX_PACK_BYTES) close();
    pending.push(m);
    pendingBytes += m.bytes.length;
  }
  close();
  return out;
}

export const repackPhase: Phase<RepackCursor> = async (ctx, cursor = {}) => {
  if (cursor.stopped) return { done: true };
  const { blobs } = ctx.deps;
  const candidates = await listReader(ctx, 'candidates', CANDIDATE_BYTES, cursor.candidates);
  const live = await listReader(ctx, 'candidate-live', MARK_BYTES, cursor.live);
  const moving: Moving[] = [];
  const repacked: { pack: string; bytes: number }[] = [];
  let readBytes = 0;
  for (let n = 0; n < ctx.limits.repackPacks && readBytes < ctx.limits.repackBytes && candidates.current; n++) {
    const c = candidateOf(candidates.current);
    readBytes += c.bytes;
    const packBuf = Buffer.from(c.pack, 'hex');
    const offsets = new Set<number>();
    while (live.current && live.current.compare(packBuf, 0, 32, 0, 32) < 0) await live.advance();
    while (live.current && live.current.compare(packBuf, 0, 32, 0, 32) === 0) { offsets.add(markOffset(live.current)); await live.advance(); }
    await candidates.advance();
    let bytes: Buffer;
    try {
      bytes = await blobs.get(packKey(ctx.tenantId, c.pack));
    } catch (err) {
      if (err instanceof NotFoundError) { count(ctx, 'missingPacks'); continue; }
      throw err;
    }
    let entries;
    try {
      entries = verifyPack(bytes, c.pack).entries;
    } catch (err) {
      if (err instanceof PackFormatError) { count(ctx, 'corruptPacksNotRepacked'); continue; }
      throw err;
    }
    const kept = entries.filter((e) => offsets.has(e.offset));
    if (kept.length !== offsets.size) { count(ctx, 'repackMismatchedPacks'); continue; } // marks that name no chunk of the pack: left as it is
    for (const e of kept) moving.push({ oldPack: c.pack, oldOffset: e.offset, id: e.id, bytes: e.bytes });
    repacked.push({ pack: c.pack, bytes: bytes.length });
  }
  const next: RepackCursor = { candidates: candidates.position, live: live.position };
  if (repacked.length > 0) {
    const packs = newPacks(moving);
    const gc = { runId: ctx.run.runId, seq: stepSeq(ctx) };
    const retry = gcStepApplied((await storageHandler.load(ctx.deps, ctx.tenantId)).state, gc);
    if (!retry) {
      // A new pack that exists already is another's: never point indexes at an object this run did not make.
      const clash = await mapLimit(packs, 8, async (p) => (await blobs.head(packKey(ctx.tenantId, p.id))) !== undefined);
      if (clash.some(Boolean)) { count(ctx, 'repackClashes'); return candidates.current ? { cursor: next } : { done: true }; }
      try {
        const tenant = await loadTenant(ctx.deps, ctx.tenantId);
        await storageHandler(ctx.deps, ctx.tenantId, {
          type: 'CollectStorage', quotaBytes: tenant.quotaBytes,
          data: { tenantId: ctx.tenantId, gc, charge: packs.map((p) => ({ packId: p.id, bytes: p.bytes.length })), release: [] },
        }, commandMeta(ctx.deps, ctx.actor), { attempts: 64 });
      } catch (err) {
        if (err instanceof DomainError && err.reason === 'quota-exceeded') { count(ctx, 'repackStoppedAtQuota'); return { cursor: { ...next, stopped: true } }; }
        throw err;
      }
    }
    await mapLimit(packs, 4, (p) => blobs.put(packKey(ctx.tenantId, p.id), p.bytes, { contentType: 'application/octet-stream' }));
    const where = new Map<string, { pack: string; offset: number }>();
    for (const p of packs) for (const [id, offset] of p.at) where.set(id, { pack: p.id, offset });
    const moved = listWriter(ctx, 'moved', MOVED_BYTES);
    const row = Buffer.alloc(MOVED_BYTES);
    for (const m of moving) {
      const to = where.get(m.id) as { pack: string; offset: number };
      await moved.add(writeMoved(row, m.oldPack, m.oldOffset, to.pack, to.offset, m.bytes.length));
    }
    await closeList(ctx, 'moved', moved);
    const done = listWriter(ctx, 'repacked', PACK_SIZE_BYTES);
    for (const r of repacked) await done.add(writePackSize(Buffer.alloc(PACK_SIZE_BYTES), r.pack, r.bytes));
    await closeList(ctx, 'repacked', done);
    count(ctx, 'repackedPacks', repacked.length);
    count(ctx, 'repackedBytes', repacked.reduce((n, r) => n + r.bytes, 0));
    count(ctx, 'repackWrittenPacks', packs.length);
    count(ctx, 'repackWrittenBytes', packs.reduce((n, p) => n + p.bytes.length, 0));
    count(ctx, 'movedChunks', moving.length);
  }
  return candidates.current ? { cursor: next } : { done: true };
};
