/**
 * Resolving a recovery-point chain (DESIGN §5). `chain` is ordered base … target; each link is
 * a decoded Manifest or a lazy ManifestReader. Extent `i` of a volume at the target is found by
 * walking back from the target to the nearest link that fixes it — FULL (its chunk), ZERO or
 * absent from a base (zeros), a volume that did not exist yet or was smaller (zeros) — then
 * applying the DELTAs met on the way, oldest first: a block DELTA by the block size it names,
 * a sub-block DELTA (kind 2, older RPs) by the link's sub-block size (delta-chunk.ts). An
 * extent absent from an incremental is the parent's. Every chunk is verified against its id unless `verify` is false.
 *
 * Extents are independent: callers may resolve several concurrently; memory is one extent per
 * call plus the DELTA chunks on its path.
 */
import { decodeChunk, type DecodedChunk } from './chunk.js';
import { fetchChunk } from './chunk-source.js';
import { applyDeltaChunkInPlace } from './delta-chunk.js';
import { ChainError, FormatError } from './errors.js';
import { extentCount, extentLength, sameGeometry, type Geometry } from './geometry.js';
import { findVolume, lookupExtent, manifestGeometry } from './manifest.js';
import { ManifestReader } from './manifest-reader.js';
import type { ExtentEntry, GetChunk, Manifest } from './manifest-types.js';

export type ChainLink = Manifest | ManifestReader;

export interface ResolveOptions {
  /** Verify each chunk's SHA-256 against its id (default true). */
  readonly verify?: boolean;
}

const geometryOf = (link: ChainLink): Geometry => (link instanceof ManifestReader ? link.geometry : manifestGeometry(link));

function volumeSize(link: ChainLink, name: string): number | undefined {
  return link instanceof ManifestReader ? link.volume(name)?.sizeBytes : findVolume(link, name)?.sizeBytes;
}

async function entryOf(link: ChainLink, name: string, index: number): Promise<ExtentEntry | undefined> {
  return link instanceof ManifestReader ? link.lookup(name, index) : lookupExtent(link, name, index);
}

/** Checks a chain (non-empty, starts with a base, one geometry) and returns its geometry. */
export function checkChain(chain: readonly ChainLink[]): Geometry {
  const first = chain[0];
  if (!first) throw new ChainError('empty recovery-point chain');
  if (first.type !== 'base') throw new ChainError('a recovery-point chain must start with a base');
  const g = geometryOf(first);
  for (const link of chain) if (!sameGeometry(g, geometryOf(link))) throw new ChainError('chain links use different extent geometries');
  return g;
}

function fit(bytes: Buffer, length: number): Buffer {
  if (bytes.length === length) return bytes;
  const out = Buffer.alloc(length);
  bytes.copy(out, 0, 0, Math.min(length, bytes.length));
  return out;
}

async function load(getChunk: GetChunk, entry: ExtentEntry & { chunk: string }, verify: boolean): Promise<DecodedChunk> {
  const decoded = decodeChunk(await fetchChunk(getChunk, entry.chunk, verify));
  if (decoded.kind !== entry.kind) {
    throw new ChainError(`extent ${entry.index}: chunk ${entry.chunk} is ${decoded.kind}, manifest says ${entry.kind}`);
  }
  return decoded;
}

/**
 * The bytes of extent `index` of `volumeName` at the chain's target (length: the extent's
 * length in the target volume). May share memory with a chunk from `getChunk`: do not mutate.
 */
export async function resolveExtent(chain: readonly ChainLink[], volumeName: string, index: number, getChunk: GetChunk, options: ResolveOptions = {}): Promise<Buffer> {
  const g = checkChain(chain);
  const verify = options.verify ?? true;
  const targetSize = volumeSize(chain[chain.length - 1] as ChainLink, volumeName);
  if (targetSize === undefined) throw new ChainError(`volume ${JSON.stringify(volumeName)} is not in the target recovery point`);
  if (!Number.isInteger(index) || index < 0 || index >= extentCount(targetSize, g)) {
    throw new ChainError(`extent ${index} is outside volume ${JSON.stringify(volumeName)}`);
  }
  const deltas: { entry: ExtentEntry & { chunk: string }; length: number }[] = [];
  let base: Buffer | undefined;
  let baseFromChunk: Buffer | undefined;
  for (let k = chain.length - 1; k >= 0 && base === undefined; k--) {
    const link = chain[k] as ChainLink;
    const size = volumeSize(link, volumeName);
    const length = size === undefined ? 0 : extentLength(size, index, g);
    if (length === 0) {
      base = Buffer.alloc(0); // the volume did not exist, or did not reach this extent
      break;
    }
    const entry = await entryOf(link, volumeName, index);
    if (entry === undefined) {
      if (link.type === 'base') base = Buffer.alloc(length);
    } else if (entry.kind === 'ZERO') {
      base = Buffer.alloc(length);
    } else if (entry.kind === 'DELTA') {
      deltas.push({ entry, length });
    } else {
      const full = await load(getChunk, entry, verify);
      if (full.data.length !== length) {
        throw new ChainError(`extent ${index}: FULL chunk holds ${full.data.length} bytes, the extent is ${length}`);
      }
      base = baseFromChunk = full.data;
    }
  }
  if (base === undefined) throw new ChainError('the chain has no base for this extent');
  let current = base;
  let owned = base !== baseFromChunk; // zero buffers are ours; a chunk's bytes are not
  for (let d = deltas.length - 1; d >= 0; d--) {
    const { entry, length } = deltas[d] as (typeof deltas)[number];
    const delta = await load(getChunk, entry, verify);
    if (delta.kind !== 'DELTA') throw new ChainError('unreachable: DELTA entry resolved to another kind');
    let target = fit(current, length);
    if (target === current && !owned) target = Buffer.from(current);
    try {
      applyDeltaChunkInPlace(target, delta, g.subBlockSize);
    } catch (err) {
      throw new ChainError(`extent ${index}: chunk ${entry.chunk}: ${err instanceof FormatError ? err.detail : String(err)}`);
    }
    current = target;
    owned = true;
  }
  return fit(current, extentLength(targetSize, index, g));
}

/** Every extent of a volume at the chain's target, in order (concatenated: the volume). */
export async function* restoreVolume(chain: readonly ChainLink[], volumeName: string, getChunk: GetChunk, options: ResolveOptions = {}): AsyncGenerator<Buffer> {
  const g = checkChain(chain);
  const size = volumeSize(chain[chain.length - 1] as ChainLink, volumeName);
  if (size === undefined) throw new ChainError(`volume ${JSON.stringify(volumeName)} is not in the target recovery point`);
  const count = extentCount(size, g);
  for (let i = 0; i < count; i++) yield await resolveExtent(chain, volumeName, i, getChunk, options);
}
