/**
 * What the source core sends for one extent (DESIGN §5), decided from the extent's bytes and
 * the signatures of the same extent as last replicated:
 *
 *  - SKIP: nothing to list — unchanged since the parent, or an all-zero extent of a base
 *    (absent from a base means zero);
 *  - ZERO: all zero now, and was not before (an incremental lists it explicitly);
 *  - DELTA: at most half the blocks (4 KiB) changed — a block DELTA chunk (chunk.ts kind 4)
 *    with the bitmap of the changed blocks and those blocks;
 *  - FULL: a chunk with the whole extent.
 *
 * Changes are found per block by signatures.ts `signExtent` (sub-blocks first, then the blocks
 * of changed sub-blocks); a previous record of sub-block signatures only (an older state) finds
 * them per sub-block, once.
 *
 * A chunk of at least SOLO_MIN_CHUNK bytes comes back already packed alone (solo-pack.ts); a raw
 * FULL extent read into a frame with SOLO_DATA_OFFSET bytes of headroom is packed in place.
 * Pure, synchronous: runs on a worker thread (extent-worker.ts) and in unit tests.
 */
import { blockCount, extractBlocks } from '../shared/format/block-delta.js';
import { encodeBlockDeltaChunk, encodeFullChunk } from '../shared/format/chunk.js';
import type { EncodeOptions } from '../shared/format/codec.js';
import { blockSizeOf, subBlockCount } from '../shared/format/geometry.js';
import { chunkId } from '../shared/format/hash.js';
import { looksIncompressible } from './compressibility.js';
import { signExtent } from './signatures.js';
import { frameRawFullPack, SOLO_DATA_OFFSET, SOLO_MIN_CHUNK, soloPack, type SoloPack } from './solo-pack.js';

export type ExtentDecision = 'SKIP' | 'ZERO' | 'FULL' | 'DELTA';

export interface ExtentInput {
  readonly bytes: Uint8Array;
  /**
   * The signature record of this extent as last replicated (same extent length); undefined when
   * there is no parent state for it. Its length says its layout (signatures.ts signExtent).
   */
  readonly previous: Uint8Array | undefined;
  /** 'base': absent = zero. 'incremental': absent = the parent's extent. */
  readonly type: 'base' | 'incremental';
  readonly subBlockSize: number;
  /** The signature key (signatures.ts). */
  readonly key: Uint8Array;
  readonly encode?: EncodeOptions;
  /** When `bytes` is `frame[SOLO_DATA_OFFSET, +length)`, a raw FULL extent is packed in place. */
  readonly frame?: Buffer;
}

export interface ExtentOutcome {
  readonly decision: ExtentDecision;
  /** New signature record of the extent (to remember at commit). */
  readonly signatures: Buffer;
  /** Bytes of blocks that differ from the parent state (of non-zero sub-blocks when there is none). */
  readonly changedBytes: number;
  readonly chunkId?: string;
  /** A chunk to pack with others (small), or … */
  readonly chunk?: Buffer;
  /** … a pack holding just this chunk (big). When it used `frame`, the frame is taken. */
  readonly pack?: SoloPack;
  readonly frameUsed?: boolean;
  /** DELTA: the canonical bitmap of the blocks it carries. */
  readonly blocks?: Buffer;
}

function packed(decision: 'FULL' | 'DELTA', base: Omit<ExtentOutcome, 'decision'>, chunk: Buffer): ExtentOutcome {
  const id = chunkId(chunk);
  if (chunk.length >= SOLO_MIN_CHUNK) return { ...base, decision, chunkId: id, pack: soloPack(chunk, id) };
  return { ...base, decision, chunkId: id, chunk };
}

export function encodeExtentJob(input: ExtentInput): ExtentOutcome {
  const { bytes, subBlockSize } = input;
  const signed = signExtent(bytes, subBlockSize, input.key, input.previous);
  const { record: signatures, changed, changedBytes } = signed;
  if (changed && changed.length === 0) return { decision: 'SKIP', signatures, changedBytes: 0 };
  if (!signed.nonZero) {
    // No parent state of this length in an incremental: the parent's extent may be anything.
    return { decision: input.type === 'base' ? 'SKIP' : 'ZERO', signatures, changedBytes };
  }
  const blockSize = blockSizeOf(subBlockSize);
  if (changed && blockCount(changed) * 2 <= subBlockCount(bytes.length, blockSize)) {
    const chunk = encodeBlockDeltaChunk(blockSize, changed, extractBlocks(bytes, changed, blockSize), input.encode);
    return { ...packed('DELTA', { signatures, changedBytes }, chunk), blocks: changed };
  }
  const raw = input.encode?.compress === false || looksIncompressible(bytes);
  const frame = input.frame;
  if (raw && frame && bytes.byteOffset === frame.byteOffset + SOLO_DATA_OFFSET && bytes.buffer === frame.buffer && bytes.length >= SOLO_MIN_CHUNK) {
    const pack = frameRawFullPack(frame, bytes.length);
    return { decision: 'FULL', signatures, changedBytes, chunkId: pack.chunkId, pack, frameUsed: true };
  }
  const chunk = encodeFullChunk(bytes, raw ? { ...input.encode, compress: false } : input.encode);
  return packed('FULL', { signatures, changedBytes }, chunk);
}
