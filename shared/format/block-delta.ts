/**
 * Block deltas (DESIGN §5): the DELTA chunks the source writes (chunk.ts kind 4). A block bitmap
 * marks the changed blocks (4 KiB in the default geometry, geometry.ts blockSizeOf) of an
 * extent; the chunk carries those blocks concatenated in ascending order. The last block of a
 * short (final) extent is short.
 *
 * A block bitmap is a byte string of 8 × w bytes (w = 1..16 little-endian 64-bit words, so up
 * to MAX_BLOCK_BITS = 1024 blocks): bit j is bit (j mod 8) of byte ⌊j / 8⌋. It is canonical —
 * its last word is not zero — so one set of blocks has one encoding, hence one chunk id.
 *
 * Hot paths copy runs of adjacent blocks (Buffer.copy); the per-bit loops skip zero bytes.
 */
import { FormatError } from './errors.js';
import { MAX_BLOCK_BITS } from './geometry.js';

const WORD = 8;
export const MAX_BLOCK_BITMAP_BYTES = MAX_BLOCK_BITS / 8;

/** Block indices set in `bitmap`, ascending. */
export function blockIndices(bitmap: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < bitmap.length; i++) {
    let v = bitmap[i] as number;
    for (let j = i * 8; v !== 0; j++, v >>>= 1) if (v & 1) out.push(j);
  }
  return out;
}

/** Number of blocks set in `bitmap`. */
export function blockCount(bitmap: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bitmap.length; i++) {
    let v = bitmap[i] as number;
    while (v !== 0) { v &= v - 1; n++; }
  }
  return n;
}

/** `bits` without its trailing zero words: the canonical bitmap (empty when no bit is set). */
export function trimBitmap(bits: Uint8Array): Buffer {
  let end = bits.length - (bits.length % WORD);
  while (end > 0 && bits.subarray(end - WORD, end).every((v) => v === 0)) end -= WORD;
  return Buffer.from(bits.subarray(0, end));
}

/** The canonical bitmap of the given block indices (empty for none). */
export function blockBitmapOf(indices: Iterable<number>): Buffer {
  const bits = new Uint8Array(MAX_BLOCK_BITMAP_BYTES);
  for (const j of indices) {
    if (!Number.isInteger(j) || j < 0 || j >= MAX_BLOCK_BITS) throw new FormatError(`block index ${j} out of 0..${MAX_BLOCK_BITS - 1}`);
    bits[j >> 3] = (bits[j >> 3] as number) | (1 << (j & 7));
  }
  return trimBitmap(bits);
}

/** Throws unless `bitmap` is a canonical, non-empty block bitmap of at most MAX_BLOCK_BITS bits. */
export function checkBlockBitmap(bitmap: Uint8Array): void {
  if (bitmap.length === 0 || bitmap.length % WORD !== 0 || bitmap.length > MAX_BLOCK_BITMAP_BYTES) {
    throw new FormatError(`a block bitmap is 1..${MAX_BLOCK_BITMAP_BYTES / WORD} 64-bit words, got ${bitmap.length} bytes`);
  }
  if (bitmap.subarray(bitmap.length - WORD).every((v) => v === 0)) throw new FormatError('a block bitmap ends in a zero word (not canonical, or empty)');
}

function checkBlockSize(blockSize: number): void {
  if (!Number.isSafeInteger(blockSize) || blockSize <= 0) throw new FormatError(`block size must be a positive integer, got ${blockSize}`);
}

/** Runs of adjacent set blocks as [first, end) pairs, checked against an extent of `extentLength`. */
function runs(bitmap: Uint8Array, extentLength: number, blockSize: number): [number, number][] {
  checkBlockSize(blockSize);
  const out: [number, number][] = [];
  for (const j of blockIndices(bitmap)) {
    const last = out[out.length - 1];
    if (last && last[1] === j) last[1] = j + 1;
    else out.push([j, j + 1]);
  }
  const blocks = Math.ceil(extentLength / blockSize);
  const end = out[out.length - 1]?.[1] ?? 0;
  if (end > blocks) throw new FormatError(`bitmap marks block ${end - 1}, the extent has ${blocks}`);
  return out;
}

