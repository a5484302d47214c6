import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { encodeDeltaChunk, encodeFullChunk, MAX_CHUNK_BYTES } from '../../shared/format/chunk.js';
import { EXTENT_SIZE } from '../../shared/format/geometry.js';
import { chunkId, sha256Hex } from '../../shared/format/hash.js';
import { decodePack, encodePack, MAX_PACK_BYTES, packId, PackFormatError, verifyPack } from '../../shared/format/pack.js';
import { PackBuilder } from '../../shared/format/pack-builder.js';

const LAMBDA_SYNC_PAYLOAD = 6 * 1024 * 1024;
const API_GATEWAY_PAYLOAD = 10 * 1024 * 1024;

/** Small distinct chunks of either kind. */
const chunks = fc
  .uniqueArray(fc.uint8Array({ minLength: 0, maxLength: 300 }), { minLength: 1, maxLength: 6, selector: (b) => Buffer.from(b).toString('hex') })
  .map((payloads) => payloads.map((p, i) => (i % 2 ? encodeDeltaChunk(BigInt(i), p) : encodeFullChunk(p))))
  .filter((cs) => new Set(cs.map((c) => chunkId(c))).size === cs.length);

function expectPackError(pack: Buffer): void {
  assert.throws(() => verifyPack(pack), (err: unknown) => err instanceof PackFormatError && err.detail.length > 0);
}

describe('pack', () => {
  it('round-trips: decodePack returns each chunk with its id, verifyPack accepts it', () => {
    fc.assert(
      fc.property(chunks, (cs) => {
        const pack = encodePack(cs);
        // The id is the hash of header + index (which holds every chunk's hash).
        assert.equal(pack.id, sha256Hex(pack.bytes.subarray(0, 12 + 40 * cs.length)));
        assert.equal(packId(pack.bytes), pack.id);
        const entries = decodePack(pack.bytes);
        assert.deepEqual(entries.map((e) => e.id), cs.map((c) => chunkId(c)));
        entries.forEach((e, i) => assert.ok(e.bytes.equals(cs[i] as Buffer)));
        assert.equal(verifyPack(pack.bytes, pack.id).entries.length, cs.length);
      }),
    );
  });

  it('detects every single-byte corruption and every truncation', () => {
    fc.assert(
      fc.property(chunks, fc.integer({ min: 1, max: 255 }), (cs, xor) => {
        const good = encodePack(cs).bytes;
        for (let at = 0; at < good.length; at++) {
          const bad = Buffer.from(good);
          bad[at] = (bad[at] ?? 0) ^ xor;
          expectPackError(bad);
        }
        for (let len = 0; len < good.length; len++) expectPackError(good.subarray(0, len));
        expectPackError(Buffer.concat([good, Buffer.alloc(1)]));
      }),
      { numRuns: 40 },
    );
  });

  it('rejects a pack whose id does not match, oversize packs, duplicates and swapped entries', () => {
    const a = encodeFullChunk(Buffer.from('a'));
    const b = encodeFullChunk(Buffer.from('b'));
    const pack = encodePack([a, b]).bytes;
    assert.throws(() => verifyPack(pack, '0'.repeat(64)), PackFormatError);
    const swapped = Buffer.from(pack); // swap the two index ids: structure holds, hashes do not
    pack.copy(swapped, 12, 52, 84);
    pack.copy(swapped, 52, 12, 44);
    assert.throws(() => verifyPack(swapped), /hash/);
    assert.throws(() => encodePack([a, a]), PackFormatError);
    assert.throws(() => encodePack([]), PackFormatError);
    assert.throws(() => decodePack(Buffer.alloc(MAX_PACK_BYTES + 1)), /over the/);
    assert.throws(() => encodePack([{ id: 'nope', bytes: a }]), PackFormatError);
  });

  it('fits an incompressible FULL extent in one pack, within the transport limits after base64', () => {
    const chunk = encodeFullChunk(randomBytes(EXTENT_SIZE));
    assert.ok(chunk.length <= MAX_CHUNK_BYTES);
    const builder = new PackBuilder();
    assert.equal(builder.add(chunk), undefined);
    const pack = builder.flush();
    assert.ok(pack);
    assert.ok(pack.bytes.length <= MAX_PACK_BYTES);
    assert.equal(verifyPack(pack.bytes).entries.length, 1);
    const base64 = Math.ceil(MAX_PACK_BYTES / 3) * 4;
    assert.ok(base64 < LAMBDA_SYNC_PAYLOAD - 512 * 1024, `base64 of a max pack is ${base64}`);
    assert.ok(base64 < API_GATEWAY_PAYLOAD);
  });
});

describe('PackBuilder', () => {
  it('emits packs within the limit, each full before the next starts, holding every chunk in order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: 3900 }), (sizes, slack) => {
        const max = MAX_PACK_BYTES - slack;
        const builder = new PackBuilder({ maxPackBytes: max });
        // Sizes repeat, so some chunks repeat: a repeat within the pending pack is skipped.
        const made = sizes.map((s) => encodeFullChunk(Buffer.alloc(s * 37_000, s), { compress: false }));
        const packs = [];
        for (const c of made) {
          const done = builder.add(c);
          if (done) packs.push(done);
        }
        const last = builder.flush();
        if (last) packs.push(last);
        assert.equal(builder.pendingCount, 0);
        assert.equal(builder.flush(), undefined);
        const ids = packs.map((p) => {
          assert.ok(p.bytes.length <= max);
          return verifyPack(p.bytes, p.id).entries.map((e) => e.id);
        });
        // Replaying the additions against the emitted packs: each chunk is in the current pack
        // (new or repeated), or opens the next pack because it did not fit.
        let k = 0;
        for (const c of made) {
          const id = chunkId(c);
          if (ids[k]?.includes(id)) continue;
          k++;
          assert.equal(ids[k]?.[0], id, 'a chunk that does not fit opens the next pack');
          const prev = packs[k - 1];
          assert.ok(prev && prev.bytes.length + 40 + c.length > max, 'the previous pack was full');
        }
        assert.equal(k, packs.length - 1);
      }),
      { numRuns: 30 },
    );
  });

  it('refuses limits that would not fit a maximal chunk or exceed MAX_PACK_BYTES', () => {
    assert.throws(() => new PackBuilder({ maxPackBytes: MAX_PACK_BYTES + 1 }), PackFormatError);
    assert.throws(() => new PackBuilder({ maxPackBytes: MAX_CHUNK_BYTES }), PackFormatError);
  });
});
