/**
 * Change detection by signatures (DESIGN §5, §8). The source core remembers, for the last
 * replicated state of each volume, a signature record per extent: one SIG_BYTES (16) signature
 * per sub-block (64 KiB), then one BLOCK_SIG_BYTES (8) signature per block (4 KiB) — 9 KiB per
 * 4 MiB extent, 0.22 % of the volume. The next run compares what it reads with those, extent by
 * extent, and learns which blocks changed without keeping (or re-reading) any old data:
 *
 *  - every sub-block is signed (cheap: one call per 64 KiB); an unchanged sub-block keeps its
 *    block signatures from the previous record, unread and unsigned again;
 *  - only a sub-block whose signature changed has its 16 blocks signed and compared, so an
 *    incremental signs ≈ the volume once at 64 KiB plus the changed sub-blocks at 4 KiB. A base
 *    (no previous record) signs every block once; all-zero sub-blocks and blocks take a cached
 *    signature of zeros instead;
 *  - a changed sub-block whose block signatures all compare equal (which only a collision of
 *    block signatures can cause) is sent whole: a change the sub-block signature saw is never
 *    dropped;
 *  - a record of sub-block signatures only (the state written before blocks existed, v1 of
 *    signature-file.ts) still compares: the changed sub-blocks are sent whole, and the new
 *    record has the block signatures for the next run (a one-time conversion).
 *
 * DECISION: a signature is a keyed GHASH (the tag of AES-128-GCM with the data as additional
 * data, fixed IV) under a random 128-bit key kept with the signatures in the 0600 state dir,
 * not a truncated SHA-256. GHASH is an ε-almost-XOR-universal hash: for two different inputs of
 * ℓ 16-byte blocks, the tags differ by a non-zero polynomial of degree ≤ ℓ + 1 in the hash key
 * H, so they collide for at most ℓ + 1 of the 2^128 values of H: ≤ 2^-116 for a 64 KiB
 * sub-block (ℓ = 4096). A block signature keeps the first 64 bits of the tag: the polynomial
 * must then land in a set of 2^64 values, each hit by ≤ ℓ + 1 keys, so two different 4 KiB
 * blocks (ℓ = 256) collide with probability ≤ 257 / 2^64 < 2^-55 — per changed block per run,
 * for anyone who does not know the key, which the protected machine and its data never see
 * (signatures never leave the state dir, so no tag can reveal H). Even a volume of 1 TiB
 * rewritten entirely every run misses a change with probability < 2^-27 per run, and only when
 * two blocks of one sub-block changed (a single changed block in a sub-block is caught by the
 * sub-block signature, above). 8 bytes per 4 KiB is what keeps the state under 0.25 %; SHA-256
 * truncated the same way would be as safe only if keyed, and costs more. GHASH costs ~5× less
 * CPU than SHA-256 (AES-NI + carry-less multiply), and per-block calls cost ~2 µs each, which
 * is why blocks are signed only where a sub-block changed. A key mismatch never hides a change:
 * signatures made with another key are not compared (signature-file.ts carries the key forward).
 *
 * Pure functions, no I/O: they run on worker threads and in unit tests alike.
 */
import { createCipheriv } from 'node:crypto';
import { blockDeltaLength, trimBitmap, MAX_BLOCK_BITMAP_BYTES } from '../shared/format/block-delta.js';
import { BITMAP_BITS, blockSizeOf, subBlockCount } from '../shared/format/geometry.js';

/** Bytes of one sub-block signature (a GHASH tag). */
export const SIG_BYTES = 16;
/** Bytes of one block signature (a GHASH tag truncated to 64 bits). */
export const BLOCK_SIG_BYTES = 8;

const ZERO_BLOCK = Buffer.alloc(64 * 1024);

/** Bytes of a signature key. */
export const SIG_KEY_BYTES = 16;
const IV = Buffer.alloc(12);

/** The signature of one sub-block under `key` (16 bytes; a block signature is its first 8). */
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

/** Bytes of the sub-block signatures of an extent of `length` (a v1 record). */
export const subBlockRecordLength = (length: number, subBlockSize: number): number => subBlockCount(length, subBlockSize) * SIG_BYTES;

/** Bytes of the signature record of an extent of `length`: sub-block signatures, then block signatures. */
export const recordLength = (length: number, subBlockSize: number): number =>
  subBlockRecordLength(length, subBlockSize) + subBlockCount(length, blockSizeOf(subBlockSize)) * BLOCK_SIG_BYTES;

function isZero(b: Buffer): boolean {
  for (let at = 0; at < b.length; at += ZERO_BLOCK.length) {
    const end = Math.min(at + ZERO_BLOCK.length, b.length);
    if (!b.subarray(at, end).equals(ZERO_BLOCK.subarray(0, end - at))) return false;
  }
  return true;
}

/** Tags of all-zero inputs by length, for the last key seen (one key per volume, per worker). */
let zeroKey: Buffer | undefined;
const zeroTags = new Map<number, Buffer>();

function zeroTag(length: number, key: Uint8Array): Buffer {
  if (!zeroKey || !zeroKey.equals(key)) {
    zeroKey = Buffer.from(key);
    zeroTags.clear();
  }
  let tag = zeroTags.get(length);
  if (!tag) {
    tag = signature(Buffer.alloc(length), key);
    zeroTags.set(length, tag);
  }
  return tag;
}