/** Total byte length of the blocks `bitmap` selects in an extent of `extentLength`. */
export function blockDeltaLength(bitmap: Uint8Array, extentLength: number, blockSize: number): number {
  let total = 0;
  for (const [first, end] of runs(bitmap, extentLength, blockSize)) {
    total += Math.min(end * blockSize, extentLength) - first * blockSize;
  }
  return total;
}

/** Bitmap of the blocks that differ between two extents of equal length (empty when none). */
export function diffBlocks(oldExtent: Uint8Array, newExtent: Uint8Array, blockSize: number): Buffer {
  if (oldExtent.length !== newExtent.length) {
    throw new FormatError(`cannot diff extents of ${oldExtent.length} and ${newExtent.length} bytes`);
  }
  checkBlockSize(blockSize);
  const a = Buffer.from(oldExtent.buffer, oldExtent.byteOffset, oldExtent.byteLength);
  const b = Buffer.from(newExtent.buffer, newExtent.byteOffset, newExtent.byteLength);
  const blocks = Math.ceil(a.length / blockSize);
  if (blocks > MAX_BLOCK_BITS) throw new FormatError(`an extent of ${blocks} blocks does not fit a ${MAX_BLOCK_BITS}-bit bitmap`);
  const bits = new Uint8Array(MAX_BLOCK_BITMAP_BYTES);
  for (let j = 0; j < blocks; j++) {
    const start = j * blockSize;
    const end = Math.min(start + blockSize, a.length);
    if (!a.subarray(start, end).equals(b.subarray(start, end))) bits[j >> 3] = (bits[j >> 3] as number) | (1 << (j & 7));
  }
  return trimBitmap(bits);
}

/** The blocks of `extent` selected by `bitmap`, concatenated (the payload of a block DELTA chunk). */
export function extractBlocks(extent: Uint8Array, bitmap: Uint8Array, blockSize: number): Buffer {
  const src = Buffer.from(extent.buffer, extent.byteOffset, extent.byteLength);
  const selected = runs(bitmap, src.length, blockSize);
  const out = Buffer.allocUnsafe(blockDeltaLength(bitmap, src.length, blockSize));
  let at = 0;
  for (const [first, end] of selected) at += src.copy(out, at, first * blockSize, Math.min(end * blockSize, src.length));
  return out;
}

/** Writes the delta's blocks over `target` (mutates it). */
export function applyBlockDeltaInPlace(target: Uint8Array, bitmap: Uint8Array, blocks: Uint8Array, blockSize: number): void {
  const dst = Buffer.from(target.buffer, target.byteOffset, target.byteLength);
  const src = Buffer.from(blocks.buffer, blocks.byteOffset, blocks.byteLength);
  const selected = runs(bitmap, dst.length, blockSize);
  const expected = blockDeltaLength(bitmap, dst.length, blockSize);
  if (src.length !== expected) throw new FormatError(`delta carries ${src.length} bytes, its bitmap selects ${expected}`);
  let at = 0;
  for (const [first, end] of selected) {
    const start = first * blockSize;
    const len = Math.min(end * blockSize, dst.length) - start;
    src.copy(dst, start, at, at + len);
    at += len;
  }
}

/** A new extent: `parentExtent` with the delta's blocks applied (the parent is untouched). */
export function applyBlockDelta(parentExtent: Uint8Array, bitmap: Uint8Array, blocks: Uint8Array, blockSize: number): Buffer {
  const out = Buffer.allocUnsafe(parentExtent.length);
  out.set(parentExtent);
  applyBlockDeltaInPlace(out, bitmap, blocks, blockSize);
  return out;
}
