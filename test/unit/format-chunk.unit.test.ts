import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { CODEC_NONE, CODEC_ZSTD, decodePayload, encodePayload } from '../../shared/format/codec.js';
import {
  decodeChunk, encodeDeltaChunk, encodeFullChunk, encodeManifestChunk, MAX_CHUNK_BYTES, readChunkHeader,
} from '../../shared/format/chunk.js';
import { ChunkFormatError } from '../../shared/format/errors.js';
import { EXTENT_SIZE } from '../../shared/format/geometry.js';
import { chunkId, sha256Hex } from '../../shared/format/hash.js';

function textLike(size: number): Buffer {
  const words = ['volume', 'extent', 'chunk', 'backup', 'replica', 'the', 'of', 'sector', '\n', '0x1f'];
  const parts: string[] = [];
  let len = 0;
  for (let i = 0; len < size; i++) {
    const w = words[(i * 7919 + (i >> 3)) % words.length] ?? 'x';
    parts.push(w, ' ', String(i % 977));
    len += w.length + 1 + String(i % 977).length;
  }
  return Buffer.from(parts.join('')).subarray(0, size);
}

describe('hash', () => {
  it('sha256Hex of parts equals the hash of their concatenation', () => {
    const a = Buffer.from('abc');
    const b = Buffer.from('def');
    assert.equal(sha256Hex([a, b]), sha256Hex(Buffer.from('abcdef')));
    assert.equal(chunkId(a), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('codec', () => {
  it('compresses a compressible extent and leaves random data raw', () => {
    const text = textLike(EXTENT_SIZE);
    const packed = encodePayload(text);
    assert.equal(packed.codec, CODEC_ZSTD);
    assert.ok(packed.data.length < text.length / 2, `ratio ${packed.data.length / text.length}`);
    assert.ok(decodePayload(packed.codec, packed.data, text.length).equals(text));

    const noise = randomBytes(EXTENT_SIZE);
    const raw = encodePayload(noise);
    assert.equal(raw.codec, CODEC_NONE);
    assert.equal(raw.data, noise, 'raw payload is the input itself, not a copy');
  });

  it('keeps small random inputs raw (below the sampling threshold too)', () => {
    const noise = randomBytes(100 * 1024);
    assert.equal(encodePayload(noise).codec, CODEC_NONE);
  });

  it('honours compress: false and round-trips any input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), fc.boolean(), fc.integer({ min: -3, max: 5 }), (bytes, compress, level) => {
        const enc = encodePayload(bytes, { compress, level });
        if (!compress) assert.equal(enc.codec, CODEC_NONE);
        assert.ok(enc.data.length <= bytes.length);
        assert.ok(decodePayload(enc.codec, enc.data, bytes.length).equals(Buffer.from(bytes)));
      }),
    );
  });

  it('rejects payloads that do not expand to the announced length', () => {
    const enc = encodePayload(Buffer.alloc(10_000));
    assert.equal(enc.codec, CODEC_ZSTD);
    assert.throws(() => decodePayload(CODEC_ZSTD, enc.data, 9_999), ChunkFormatError);
    assert.throws(() => decodePayload(CODEC_ZSTD, enc.data, 10_001), ChunkFormatError);
    assert.throws(() => decodePayload(CODEC_ZSTD, Buffer.from('not zstd'), 10), ChunkFormatError);
    assert.throws(() => decodePayload(CODEC_NONE, Buffer.alloc(3), 4), ChunkFormatError);
    assert.throws(() => decodePayload(7, Buffer.alloc(3), 3), ChunkFormatError);
  });
});

describe('chunk', () => {
  it('a FULL chunk of incompressible data never exceeds 4 MiB + 64 bytes', () => {
    const noise = randomBytes(EXTENT_SIZE);
    const chunk = encodeFullChunk(noise);
    assert.ok(chunk.length <= EXTENT_SIZE + 64);
    assert.ok(chunk.length <= MAX_CHUNK_BYTES);
    const decoded = decodeChunk(chunk);
    assert.equal(decoded.kind, 'FULL');
    assert.ok(decoded.data.equals(noise));
  });

  it('round-trips FULL, DELTA and MANIFEST chunks', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2048 }),
        fc.bigInt({ min: 1n, max: (1n << 64n) - 1n }),
        fc.constantFrom('FULL', 'DELTA', 'MANIFEST'),
        (bytes, bitmap, kind) => {
          const chunk =
            kind === 'FULL' ? encodeFullChunk(bytes) : kind === 'DELTA' ? encodeDeltaChunk(bitmap, bytes) : encodeManifestChunk(bytes);
          const d = decodeChunk(chunk);
          assert.equal(d.kind, kind);
          assert.ok(d.data.equals(Buffer.from(bytes)));
          if (d.kind === 'DELTA') {
            assert.equal(d.form, 'sub-blocks');
            if (d.form === 'sub-blocks') assert.equal(d.bitmap, bitmap);
          }
        },
      ),
    );
  });

  it('rejects malformed chunks with a ChunkFormatError', () => {
    const good = encodeDeltaChunk(5n, Buffer.alloc(64, 1), { compress: false });
    const bad = (mutate: (b: Buffer) => Buffer): void => {
      assert.throws(() => decodeChunk(mutate(Buffer.from(good))), ChunkFormatError);
    };
    bad((b) => b.subarray(0, 5));
    bad((b) => ((b[0] = 0x58), b));
    bad((b) => ((b[4] = 2), b));
    bad((b) => ((b[5] = 9), b));
    bad((b) => ((b[6] = 4), b));
    bad((b) => ((b[7] = 1), b));
    bad((b) => (b.writeUInt32LE(65, 8), b));
    bad((b) => (b.writeBigUInt64LE(0n, 12), b));
    bad((b) => b.subarray(0, b.length - 1));
    assert.throws(() => readChunkHeader(Buffer.alloc(MAX_CHUNK_BYTES + 1)), ChunkFormatError);
    assert.throws(() => encodeFullChunk(Buffer.alloc(EXTENT_SIZE + 1)), ChunkFormatError);
    assert.throws(() => encodeDeltaChunk(0n, Buffer.alloc(1)), ChunkFormatError);
    assert.throws(() => encodeDeltaChunk(1n << 64n, Buffer.alloc(1)), ChunkFormatError);
  });
});
