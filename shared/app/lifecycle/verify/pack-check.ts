/**
 * Re-reads the chunks of one pack by byte range and re-hashes each (the verify job's unit of
 * work): neighbouring chunks are read with one ranged read, as restores read them (never the
 * whole pack for one chunk, never one request per chunk), each read paced by the job's ReadRate.
 * A chunk whose bytes do not hash to its id is read once more on its own (a transient read
 * fault is not a finding), then its healed copy is tried (a relocation record: the damage was
 * healed into another pack since); failing that it is `corrupt`. A chunk the store does not hold
 * (the pack object gone, or ending before the chunk) is `missing`.
 */
import { chunkId as hashChunk } from '../../../format/index.js';
import type { ChunkLocation } from '../../../format/rp-index.js';
import { NotFoundError } from '../../../ports/errors.js';
import type { AppDeps } from '../../deps.js';
import type { LocatedChunk } from '../../replication/chunk-reader.js';
import { relocatedCollection } from '../../replication/damage.js';
import { packKey } from '../../replication/storage.js';
import type { ReadRate } from './read-rate.js';

/** Chunks of a pack closer than this are read with one range (as chunk reads do). */
const MERGE_GAP = 256 * 1024;

export type ChunkOutcome =
  | { readonly chunk: LocatedChunk; readonly status: 'ok' }
  | { readonly chunk: LocatedChunk; readonly status: 'corrupt'; readonly actualSha256: string }
  | { readonly chunk: LocatedChunk; readonly status: 'missing' };

export interface PackCheck { readonly outcomes: ChunkOutcome[]; readonly bytesRead: number }

interface Range { start: number; end: number; chunks: LocatedChunk[] }

function rangesOf(chunks: readonly LocatedChunk[]): Range[] {
  const sorted = [...chunks].sort((a, b) => a.location.offset - b.location.offset);
  const out: Range[] = [];
  let current: Range | undefined;
  for (const c of sorted) {
    const { offset, length } = c.location;
    if (current && offset <= current.end + MERGE_GAP) {
      current.end = Math.max(current.end, offset + length);
      current.chunks.push(c);
    } else {
      current = { start: offset, end: offset + length, chunks: [c] };
      out.push(current);
    }
  }
  return out;
}

type Deps = Pick<AppDeps, 'blobs' | 'operational'>;

/** The bytes of [offset, +length) of a tenant's pack; undefined when the pack object is gone. */
async function readRange(deps: Deps, tenantId: string, pack: string, offset: number, length: number): Promise<Buffer | undefined> {
  try {
    return await deps.blobs.getRange(packKey(tenantId, pack), offset, length);
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

const good = (bytes: Buffer | undefined, l: ChunkLocation, id: string): boolean => bytes !== undefined && bytes.length === l.length && hashChunk(bytes) === id;

/** A chunk whose ranged read did not verify: alone once more, then its healed copy. */
async function recheck(deps: Deps, tenantId: string, c: LocatedChunk, rate: ReadRate): Promise<{ outcome: ChunkOutcome; bytes: number }> {
  const { pack, offset, length } = c.location;
  await rate.ready();
  const again = await readRange(deps, tenantId, pack, offset, length);
  let bytes = again?.length ?? 0;
  rate.spent(bytes);
  if (good(again, c.location, c.id)) return { outcome: { chunk: c, status: 'ok' }, bytes };
  const healed = await deps.operational.get<ChunkLocation>(relocatedCollection(tenantId), c.id);
  if (healed && (healed.pack !== pack || healed.offset !== offset)) {
    await rate.ready();
    const copy = await readRange(deps, tenantId, healed.pack, healed.offset, healed.length);
    bytes += copy?.length ?? 0;
    rate.spent(copy?.length ?? 0);
    if (good(copy, healed, c.id)) return { outcome: { chunk: c, status: 'ok' }, bytes };
  }
  if (again === undefined || again.length < length) return { outcome: { chunk: c, status: 'missing' }, bytes };
  return { outcome: { chunk: c, status: 'corrupt', actualSha256: hashChunk(again) }, bytes };
}

/** Checks every chunk given (all of one pack), in the order given. */
export async function checkPack(deps: Deps, tenantId: string, pack: string, chunks: readonly LocatedChunk[], rate: ReadRate): Promise<PackCheck> {
  const byId = new Map<LocatedChunk, ChunkOutcome>();
  let bytesRead = 0;
  for (const r of rangesOf(chunks)) {
    await rate.ready();
    const bytes = await readRange(deps, tenantId, pack, r.start, r.end - r.start);
    bytesRead += bytes?.length ?? 0;
    rate.spent(bytes?.length ?? 0);
    for (const c of r.chunks) {
      const at = c.location.offset - r.start;
      const slice = bytes && at + c.location.length <= bytes.length ? bytes.subarray(at, at + c.location.length) : undefined;
      if (good(slice, c.location, c.id)) {
        byId.set(c, { chunk: c, status: 'ok' });
        continue;
      }
      const checked = await recheck(deps, tenantId, c, rate);
      bytesRead += checked.bytes;
      byId.set(c, checked.outcome);
    }
  }
  return { outcomes: chunks.map((c) => byId.get(c) as ChunkOutcome), bytesRead };
}
