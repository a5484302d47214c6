/**
 * What the source core sends for one extent (DESIGN §5), decided from the extent's bytes and
 * the signatures of the same extent as last replicated:
 *
 *  - SKIP: nothing to list — unchanged since the parent, or an all-zero extent of a base
 *    (absent from a base means zero);
 *  - ZERO: all zero now, and was not before (an incremental lists it explicitly);
 *  - DELTA: at most half the sub-blocks changed — a chunk with the bitmap and those sub-blocks;
 *  - FULL: a chunk with the whole extent.
 *
 * Pure, synchronous: runs on a worker thread (extent-worker.ts) and in unit tests.
 */
import { encodeDeltaChunk, encodeFullChunk } from '../format/chunk.js';
import type { EncodeOptions } from '../format/codec.js';
import { chooseEncoding, extractSubBlocks } from '../format/delta.js';
import { subBlockCount } from '../format/geometry.js';
import { chunkId } from '../format/hash.js';
import { bitmapBytes, changedBitmap, nonZeroBitmap, subBlockSignatures } from './signatures.js';

export type ExtentDecision = 'SKIP' | 'ZERO' | 'FULL' | 'DELTA';

export interface ExtentInput {
  readonly bytes: Uint8Array;
  /** Signatures of this extent as last replicated; undefined when there is no parent state for it. */
  readonly previous: Uint8Array | undefined;
  /** 'base': absent = zero. 'incremental': absent = the parent's extent. */
  readonly type: 'base' | 'incremental';
  readonly subBlockSize: number;
  readonly encode?: EncodeOptions;
}

export interface ExtentOutcome {
  readonly decision: ExtentDecision;
  /** New signatures of the extent (to remember at commit). */
  readonly signatures: Buffer;
  /** Bytes of sub-blocks that differ from the parent state (zeros when there is none). */
  readonly changedBytes: number;
  readonly chunk?: Buffer;
  readonly chunkId?: string;
  readonly bitmap?: bigint;
}

export function encodeExtentJob(input: ExtentInput): ExtentOutcome {
  const { bytes, subBlockSize } = input;
  const signatures = subBlockSignatures(bytes, subBlockSize);
  const blocks = subBlockCount(bytes.length, subBlockSize);
  const parent = input.previous && input.previous.length === signatures.length ? input.previous : undefined;
  const nonZero = nonZeroBitmap(bytes, subBlockSize);
  let changed: bigint;
  if (parent) {
    changed = changedBitmap(parent, signatures);
    if (changed === 0n) return { decision: 'SKIP', signatures, changedBytes: 0 };
  } else {
    changed = nonZero;
  }
  const changedBytes = bitmapBytes(changed, bytes.length, subBlockSize);
  if (nonZero === 0n) {
    // No parent state of this length in an incremental: the parent's extent may be anything.
    const decision = input.type === 'base' ? 'SKIP' : 'ZERO';
    return { decision, signatures, changedBytes };
  }
  if (parent && chooseEncoding(changed, blocks) === 'DELTA') {
    const chunk = encodeDeltaChunk(changed, extractSubBlocks(bytes, changed, subBlockSize), input.encode);
    return { decision: 'DELTA', signatures, changedBytes, chunk, chunkId: chunkId(chunk), bitmap: changed };
  }
  const chunk = encodeFullChunk(bytes, input.encode);
  return { decision: 'FULL', signatures, changedBytes, chunk, chunkId: chunkId(chunk) };
}
