import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import {
  applyBlockDelta, applyBlockDeltaInPlace, blockBitmapOf, blockCount, blockDeltaLength, blockIndices, checkBlockBitmap, diffBlocks, extractBlocks,
  MAX_BLOCK_BITMAP_BYTES, trimBitmap,
} from '../../shared/format/block-delta.js';
import { decodeChunk, encodeBlockDeltaChunk, MAX_CHUNK_BYTES, readChunkHeader, type DecodedChunk } from '../../shared/format/chunk.js';
import { applyDeltaChunkInPlace } from '../../shared/format/delta-chunk.js';
import { ChunkFormatError, FormatError } from '../../shared/format/errors.js';
import { BLOCK, EXTENT_SIZE, MAX_BLOCK_BITS, MAX_CHUNK_RAW } from '../../shared/format/geometry.js';

/** An extent of up to 1024 blocks and a copy with random writes, for several block sizes (short last blocks included). */
const extentPair = fc
  .record({
    blockSize: fc.constantFrom(1, 3, 4, 16),
    blocks: fc.integer({ min: 1, max: MAX_BLOCK_BITS }),
    cut: fc.nat(),
    seed: fc.integer(),
    writes: fc.array(fc.record({ at: fc.nat(), len: fc.integer({ min: 1, max: 40 }), value: fc.integer({ min: 0, max: 255 }) }), { maxLength: 8 }),
  })
  .map(({ blockSize, blocks, cut, seed, writes }) => {
    const length = blocks * blockSize - (cut % blockSize);
    const before = Buffer.alloc(length);
    let x = seed >>> 0 || 1;
    for (let i = 0; i < length; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; before[i] = x & 0xff; }
    const after = Buffer.from(before);
    for (const w of writes) after.fill(w.value, w.at % length, Math.min(length, (w.at % length) + w.len));
    return { blockSize, before, after };
  });

const asBlockDelta = (d: DecodedChunk) => {
  assert.ok(d.kind === 'DELTA' && d.form === 'blocks', `a block DELTA, got ${d.kind}`);
  return d;
};

