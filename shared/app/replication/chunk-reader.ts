/**
 * Reads chunks out of their packs by byte range (restore, failback, commit's manifest checks):
 * the caller knows each chunk's location (an RP's index, or its upload records at commit);
 * chunks of one pack that lie close together are read with one ranged read, several packs in
 * parallel — never one request per chunk, never a whole pack for one chunk.
 *
 * Every chunk is verified before anyone gets it: its bytes must hash to its id. A mismatch is
 * read once more; a chunk found corrupt is served from its healed copy if one arrived since
 * (`ChunkHealed`, relocation records), else the corruption is recorded (`ChunkCorruptionDetected`,
 * once per chunk and pack, and a damaged record, so `missing` asks for it again and the next
 * upload of it heals it) and the read fails with DomainError reason 'stored-chunk-corrupt' (a 5xx).
 */
import { DomainError } from '../../domain/errors.js';
import { chunkId as hashChunk } from '../../format/index.js';
import type { ChunkLocation } from '../../format/rp-index.js';
import type { AppDeps } from '../deps.js';
import { chunkIntegrityHandler } from '../handlers.js';
import { damagedCollection, relocatedCollection, type DamagedRecord } from './damage.js';
import { mapLimit, packKey } from './storage.js';

/** Chunks of a pack closer than this are read with one range (the gap is read and dropped). */
const MERGE_GAP = 256 * 1024;
/** Ranges read at once. */
const READ_PARALLELISM = 8;

export type ChunkReaderDeps = Pick<AppDeps, 'blobs' | 'events' | 'operational' | 'clock'>;

export interface LocatedChunk { readonly id: string; readonly location: ChunkLocation }

interface Range { pack: string; start: number; end: number; chunks: LocatedChunk[] }

/** Groups chunks into ranged reads: per pack, by offset, merging neighbours up to MERGE_GAP apart. */
function ranges(chunks: readonly LocatedChunk[]): Range[] {
  const byPack = new Map<string, LocatedChunk[]>();
  for (const c of chunks) {
    let list = byPack.get(c.location.pack);
    if (!list) byPack.set(c.location.pack, (list = []));
    list.push(c);
  }
  const out: Range[] = [];
  for (const [pack, list] of byPack) {
    list.sort((a, b) => a.location.offset - b.location.offset);
    let current: Range | undefined;
    for (const c of list) {
      const { offset, length } = c.location;
      if (current && offset <= current.end + MERGE_GAP) {
        current.end = Math.max(current.end, offset + length);
        current.chunks.push(c);
      } else {
        current = { pack, start: offset, end: offset + length, chunks: [c] };
        out.push(current);
      }
    }
  }
  return out;
}

/**
 * The verified stored bytes of each chunk, in the order given (duplicates allowed). `actor`
 * records a corruption found. Throws DomainError 'stored-chunk-corrupt' for a corrupt chunk.
 */
export async function readLocated(deps: ChunkReaderDeps, tenantId: string, chunks: readonly LocatedChunk[], actor: string): Promise<Buffer[]> {
  const got = new Map<string, Buffer>();
  await mapLimit(ranges(chunks), READ_PARALLELISM, async (r) => {
    const bytes = await deps.blobs.getRange(packKey(tenantId, r.pack), r.start, r.end - r.start);
    for (const c of r.chunks) {
      if (got.has(c.id)) continue;
      const at = c.location.offset - r.start;
      const slice = at + c.location.length <= bytes.length ? bytes.subarray(at, at + c.location.length) : undefined;
      got.set(c.id, slice && hashChunk(slice) === c.id ? slice : await recheck(deps, tenantId, c, actor));
    }
  });
  return chunks.map((c) => got.get(c.id) as Buffer);
}

/** A chunk whose read did not verify: read again alone, then its healed copy, else record it corrupt. */
async function recheck(deps: ChunkReaderDeps, tenantId: string, c: LocatedChunk, actor: string): Promise<Buffer> {
  const again = await readOne(deps, tenantId, c.location);
  if (again.length === c.location.length && hashChunk(again) === c.id) return again;
  const healed = await deps.operational.get<ChunkLocation>(relocatedCollection(tenantId), c.id);
  if (healed && healed.pack !== c.location.pack) {
    const copy = await readOne(deps, tenantId, healed);
    if (copy.length === healed.length && hashChunk(copy) === c.id) return copy;
  }
  const actualSha256 = hashChunk(again);
  await recordCorruption(deps, tenantId, c, actualSha256, actor);
  throw new DomainError('not-found', `chunk ${c.id} is stored corrupt in pack ${c.location.pack} (its bytes hash to ${actualSha256}); `
    + 'nothing was served; it counts as missing until it is uploaded again', { reason: 'stored-chunk-corrupt', details: { chunk: c.id, pack: c.location.pack } });
}

const readOne = (deps: ChunkReaderDeps, tenantId: string, l: ChunkLocation): Promise<Buffer> =>
  deps.blobs.getRange(packKey(tenantId, l.pack), l.offset, l.length);

/**
 * The event first, then the damaged record that `missing` and uploads read: a failed append
 * leaves no record, so the next read tries again. Nothing corrupt is ever served meanwhile.
 */
async function recordCorruption(deps: ChunkReaderDeps, tenantId: string, c: LocatedChunk, actualSha256: string, actor: string): Promise<void> {
  const { pack, offset, length } = c.location;
  await chunkIntegrityHandler(deps, { tenantId, chunkId: c.id }, {
    type: 'RecordChunkCorruption', data: { tenantId, chunk: c.id, pack, offset, length, actualSha256 },
  }, actor);
  const record: DamagedRecord = { chunk: c.id, pack, offset, length };
  await deps.operational.put(damagedCollection(tenantId), c.id, record);
  await deps.operational.delete(relocatedCollection(tenantId), c.id);
}
