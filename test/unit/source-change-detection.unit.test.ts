import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { decodeChunk } from '../../shared/format/chunk.js';
import { applyDelta, subBlockIndices } from '../../shared/format/delta.js';
import { extentCount, extentLength, type Geometry } from '../../shared/format/geometry.js';
import { chunkId } from '../../shared/format/hash.js';
import type { ExtentEntry, Manifest } from '../../shared/format/manifest-types.js';
import { restoreVolume } from '../../shared/format/restore.js';
import { encodeExtentJob } from '../../source/extent-job.js';
import { SignatureReader, SignatureWriter, signatureFileSize } from '../../source/signature-file.js';
import { changedBitmap, SIG_BYTES, subBlockSignatures } from '../../source/signatures.js';

const SB = 16;
const KEY = Buffer.alloc(16, 0x42);
const G: Geometry = { extentSize: 64 * SB, subBlockSize: SB };

function randomBytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; b[i] = x & 0xff; }
  return b;
}

describe('sub-block signatures', () => {
  it('give 16 bytes per sub-block (a short last one included) and flag exactly the changed sub-blocks', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 64 * SB }), fc.array(fc.nat(), { maxLength: 8 }), fc.integer(), (length, writes, seed) => {
      const before = randomBytes(length, seed);
      const after = Buffer.from(before);
      for (const w of writes) after[w % length] = (after[w % length]! + 1) & 0xff;
      const a = subBlockSignatures(before, SB, KEY);
      const b = subBlockSignatures(after, SB, KEY);
      assert.equal(a.length, Math.ceil(length / SB) * SIG_BYTES);
      const bitmap = changedBitmap(a, b);
      for (let j = 0; j * SB < length; j++) {
        const same = before.subarray(j * SB, (j + 1) * SB).equals(after.subarray(j * SB, (j + 1) * SB));
        assert.equal(((bitmap >> BigInt(j)) & 1n) === 0n, same, `sub-block ${j}`);
      }
    }));
  });

  it('depend on the key: signatures under another key never compare equal', () => {
    const block = randomBytes(SB * 4, 5);
    assert.notDeepEqual(subBlockSignatures(block, SB, KEY), subBlockSignatures(block, SB, Buffer.alloc(16, 1)));
    assert.deepEqual(subBlockSignatures(block, SB, KEY), subBlockSignatures(Buffer.from(block), SB, KEY));
  });

  it('refuses to compare lists of different lengths', () => {
    assert.throws(() => changedBitmap(Buffer.alloc(32), Buffer.alloc(48)), RangeError);
  });
});

describe('extent decisions', () => {
  const base = randomBytes(64 * SB, 7);
  const sigs = subBlockSignatures(base, SB, KEY);
  const job = (bytes: Buffer, previous: Buffer | undefined, type: 'base' | 'incremental' = 'incremental') =>
    encodeExtentJob({ bytes, previous, type, subBlockSize: SB, key: KEY });

  it('base: an all-zero extent is skipped, data is FULL with a chunk whose id is its SHA-256', () => {
    assert.equal(job(Buffer.alloc(64 * SB), undefined, 'base').decision, 'SKIP');
    const full = job(base, undefined, 'base');
    assert.equal(full.decision, 'FULL');
    assert.equal(full.chunkId, chunkId(full.chunk!));
    assert.deepEqual(decodeChunk(full.chunk!).data, base);
    assert.equal(full.changedBytes, base.length);
  });

  it('incremental: unchanged is skipped, a few changed sub-blocks make a DELTA that rebuilds the extent', () => {
    assert.equal(job(Buffer.from(base), sigs).decision, 'SKIP');
    const changed = Buffer.from(base);
    changed[3 * SB] = changed[3 * SB]! ^ 1;
    changed[40 * SB + 5] = changed[40 * SB + 5]! ^ 1;
    const d = job(changed, sigs);
    assert.equal(d.decision, 'DELTA');
    assert.deepEqual(subBlockIndices(d.bitmap!), [3, 40]);
    assert.equal(d.changedBytes, 2 * SB);
    const chunk = decodeChunk(d.chunk!);
    assert.equal(chunk.kind, 'DELTA');
    if (chunk.kind === 'DELTA') assert.deepEqual(applyDelta(base, chunk.bitmap, chunk.data, SB), changed);
  });

  it('incremental: more than half changed is FULL; all zero now is ZERO; no parent state and zero is ZERO', () => {
    const most = randomBytes(64 * SB, 99);
    assert.equal(job(most, sigs).decision, 'FULL');
    const zero = job(Buffer.alloc(64 * SB), sigs);
    assert.equal(zero.decision, 'ZERO');
    assert.equal(zero.chunk, undefined);
    assert.equal(job(Buffer.alloc(64 * SB), undefined).decision, 'ZERO');
    // A parent extent of another length (the volume grew) is no parent state.
    assert.equal(job(base, sigs.subarray(0, 10 * SIG_BYTES)).decision, 'FULL');
  });
});