describe('block delta', () => {
  it('diff, extract, encode, decode, apply: the new extent, for random extents and writes (property)', () => {
    fc.assert(
      fc.property(extentPair, fc.boolean(), ({ blockSize, before, after }, compress) => {
        const bitmap = diffBlocks(before, after, blockSize);
        for (let k = 0; k * blockSize < after.length; k++) {
          const same = before.subarray(k * blockSize, (k + 1) * blockSize).equals(after.subarray(k * blockSize, (k + 1) * blockSize));
          assert.equal(blockIndices(bitmap).includes(k), !same, `block ${k}`);
        }
        if (bitmap.length === 0) return assert.ok(before.equals(after));
        checkBlockBitmap(bitmap);
        const payload = extractBlocks(after, bitmap, blockSize);
        assert.equal(payload.length, blockDeltaLength(bitmap, after.length, blockSize));
        const chunk = encodeBlockDeltaChunk(blockSize, bitmap, payload, { compress });
        assert.ok(chunk.length <= MAX_CHUNK_BYTES);
        const d = asBlockDelta(decodeChunk(chunk));
        assert.equal(d.blockSize, blockSize);
        assert.deepEqual(d.blocks, bitmap);
        assert.ok(d.data.equals(payload));
        assert.ok(applyBlockDelta(before, d.blocks, d.data, d.blockSize).equals(after));
        const inPlace = Buffer.from(before);
        applyDeltaChunkInPlace(inPlace, d, 999); // a block delta ignores the manifest's sub-block size
        assert.ok(inPlace.equals(after));
      }),
      { numRuns: 300 },
    );
  });

  it('bitmaps are canonical: indices, counts and bitmapOf agree, trailing zero words are trimmed (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: MAX_BLOCK_BITS - 1 }), { maxLength: 60 }), (indices) => {
        const bitmap = blockBitmapOf(indices);
        assert.deepEqual(blockIndices(bitmap), [...indices].sort((a, b) => a - b));
        assert.equal(blockCount(bitmap), indices.length);
        assert.equal(bitmap.length, indices.length === 0 ? 0 : 8 * Math.ceil((Math.max(...indices) + 1) / 64));
        const padded = Buffer.concat([bitmap, Buffer.alloc(24)]);
        assert.deepEqual(trimBitmap(padded), bitmap);
      }),
    );
    assert.throws(() => blockBitmapOf([MAX_BLOCK_BITS]), FormatError);
    assert.throws(() => blockBitmapOf([-1]), FormatError);
  });

  it('a 4 MiB extent of 4 KiB blocks uses all 1024 bits: the highest block, a whole word and a short last extent', () => {
    const before = randomBytes(EXTENT_SIZE);
    const after = Buffer.from(before);
    const changed = [0, 63, 64, 127, 511, 1022, 1023];
    for (const k of changed) after[k * BLOCK + 100] = ~before[k * BLOCK + 100]! & 0xff; // always a different byte
    const bitmap = diffBlocks(before, after, BLOCK);
    assert.equal(bitmap.length, MAX_BLOCK_BITMAP_BYTES);
    assert.deepEqual(blockIndices(bitmap), changed);
    const chunk = encodeBlockDeltaChunk(BLOCK, bitmap, extractBlocks(after, bitmap, BLOCK), { compress: false });
    assert.equal(readChunkHeader(chunk).headerLength, 20 + 128);
    assert.equal(chunk.length, 20 + 128 + changed.length * BLOCK);
    const d = asBlockDelta(decodeChunk(chunk));
    assert.ok(applyBlockDelta(before, d.blocks, d.data, BLOCK).equals(after));
    // The last extent of a volume is short: its last block too.
    const short = after.subarray(0, EXTENT_SIZE - BLOCK - 5);
    const last = blockBitmapOf([1022]);
    const tail = extractBlocks(short, last, BLOCK);
    assert.equal(tail.length, BLOCK - 5);
    const target = Buffer.from(before.subarray(0, short.length));
    applyBlockDeltaInPlace(target, last, asBlockDelta(decodeChunk(encodeBlockDeltaChunk(BLOCK, last, tail))).data, BLOCK);
    assert.ok(target.subarray(1022 * BLOCK).equals(short.subarray(1022 * BLOCK)));
  });

  it('refuses malformed block DELTA chunks with a ChunkFormatError, and misfit deltas at apply with a FormatError', () => {
    const bitmap = blockBitmapOf([1, 2, 70]);
    const good = encodeBlockDeltaChunk(8, bitmap, Buffer.alloc(3 * 8, 7), { compress: false });
    assert.equal(good[5], 4);
    assert.equal(good[16], 2);
    const bad = (mutate: (b: Buffer) => Buffer, why?: RegExp): void => {
      assert.throws(() => decodeChunk(mutate(Buffer.from(good))), (err: unknown) => err instanceof ChunkFormatError && (!why || why.test(err.message)));
    };
    bad((b) => b.subarray(0, 19), /shorter than its header/);
    bad((b) => b.subarray(0, 20 + 15), /shorter than its header/);
    bad((b) => (b.writeUInt32LE(0, 12), b), /block size/);
    bad((b) => (b.writeUInt32LE(MAX_CHUNK_RAW + 1, 12), b), /block size/);
    bad((b) => ((b[16] = 0), b), /words/);
    bad((b) => ((b[16] = 17), b), /words/);
    bad((b) => ((b[17] = 1), b), /reserved/);
    bad((b) => ((b[19] = 1), b), /reserved/);
    bad((b) => (b.fill(0, 28, 36), b), /zero word/); // the last word empty: not canonical
    bad((b) => (b.fill(0, 20, 36), b), /zero word/); // no block at all
    bad((b) => (b.writeUInt32LE(3 * 8 + 1, 8), b), /cannot carry/); // more than 3 blocks' bytes
    bad((b) => (b.writeUInt32LE(2 * 8, 8), b), /cannot carry/); // a block short that is not the last
    bad((b) => b.subarray(0, b.length - 1), /raw payload/);
    bad((b) => Buffer.concat([b, Buffer.alloc(1)]), /raw payload/);
    bad((b) => ((b[6] = 1), b), /zstd/);
    // Header plus raw payload never exceeds MAX_CHUNK_BYTES, whatever the header says.
    const wide = blockBitmapOf([MAX_BLOCK_BITS - 1]);
    const huge = encodeBlockDeltaChunk(MAX_CHUNK_RAW, wide, Buffer.alloc(1), { compress: false });
    huge.writeUInt32LE(MAX_CHUNK_BYTES - 148 + 1, 8);
    assert.throws(() => readChunkHeader(huge), /over/);
    // Encoding refuses what decoding would.
    assert.throws(() => encodeBlockDeltaChunk(8, Buffer.alloc(0), Buffer.alloc(0)), ChunkFormatError);
    assert.throws(() => encodeBlockDeltaChunk(8, Buffer.concat([bitmap, Buffer.alloc(8)]), Buffer.alloc(24)), ChunkFormatError);
    assert.throws(() => encodeBlockDeltaChunk(8, bitmap, Buffer.alloc(25)), ChunkFormatError);
    assert.throws(() => encodeBlockDeltaChunk(0, bitmap, Buffer.alloc(0)), ChunkFormatError);
    assert.throws(() => encodeBlockDeltaChunk(BLOCK, blockBitmapOf(Array.from({ length: 1024 }, (_, k) => k)), Buffer.alloc(EXTENT_SIZE)), ChunkFormatError);
    // Well-formed, but not for this extent: a block past its end, or a last block of the wrong length.
    const d = asBlockDelta(decodeChunk(good));
    assert.throws(() => applyBlockDeltaInPlace(Buffer.alloc(70 * 8), d.blocks, d.data, 8), /marks block 70/);
    assert.throws(() => applyBlockDeltaInPlace(Buffer.alloc(70 * 8 + 4), d.blocks, d.data, 8), /carries 24 bytes, its bitmap selects 20/);
    assert.throws(() => diffBlocks(Buffer.alloc(1025), Buffer.alloc(1025), 1), FormatError);
  });
});
