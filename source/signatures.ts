/**
 * Change detection by sub-block signatures (DESIGN §5, §8). The source core remembers, for the
 * last replicated state of each volume, one SIG_BYTES-byte signature per sub-block (64 KiB) —
 * 1/4096 of the volume. The next run compares the signatures of what it reads with those,
 * extent by extent, and learns which sub-blocks changed without keeping (or re-reading) any
 * old data.
 *
 * DECISION: the signature is a keyed GHASH (the tag of AES-128-GCM with the sub-block as
 * additional data) under a random 128-bit key kept with the signatures in the 0600 state dir,
 * not a truncated SHA-256. GHASH is an ε-almost-XOR-universal hash (ε = 4096/2^128 for 64 KiB
 * inputs): two different sub-blocks collide with probability ≤ 2^-116 for anyone who does not
 * know the key — which the protected machine never sees — so it detects changes as reliably as
 * a truncated SHA-256, at ~5× less CPU (AES-NI + carry-less multiply): the whole volume is
 * signed on every run. A key mismatch never hides a change: signatures made with another key
 * are not compared (signature-file.ts carries the key forward).
 *
 * Pure functions, no I/O: they run on worker threads and in unit tests alike.
 */
import { createCipheriv } from 'node:crypto';
import { BITMAP_BITS, subBlockCount } from '../shared/format/geometry.js';

/** Bytes of one sub-block signature (a truncated SHA-256). */
export const SIG_BYTES = 16;

const ZERO_BLOCK = Buffer.alloc(64 * 1024);

/** Bytes of a signature key. */
export const SIG_KEY_BYTES = 16;
const IV = Buffer.alloc(12);

/** The signature of one sub-block under `key`. */
export function signature(block: Uint8Array, key: Uint8Array): Buffer {
  if (key.length !== SIG_KEY_BYTES) throw new RangeError(`a signature key is ${SIG_KEY_BYTES} bytes`);
  const gcm = createCipheriv('aes-128-gcm', key, IV);
  gcm.setAAD(block);
  gcm.final();
  return gcm.getAuthTag();
}

/** Signatures of every sub-block of an extent, concatenated (subBlockCount × SIG_BYTES bytes). */
export function subBlockSignatures(extent: Uint8Array, subBlockSize: number, key: Uint8Array): Buffer {
  const blocks = subBlockCount(extent.length, subBlockSize);
  const out = Buffer.allocUnsafe(blocks * SIG_BYTES);
  for (let j = 0; j < blocks; j++) {
    const start = j * subBlockSize;
    signature(extent.subarray(start, Math.min(start + subBlockSize, extent.length)), key).copy(out, j * SIG_BYTES);
  }
  return out;
}

/**
 * Bitmap (bit j = sub-block j) of the sub-blocks whose signatures differ. Both arguments must
 * describe the same number of sub-blocks (≤ 64).
 */
export function changedBitmap(previous: Uint8Array, current: Uint8Array): bigint {
  if (previous.length !== current.length || current.length % SIG_BYTES !== 0) {
    throw new RangeError(`signature lists of ${previous.length} and ${current.length} bytes cannot be compared`);
  }
  const blocks = current.length / SIG_BYTES;
  if (blocks > BITMAP_BITS) throw new RangeError(`${blocks} sub-blocks do not fit a ${BITMAP_BITS}-bit bitmap`);
  const a = Buffer.from(previous.buffer, previous.byteOffset, previous.byteLength);
  const b = Buffer.from(current.buffer, current.byteOffset, current.byteLength);
  let lo = 0;
  let hi = 0;
  for (let j = 0; j < blocks; j++) {
    const at = j * SIG_BYTES;
    if (a.compare(b, at, at + SIG_BYTES, at, at + SIG_BYTES) !== 0) {
      if (j < 32) lo |= 1 << j;
      else hi |= 1 << (j - 32);
    }
  }
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** Bitmap of the sub-blocks of `extent` that are not all zero. */
export function nonZeroBitmap(extent: Uint8Array, subBlockSize: number): bigint {
  const b = Buffer.from(extent.buffer, extent.byteOffset, extent.byteLength);
  const blocks = subBlockCount(b.length, subBlockSize);
  let lo = 0;
  let hi = 0;
  for (let j = 0; j < blocks; j++) {
    const start = j * subBlockSize;
    const end = Math.min(start + subBlockSize, b.length);
    if (!isZero(b.subarray(start, end))) {
      if (j < 32) lo |= 1 << j;
      else hi |= 1 << (j - 32);
    }
  }
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

function isZero(b: Buffer): boolean {
  for (let at = 0; at < b.length; at += ZERO_BLOCK.length) {
    const end = Math.min(at + ZERO_BLOCK.length, b.length);
    if (!b.subarray(at, end).equals(ZERO_BLOCK.subarray(0, end - at))) return false;
  }
  return true;
}

/** Bytes covered by the sub-blocks set in `bitmap` in an extent of `extentLength` bytes. */
export function bitmapBytes(bitmap: bigint, extentLength: number, subBlockSize: number): number {
  let total = 0;
  const blocks = subBlockCount(extentLength, subBlockSize);
  for (let j = 0; j < blocks; j++) {
    if (((bitmap >> BigInt(j)) & 1n) === 1n) total += Math.min(subBlockSize, extentLength - j * subBlockSize);
  }
  return total;
}
