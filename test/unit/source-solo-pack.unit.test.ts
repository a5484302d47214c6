import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import { decodeChunk, encodeFullChunk } from '../../shared/format/chunk.js';
import { encodePack, verifyPack } from '../../shared/format/pack.js';
import { looksIncompressible } from '../../source/compressibility.js';
import { encodeExtentJob } from '../../source/extent-job.js';
import { frameRawFullPack, SOLO_DATA_OFFSET } from '../../source/solo-pack.js';

const MiB = 1024 * 1024;
const KEY = Buffer.alloc(16, 9);
const random = (n: number, seed: number) => createCipheriv('aes-128-ctr', Buffer.alloc(16, seed), Buffer.alloc(16)).update(Buffer.alloc(n));
const text = (n: number) => Buffer.from('the quick brown fox jumps over the lazy dog '.repeat(Math.ceil(n / 44)).slice(0, n));

describe('one-chunk packs built on the worker', () => {
  it('a raw FULL extent framed in place is exactly encodePack([encodeFullChunk(raw)])', () => {
    for (const length of [4 * MiB, 3 * MiB + 17]) {
      const data = random(length, 1);
      const frame = Buffer.alloc(SOLO_DATA_OFFSET + length);
      data.copy(frame, SOLO_DATA_OFFSET);
      const solo = frameRawFullPack(frame, length);
      const expected = encodePack([encodeFullChunk(data, { compress: false })]);
      assert.equal(solo.packId, expected.id);
      assert.equal(solo.chunkId, expected.chunkIds[0]);
      assert.ok(solo.bytes.equals(expected.bytes));
      assert.equal(verifyPack(solo.bytes, solo.packId).entries.length, 1);
    }
  });

  it('encodeExtentJob packs an incompressible 4 MiB extent in its frame, a compressible one compressed and alone', () => {
    const data = random(4 * MiB, 2);
    const frame = Buffer.alloc(SOLO_DATA_OFFSET + data.length);
    data.copy(frame, SOLO_DATA_OFFSET);
    const raw = encodeExtentJob({ bytes: frame.subarray(SOLO_DATA_OFFSET), previous: undefined, type: 'base', subBlockSize: 64 * 1024, key: KEY, frame });
    assert.equal(raw.decision, 'FULL');
    assert.equal(raw.frameUsed, true);
    const [entry] = verifyPack(raw.pack!.bytes, raw.pack!.packId).entries;
    assert.equal(entry!.id, raw.chunkId);
    assert.ok(decodeChunk(entry!.bytes).data.equals(data));

    const words = text(4 * MiB);
    const z = encodeExtentJob({ bytes: words, previous: undefined, type: 'base', subBlockSize: 64 * 1024, key: KEY });
    assert.equal(z.decision, 'FULL');
    assert.ok(z.chunk || z.pack);
    const stored = z.pack ? verifyPack(z.pack.bytes, z.pack.packId).entries[0]!.bytes : z.chunk!;
    assert.ok(stored.length < words.length / 4, 'text compresses');
    assert.ok(decodeChunk(stored).data.equals(words));
  });

  it('the entropy test calls random data incompressible, text and zeros not', () => {
    assert.equal(looksIncompressible(random(MiB, 3)), true);
    assert.equal(looksIncompressible(text(MiB)), false);
    assert.equal(looksIncompressible(Buffer.alloc(MiB)), false);
    assert.equal(looksIncompressible(random(1000, 4)), false, 'too small to judge');
  });
});