describe('signature files', () => {
  it('round-trip per extent, including a short last extent; an incomplete file is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'drcore-sig-'));
    try {
      const size = 3 * G.extentSize + 5 * SB + 3;
      const volume = randomBytes(size, 3);
      const file = join(dir, 'v.sig');
      const w = new SignatureWriter(file, { geometry: G, sizeBytes: size, rpId: 'rp-1', key: KEY });
      const expected: Buffer[] = [];
      for (let i = 0; i < extentCount(size, G); i++) {
        const s = subBlockSignatures(volume.subarray(i * G.extentSize, i * G.extentSize + extentLength(size, i, G)), SB, KEY);
        expected.push(s);
        w.append(s);
      }
      w.finish();
      const r = SignatureReader.open(file);
      assert.equal(r.header.rpId, 'rp-1');
      assert.equal(r.header.sizeBytes, size);
      assert.deepEqual(r.header.key, KEY);
      expected.forEach((s, i) => assert.deepEqual(r.extent(i), s));
      assert.equal(r.extent(4), undefined);
      r.close();
      truncateSync(file, signatureFileSize(size, G) - 1);
      assert.throws(() => SignatureReader.open(file), /incomplete/);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});

describe('change detection end to end (pure)', () => {
  /** Replicates a volume against the previous signatures; returns the manifest, chunks and new signatures. */
  function replicateOnce(volume: Buffer, previous: Buffer[] | undefined, chunks: Map<string, Buffer>) {
    const type = previous ? 'incremental' : 'base';
    const extents: ExtentEntry[] = [];
    const signatures: Buffer[] = [];
    for (let i = 0; i < extentCount(volume.length, G); i++) {
      const bytes = volume.subarray(i * G.extentSize, i * G.extentSize + extentLength(volume.length, i, G));
      const out = encodeExtentJob({ bytes, previous: previous?.[i], type, subBlockSize: SB, key: KEY });
      signatures.push(out.signatures);
      if (out.decision === 'ZERO') extents.push({ index: i, kind: 'ZERO' });
      if (out.decision === 'FULL' || out.decision === 'DELTA') {
        chunks.set(out.chunkId!, out.chunk!);
        extents.push({ index: i, kind: out.decision, chunk: out.chunkId! });
      }
    }
    const manifest: Manifest = { type, geometry: G, volumes: [{ name: 'v', sizeBytes: volume.length, extents }] };
    return { manifest, signatures };
  }

  it('base + incrementals restore each state exactly, for random volumes and random writes', async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: 5 * 64 * SB }), fc.integer(),
      fc.array(fc.array(fc.record({ at: fc.nat(), len: fc.integer({ min: 1, max: 200 }), zero: fc.boolean() }), { maxLength: 6 }), { minLength: 1, maxLength: 3 }),
      async (size, seed, rounds) => {
        const chunks = new Map<string, Buffer>();
        const get = (id: string) => { const c = chunks.get(id); if (!c) throw new Error(`no chunk ${id}`); return c; };
        let volume = randomBytes(size, seed);
        volume.fill(0, 0, Math.min(size, G.extentSize)); // a zero extent in the base
        const chain: Manifest[] = [];
        let previous: Buffer[] | undefined;
        const states = [Buffer.from(volume)];
        for (let r = 0; r <= rounds.length; r++) {
          if (r > 0) {
            volume = Buffer.from(volume);
            for (const w of rounds[r - 1]!) {
              const at = w.at % size;
              if (w.zero) volume.fill(0, at, Math.min(size, at + w.len));
              else randomBytes(Math.min(size, at + w.len) - at, w.at + r).copy(volume, at);
            }
            states.push(Buffer.from(volume));
          }
          const { manifest, signatures } = replicateOnce(volume, previous, chunks);
          chain.push(manifest);
          previous = signatures;
        }
        for (let k = 0; k < chain.length; k++) {
          const parts: Buffer[] = [];
          for await (const e of restoreVolume(chain.slice(0, k + 1), 'v', get)) parts.push(e);
          assert.deepEqual(Buffer.concat(parts), states[k]);
        }
      }), { numRuns: 60 });
  });
});
