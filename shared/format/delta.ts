/**
 * Sub-block deltas (DESIGN §5): the DELTA chunks of kind 2 (chunk.ts), which recovery points
 * written before block deltas hold and restore still applies; the source now writes block
 * deltas (block-delta.ts, kind 4). Bit j of a 64-bit bitmap (least significant bit =
 * sub-block 0) marks sub-block j of an extent as changed; a DELTA chunk carries those
 * sub-blocks concatenated in ascending order. The last sub-block of a short (final) extent is
 * short.
 *
 * Hot paths compare and copy whole sub-blocks (Buffer.equals / copy on subarrays); the only
 * per-bit loop is over ≤ 64 bitmap bits.
 */
import { FormatError } from './errors.js';
import { BITMAP_BITS, SUB_BLOCK, subBlockCount } from './geometry.js';

export type Encoding = 'FULL' | 'DELTA';
const EXTENT_SUB_BLOCKS = BITMAP_BITS;

/** Sub-block indices set in `bitmap`, ascending. */
export function subBlockIndices(bitmap: bigint): number[] {
  const out: number[] = [];
  let lo = Number(bitmap & 0xffffffffn);
  let hi = Number((bitmap >> 32n) & 0xffffffffn);
  for (let j = 0; lo !== 0; j++, lo >>>= 1) if (lo & 1) out.push(j);
  for (let j = 32; hi !== 0; j++, hi >>>= 1) if (hi & 1) out.push(j);
  return out;
}

/** Bitmap with the given sub-block indices set. */
export function bitmapOf(indices: Iterable<number>): bigint {
  let bitmap = 0n;
  for (const j of indices) {
    if (!Number.isInteger(j) || j < 0 || j >= BITMAP_BITS) throw new FormatError(`sub-block index ${j} out of 0..63`);
    bitmap |= 1n << BigInt(j);
  }
  return bitmap;
}

/** Number of bits set in a 64-bit bitmap. */
export function popcount(bitmap: bigint): number {
  const count32 = (v: number): number => {
    v = v - ((v >>> 1) & 0x55555555);
    v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
    return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  };
  return count32(Number(bitmap & 0xffffffffn)) + count32(Number((bitmap >> 32n) & 0xffffffffn));
}

function checkBitmap(bitmap: bigint, extentLength: number, subBlockSize: number): number[] {
  if (bitmap < 0n || bitmap >> 64n !== 0n) throw new FormatError('bitmap is not a 64-bit value');
  const indices = subBlockIndices(bitmap);
  const blocks = subBlockCount(extentLength, subBlockSize);
  const last = indices[indices.length - 1];
  if (last !== undefined && last >= blocks) {
    throw new FormatError(`bitmap marks sub-block ${last}, the extent has ${blocks}`);
  }
  return indices;
}

/** Bitmap of the sub-blocks that differ between two extents of equal length. */
export function diffExtent(oldExtent: Uint8Array, newExtent: Uint8Array, subBlockSize: number = SUB_BLOCK): bigint {
  if (oldExtent.length !== newExtent.length) {
    throw new FormatError(`cannot diff extents of ${oldExtent.length} and ${newExtent.length} bytes`);
  }
  const a = Buffer.from(oldExtent.buffer, oldExtent.byteOffset, oldExtent.byteLength);
  const b = Buffer.from(newExtent.buffer, newExtent.byteOffset, newExtent.byteLength);
  const blocks = subBlockCount(a.length, subBlockSize);
  if (blocks > BITMAP_BITS) throw new FormatError(`an extent of ${blocks} sub-blocks does not fit a 64-bit bitmap`);
  let lo = 0;
  let hi = 0;
  for (let j = 0; j < blocks; j++) {
    const start = j * subBlockSize;
    const end = Math.min(start + subBlockSize, a.length);
    if (!a.subarray(start, end).equals(b.subarray(start, end))) {
      if (j < 32) lo |= 1 << j;
      else hi |= 1 << (j - 32);
    }
  }
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** Total byte length of the sub-blocks `bitmap` selects in an extent of `extentLength`. */
export function deltaLength(bitmap: bigint, extentLength: number, subBlockSize: number = SUB_BLOCK): number {
  let total = 0;
  for (const j of checkBitmap(bitmap, extentLength, subBlockSize)) {
    total += Math.min(subBlockSize, extentLength - j * subBlockSize);
  }
  return total;
}

/** The sub-blocks of `extent` selected by `bitmap`, concatenated (the DELTA chunk payload). */
export function extractSubBlocks(extent: Uint8Array, bitmap: bigint, subBlockSize: number = SUB_BLOCK): Buffer {
  const src = Buffer.from(extent.buffer, extent.byteOffset, extent.byteLength);
  const indices = checkBitmap(bitmap, src.length, subBlockSize);
  const out = Buffer.allocUnsafe(deltaLength(bitmap, src.length, subBlockSize));
  let at = 0;
  for (const j of indices) {
    const start = j * subBlockSize;
    at += src.copy(out, at, start, Math.min(start + subBlockSize, src.length));
  }
  return out;
}

/** Writes the delta's sub-blocks over `target` (mutates it). */
export function applyDeltaInPlace(target: Uint8Array, bitmap: bigint, subBlocks: Uint8Array, subBlockSize: number = SUB_BLOCK): void {
  const dst = Buffer.from(target.buffer, target.byteOffset, target.byteLength);
  const src = Buffer.from(subBlocks.buffer, subBlocks.byteOffset, subBlocks.byteLength);
  const expected = deltaLength(bitmap, dst.length, subBlockSize);
  if (src.length !== expected) {
    throw new FormatError(`delta carries ${src.length} bytes, its bitmap selects ${expected}`);
  }
  let at = 0;
  for (const j of subBlockIndices(bitmap)) {
    const start = j * subBlockSize;
    const len = Math.min(subBlockSize, dst.length - start);
    src.copy(dst, start, at, at + len);
    at += len;
  }
}

/** A new extent: `parentExtent` with the delta's sub-blocks applied (the parent is untouched). */
export function applyDelta(parentExtent: Uint8Array, bitmap: bigint, subBlocks: Uint8Array, subBlockSize: number = SUB_BLOCK): Buffer {
  const out = Buffer.allocUnsafe(parentExtent.length);
  out.set(parentExtent);
  applyDeltaInPlace(out, bitmap, subBlocks, subBlockSize);
  return out;
}

/**
 * Encoding policy: DELTA when at most half the extent's sub-blocks changed, else FULL (so a
 * restore never applies a delta larger than half an extent). `changed` is a count or a bitmap;
 * zero changes need no chunk at all (the caller omits the extent from an incremental).
 */
export function chooseEncoding(changed: number | bigint, subBlocksInExtent: number = EXTENT_SUB_BLOCKS): Encoding {
  const count = typeof changed === 'bigint' ? popcount(changed) : changed;
  return count * 2 <= subBlocksInExtent ? 'DELTA' : 'FULL';
}

const ZEROS = Buffer.alloc(SUB_BLOCK);

/** True when every byte is zero (compares 64 KiB slices against a zero buffer). */
export function isAllZero(bytes: Uint8Array): boolean {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at < b.length; at += ZEROS.length) {
    const end = Math.min(at + ZEROS.length, b.length);
    if (!b.subarray(at, end).equals(ZEROS.subarray(0, end - at))) return false;
  }
  return true;
}
