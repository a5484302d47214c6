import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeChunk } from '../../shared/format/chunk.js';
import {
  applyDelta, applyDeltaInPlace, bitmapOf, chooseEncoding, deltaLength, diffExtent, extractSubBlocks, isAllZero, popcount, subBlockIndices,
} from '../../shared/format/delta.js';
import { FormatError } from '../../shared/format/errors.js';
import { encodeExtent } from '../../shared/format/extent.js';
import { chunkId } from '../../shared/format/hash.js';

const SB = 16; // 16-byte sub-blocks: a 1 KiB extent has the full 64 bits of bitmap

/** An extent and a mutated copy (random writes). */
const extentPair = fc
  .record({
    length: fc.integer({ min: 1, max: 64 * SB }),
    seed: fc.uint8Array({ minLength: 64 * SB, maxLength: 64 * SB }),
    writes: fc.array(fc.record({ at: fc.nat(), len: fc.integer({ min: 1, max: 80 }), value: fc.integer({ min: 0, max: 255 }) }), { maxLength: 6 }),
  })
  .map(({ length, seed, writes }) => {
    const before = Buffer.from(seed.subarray(0, length));
    const after = Buffer.from(before);
    for (const w of writes) after.fill(w.value, w.at % length, Math.min(length, (w.at % length) + w.len));
    return { before, after };
  });

describe('delta', () => {
  it('diff then apply reproduces the new extent, and marks exactly the differing sub-blocks', () => {
    fc.assert(
      fc.property(extentPair, ({ before, after }) => {
        const bitmap = diffExtent(before, after, SB);
        for (let j = 0; j * SB < before.length; j++) {
          const same = before.subarray(j * SB, (j + 1) * SB).equals(after.subarray(j * SB, (j + 1) * SB));
          assert.equal(((bitmap >> BigInt(j)) & 1n) === 0n, same, `sub-block ${j}`);
        }
        const blocks = extractSubBlocks(after, bitmap, SB);
        assert.equal(blocks.length, deltaLength(bitmap, after.length, SB));
        const copy = Buffer.from(before);
        const rebuilt = applyDelta(before, bitmap, blocks, SB);
        assert.ok(rebuilt.equals(after));
        assert.ok(before.equals(copy), 'applyDelta leaves the parent untouched');
        applyDeltaInPlace(copy, bitmap, blocks, SB);
        assert.ok(copy.equals(after));
      }),
      { numRuns: 300 },
    );
  });

  it('handles the high bits of the bitmap and short final sub-blocks', () => {
    const before = Buffer.alloc(64 * SB - 5);
    const after = Buffer.from(before);
    after[after.length - 1] = 1; // sub-block 63, 11 bytes long
    after[31 * SB] = 2;
    after[32 * SB] = 3;
    const bitmap = diffExtent(before, after, SB);
    assert.deepEqual(subBlockIndices(bitmap), [31, 32, 63]);
    assert.equal(bitmap, bitmapOf([31, 32, 63]));
    assert.equal(popcount(bitmap), 3);
    assert.equal(deltaLength(bitmap, after.length, SB), 2 * SB + SB - 5);
    assert.ok(applyDelta(before, bitmap, extractSubBlocks(after, bitmap, SB), SB).equals(after));
  });

  it('rejects inconsistent deltas', () => {
    assert.throws(() => diffExtent(Buffer.alloc(4), Buffer.alloc(5), SB), FormatError);
    assert.throws(() => diffExtent(Buffer.alloc(65 * SB), Buffer.alloc(65 * SB), SB), FormatError);
    assert.throws(() => applyDelta(Buffer.alloc(4 * SB), 1n, Buffer.alloc(SB - 1), SB), FormatError);
    assert.throws(() => applyDelta(Buffer.alloc(4 * SB), 1n << 4n, Buffer.alloc(SB), SB), FormatError);
    assert.throws(() => bitmapOf([64]), FormatError);
  });

  it('popcount and bitmapOf agree with subBlockIndices', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (bitmap) => {
        const idx = subBlockIndices(bitmap);
        assert.equal(popcount(bitmap), idx.length);
        assert.equal(bitmapOf(idx), bitmap);
      }),
    );
  });

  it('chooses DELTA up to half the extent, FULL beyond', () => {
    assert.equal(chooseEncoding(1), 'DELTA');
    assert.equal(chooseEncoding(32), 'DELTA');
    assert.equal(chooseEncoding(33), 'FULL');
    assert.equal(chooseEncoding(bitmapOf([0, 1, 2]), 5), 'FULL');
    assert.equal(chooseEncoding(bitmapOf([0, 1]), 5), 'DELTA');
  });

  it('isAllZero', () => {
    assert.ok(isAllZero(Buffer.alloc(0)));
    assert.ok(isAllZero(Buffer.alloc(200 * 1024)));
    const b = Buffer.alloc(200 * 1024);
    b[b.length - 1] = 1;
    assert.ok(!isAllZero(b));
  });
});

describe('encodeExtent', () => {
  it('sends nothing, ZERO, DELTA or FULL by the policy, and the chunk decodes back', () => {
    fc.assert(
      fc.property(extentPair, fc.boolean(), ({ before, after }, hasParent) => {
        const u = encodeExtent(after, hasParent ? before : undefined, { subBlockSize: SB });
        const bitmap = diffExtent(before, after, SB);
        if (u.kind === 'UNCHANGED') return assert.ok(hasParent && bitmap === 0n);
        if (u.kind === 'ZERO') return assert.ok(isAllZero(after));
        assert.equal(u.id, chunkId(u.chunk));
        const d = decodeChunk(u.chunk);
        if (d.kind === 'FULL') {
          assert.ok(d.data.equals(after));
          assert.ok(!hasParent || chooseEncoding(bitmap, Math.ceil(after.length / SB)) === 'FULL');
        } else {
          assert.ok(hasParent && d.kind === 'DELTA' && d.form === 'sub-blocks' && u.kind === 'DELTA');
          assert.equal(d.bitmap, bitmap);
          assert.ok(applyDelta(before, d.bitmap, d.data, SB).equals(after));
        }
      }),
      { numRuns: 300 },
    );
  });
});
