import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { FormatError } from '../../shared/format/errors.js';
import { encodeRpIndex, partFor, RP_INDEX_PART_ENTRIES, RP_INDEX_PART_MAX_BYTES, RpIndexPart, type IndexEntry } from '../../shared/format/rp-index.js';

const hex = () => randomBytes(32).toString('hex');
const entries = (n: number, packs = 3): IndexEntry[] => {
  const ps = Array.from({ length: packs }, hex);
  return Array.from({ length: n }, (_, i) => ({ chunk: hex(), pack: ps[i % packs] as string, offset: 12 + (i % 1000) * 100, length: 100 }));
};

describe('RP index format (shared/format/rp-index.ts)', () => {
  it('round-trips any set of entries: every chunk found at its place, absent ids not found, parts ordered', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 64 }), (n, per) => {
      const es = entries(n, 5);
      const parts = encodeRpIndex(es, per).map((p) => ({ ...p, decoded: RpIndexPart.decode(p.bytes) }));
      assert.equal(parts.length, Math.ceil(n / per));
      const firsts = parts.map((p) => p.firstChunk);
      assert.deepEqual(firsts, [...firsts].sort());
      for (const e of es) {
        const k = partFor(firsts, e.chunk);
        assert.deepEqual(parts[k]?.decoded.find(e.chunk), { pack: e.pack, offset: e.offset, length: e.length });
      }
      assert.equal(parts.reduce((c, p) => c + p.decoded.count, 0), n);
      const other = hex();
      const k = partFor(firsts, other);
      assert.equal(k < 0 ? undefined : parts[k]?.decoded.find(other), undefined);
    }), { numRuns: 60 });
  });

  it('placeAt(i) gives entry i\'s pack (its 32 bytes), offset and length, as entry(i) does', () => {
    const [part] = encodeRpIndex(entries(50, 4));
    const decoded = RpIndexPart.decode(part!.bytes);
    for (let i = 0; i < decoded.count; i++) {
      const e = decoded.entry(i);
      const p = decoded.placeAt(i);
      assert.deepEqual({ pack: p.pack.toString('hex'), offset: p.offset, length: p.length }, { pack: e.pack, offset: e.offset, length: e.length });
    }
  });

  it('a full part fits one S3 object and one Lambda response (≤ 3.8 MB, worst case: every entry in its own pack)', () => {
    const [part] = encodeRpIndex(entries(RP_INDEX_PART_ENTRIES, RP_INDEX_PART_ENTRIES));
    assert.ok(part && part.bytes.length <= RP_INDEX_PART_MAX_BYTES && part.bytes.length < 3.8e6, `${part?.bytes.length}`);
    assert.ok(Math.ceil(part.bytes.length / 3) * 4 < 6 * 1024 * 1024, 'base64 of a part is under Lambda’s 6 MB response');
  });

  it('refuses a flipped byte anywhere, a truncation, a bad magic, and duplicate chunks', () => {
    const [part] = encodeRpIndex(entries(20));
    const bytes = (part as { bytes: Buffer }).bytes;
    for (let i = 0; i < bytes.length; i += 7) {
      const bad = Buffer.from(bytes);
      bad[i] = (bad[i] as number) ^ 0x01;
      assert.throws(() => RpIndexPart.decode(bad), FormatError, `flip at ${i}`);
    }
    assert.throws(() => RpIndexPart.decode(bytes.subarray(0, bytes.length - 1)), FormatError);
    assert.throws(() => RpIndexPart.decode(Buffer.concat([Buffer.from('XXXX'), bytes.subarray(4)])), FormatError);
    const e = entries(2);
    assert.throws(() => encodeRpIndex([e[0] as IndexEntry, { ...(e[0] as IndexEntry), pack: hex() }]), FormatError);
    assert.throws(() => encodeRpIndex([]), FormatError);
    assert.throws(() => encodeRpIndex([{ ...(e[0] as IndexEntry), length: 0 }]), FormatError);
  });
});