/** What a previous record of the same extent held: both levels, sub-block signatures only (v1), or nothing usable. */
export type PreviousRecord = 'blocks' | 'sub-blocks' | 'none';

export interface SignedExtent {
  /** The extent's new signature record (recordLength bytes). */
  readonly record: Buffer;
  readonly previous: PreviousRecord;
  /** Canonical bitmap of the blocks that changed (empty when none); undefined without a previous record. */
  readonly changed: Buffer | undefined;
  /** Bytes of the changed blocks, or without a previous record the bytes of the non-zero sub-blocks. */
  readonly changedBytes: number;
  /** True when some byte of the extent is not zero. */
  readonly nonZero: boolean;
}

/**
 * Signs an extent and compares it with `previous`, the record of the same extent (same length)
 * as last replicated. A record's length says what it holds: recordLength (both levels),
 * subBlockRecordLength (sub-block signatures only: a v1 state), anything else is ignored.
 */
export function signExtent(extent: Uint8Array, subBlockSize: number, key: Uint8Array, previous?: Uint8Array): SignedExtent {
  const bytes = Buffer.from(extent.buffer, extent.byteOffset, extent.byteLength);
  const length = bytes.length;
  const blockSize = blockSizeOf(subBlockSize);
  const perSub = subBlockSize / blockSize;
  const subBlocks = subBlockCount(length, subBlockSize);
  const blocks = subBlockCount(length, blockSize);
  const fineAt = subBlocks * SIG_BYTES;
  const record = Buffer.allocUnsafe(fineAt + blocks * BLOCK_SIG_BYTES);
  const prev = previous ? Buffer.from(previous.buffer, previous.byteOffset, previous.byteLength) : undefined;
  const kind: PreviousRecord = prev?.length === record.length ? 'blocks' : prev?.length === fineAt ? 'sub-blocks' : 'none';
  const bits = kind === 'none' ? undefined : new Uint8Array(MAX_BLOCK_BITMAP_BYTES);
  const mark = (k: number): void => { if (bits) bits[k >> 3] = (bits[k >> 3] as number) | (1 << (k & 7)); };
  let nonZeroBytes = 0;
  for (let j = 0; j < subBlocks; j++) {
    const start = j * subBlockSize;
    const end = Math.min(start + subBlockSize, length);
    const slice = bytes.subarray(start, end);
    const zero = isZero(slice);
    if (!zero) nonZeroBytes += end - start;
    (zero ? zeroTag(end - start, key) : signature(slice, key)).copy(record, j * SIG_BYTES);
    const same = prev !== undefined && kind !== 'none' && prev.compare(record, j * SIG_BYTES, (j + 1) * SIG_BYTES, j * SIG_BYTES, (j + 1) * SIG_BYTES) === 0;
    const first = j * perSub;
    const last = Math.min(first + perSub, blocks);
    if (same && kind === 'blocks') {
      (prev as Buffer).copy(record, fineAt + first * BLOCK_SIG_BYTES, fineAt + first * BLOCK_SIG_BYTES, fineAt + last * BLOCK_SIG_BYTES);
      continue;
    }
    for (let k = first; k < last; k++) {
      const bs = k * blockSize;
      const block = bytes.subarray(bs, Math.min(bs + blockSize, length));
      (zero || isZero(block) ? zeroTag(block.length, key) : signature(block, key)).copy(record, fineAt + k * BLOCK_SIG_BYTES, 0, BLOCK_SIG_BYTES);
    }
    if (kind === 'none' || same) continue;
    let any = false;
    if (kind === 'blocks') {
      for (let k = first; k < last; k++) {
        const at = fineAt + k * BLOCK_SIG_BYTES;
        if ((prev as Buffer).compare(record, at, at + BLOCK_SIG_BYTES, at, at + BLOCK_SIG_BYTES) !== 0) { mark(k); any = true; }
      }
    }
    // A v1 record cannot say which blocks changed; equal block signatures under a changed
    // sub-block signature are a collision of block signatures. Either way: the whole sub-block.
    if (!any) for (let k = first; k < last; k++) mark(k);
  }
  const changed = bits ? trimBitmap(bits) : undefined;
  return {
    record, previous: kind, changed,
    changedBytes: changed ? (changed.length === 0 ? 0 : blockDeltaLength(changed, length, blockSize)) : nonZeroBytes,
    nonZero: nonZeroBytes > 0,
  };
}

/** Signatures of every block of an extent, concatenated (BLOCK_SIG_BYTES each): the second level of a record. */
export function blockSignatures(extent: Uint8Array, blockSize: number, key: Uint8Array): Buffer {
  const blocks = subBlockCount(extent.length, blockSize);
  const out = Buffer.allocUnsafe(blocks * BLOCK_SIG_BYTES);
  for (let k = 0; k < blocks; k++) {
    const start = k * blockSize;
    signature(extent.subarray(start, Math.min(start + blockSize, extent.length)), key).copy(out, k * BLOCK_SIG_BYTES, 0, BLOCK_SIG_BYTES);
  }
  return out;
}
