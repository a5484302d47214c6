/**
 * Verifies one committed RP through its index (shared/format/rp-index.ts), part by part and,
 * within a part, pack by pack (each pack's chunks read by range and re-hashed: pack-check.ts),
 * until done or the step's deadline; then the caller records the result. Memory: one index part
 * (≤ 49,152 entries) and one pack's ranges. Bad chunks are recorded as they are found, naming
 * the RPs they break.
 */
import { createHash } from 'node:crypto';
import { MAX_NAMED_BAD_CHUNKS } from '../../../domain/verification.js';
import type { RecoveryPointCommittedData } from '../../../domain/recovery-point.js';
import { FormatError } from '../../../format/errors.js';
import { RpIndexPart } from '../../../format/rp-index.js';
import { NotFoundError } from '../../../ports/errors.js';
import type { CommandMeta } from '../../command-handler.js';
import type { AppDeps } from '../../deps.js';
import type { LocatedChunk } from '../../replication/chunk-reader.js';
import { rpIndexKey } from '../../replication/storage.js';
import { rpsBrokenBy } from './broken-rps.js';
import { checkPack } from './pack-check.js';
import type { ReadRate } from './read-rate.js';
import { recordDamage } from './record-damage.js';
import type { RpProgress } from './verify-cursor.js';

export interface DamageNote { tenantId: string; machineId: string; rpId: string; chunk: string; problem: 'corrupt' | 'missing'; rps: string[] }

export interface RpRunContext {
  readonly deps: AppDeps;
  readonly tenantId: string;
  readonly runId: string;
  readonly meta: CommandMeta;
  readonly rate: ReadRate;
  /** True once the step should stop (checked after each pack). */
  readonly pastDeadline: () => boolean;
  /** When the step should stop (ms): a pack is not begun if the read rate would make it wait past that. */
  readonly deadline: number;
  readonly stats: { chunks: number; bytesRead: number; damaged: DamageNote[] };
}

const EMPTY_SUM = '0'.repeat(64);

async function readPart(ctx: RpRunContext, rp: RecoveryPointCommittedData, n: number): Promise<{ part: RpIndexPart; sum: string } | { problem: string }> {
  let bytes: Buffer;
  try {
    bytes = await ctx.deps.blobs.get(rpIndexKey(ctx.tenantId, rp.rpId, n, rp.index?.generation));
  } catch (err) {
    if (err instanceof NotFoundError) return { problem: `index part ${n} is missing` };
    throw err;
  }
  try {
    return { part: RpIndexPart.decode(bytes), sum: bytes.subarray(bytes.length - 32).toString('hex') };
  } catch (err) {
    if (err instanceof FormatError) return { problem: `index part ${n} does not decode: ${err.detail}` };
    throw err;
  }
}

function byPack(part: RpIndexPart): Map<string, LocatedChunk[]> {
  const out = new Map<string, LocatedChunk[]>();
  for (const e of part.entries()) {
    const list = out.get(e.pack) ?? out.set(e.pack, []).get(e.pack)!;
    list.push({ id: e.chunk, location: { pack: e.pack, offset: e.offset, length: e.length } });
  }
  return out;
}

/** Continues `p` (mutated); true when every part is done. */
export async function continueRp(ctx: RpRunContext, rp: RecoveryPointCommittedData, p: RpProgress): Promise<boolean> {
  const parts = rp.index?.firstChunks.length ?? 0;
  for (; p.part < parts; p.part++, delete p.packAfter) {
    const read = await readPart(ctx, rp, p.part);
    if ('problem' in read) {
      if (p.packAfter === undefined) p.partSums.push(EMPTY_SUM);
      p.indexProblem ??= read.problem;
      if (p.badChunks.length < MAX_NAMED_BAD_CHUNKS) p.badChunks.push({ chunk: rp.index!.firstChunks[p.part]!, problem: 'index' });
      continue;
    }
    if (p.packAfter === undefined) p.partSums.push(read.sum);
    const packs = byPack(read.part);
    for (const pack of [...packs.keys()].sort()) {
      if (p.packAfter !== undefined && pack <= p.packAfter) continue;
      const chunks = packs.get(pack)!;
      // Not the step's first pack (every step makes progress): stop rather than outwait the deadline.
      if (ctx.stats.chunks > 0 && !(await ctx.rate.ready(ctx.deadline))) return false;
      const checked = await checkPack(ctx.deps, ctx.tenantId, pack, chunks, ctx.rate);
      p.chunks += chunks.length;
      p.bytes += chunks.reduce((n, c) => n + c.location.length, 0);
      ctx.stats.chunks += chunks.length;
      ctx.stats.bytesRead += checked.bytesRead;
      const bad = checked.outcomes.filter((o): o is Exclude<typeof o, { status: 'ok' }> => o.status !== 'ok');
      if (bad.length > 0) {
        const broken = await rpsBrokenBy(ctx.deps, ctx.tenantId, rp, bad.map((o) => o.chunk.id), ctx.meta.actor);
        for (const o of bad) {
          const rps = broken.get(o.chunk.id) ?? [rp.rpId];
          await recordDamage(ctx.deps, ctx.tenantId, {
            chunk: o.chunk.id, location: o.chunk.location, problem: o.status, ...(o.status === 'corrupt' ? { actualSha256: o.actualSha256 } : {}),
          }, { rpId: rp.rpId, rps }, ctx.runId, ctx.meta);
          p.badChunkCount++;
          if (p.badChunks.length < MAX_NAMED_BAD_CHUNKS) p.badChunks.push({ chunk: o.chunk.id, problem: o.status });
          ctx.stats.damaged.push({ tenantId: ctx.tenantId, machineId: rp.machineId, rpId: rp.rpId, chunk: o.chunk.id, problem: o.status, rps });
        }
      }
      p.packAfter = pack;
      if (ctx.pastDeadline()) return false;
    }
  }
  return true;
}

/** The result's indexSha256: SHA-256 over the parts' checksums, in order. */
export const indexSha256 = (p: RpProgress): string => createHash('sha256').update(Buffer.from(p.partSums.join(''), 'hex')).digest('hex');
