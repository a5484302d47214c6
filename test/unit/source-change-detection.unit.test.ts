import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { applyBlockDelta, blockBitmapOf, blockIndices, diffBlocks } from '../../shared/format/block-delta.js';
import { decodeChunk } from '../../shared/format/chunk.js';
import { blockSizeOf, extentCount, extentLength, type Geometry } from '../../shared/format/geometry.js';
import { encodeExtent } from '../../shared/format/extent.js';
import { chunkId } from '../../shared/format/hash.js';
import type { ExtentEntry, Manifest } from '../../shared/format/manifest-types.js';
import { restoreVolume } from '../../shared/format/restore.js';
import { encodeExtentJob } from '../../source/extent-job.js';
import { SignatureReader, SignatureWriter, signatureFileSize, SIG_HEADER_BYTES } from '../../source/signature-file.js';
import {
  BLOCK_SIG_BYTES, blockSignatures, changedBitmap, recordLength, SIG_BYTES, signExtent, subBlockRecordLength, subBlockSignatures,
} from '../../source/signatures.js';

const SB = 16;
/** 16 blocks of 1 byte per 16-byte sub-block, 1024 per extent: the default's 4 KiB in 64 KiB in 4 MiB, scaled down. */
const BS = blockSizeOf(SB);
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

describe('two-level signatures (signExtent)', () => {
  /** `before` with `writes` (byte flips) applied. */
  const written = (before: Buffer, writes: readonly number[]): Buffer => {
    const after = Buffer.from(before);
    for (const w of writes) after[w % after.length] = (after[w % after.length]! + 1) & 0xff;
    return after;
  };
  const writes = fc.array(fc.nat(), { maxLength: 12 });

  /** Sub-block sizes: blocks of 1, 4 and 3 bytes, and 17 (no 16 equal blocks: blocks are the sub-blocks). */
  const geometry = fc.constantFrom(16, 64, 48, 17).chain((sb) => fc.record({ sb: fc.constant(sb), length: fc.integer({ min: 1, max: 64 * sb }) }));

  it('against a record of both levels: flags exactly the changed blocks, and the new record is what signing afresh gives', () => {
    fc.assert(fc.property(geometry, writes, fc.integer(), ({ sb: SB, length }, w, seed) => {
      const BS = blockSizeOf(SB);
      const before = randomBytes(length, seed);
      const after = written(before, w);
      const old = signExtent(before, SB, KEY);
      assert.equal(old.record.length, recordLength(length, SB));
      assert.equal(old.previous, 'none');
      assert.equal(old.changed, undefined);
      const now = signExtent(after, SB, KEY, old.record);
      assert.equal(now.previous, 'blocks');
      assert.deepEqual(now.changed, diffBlocks(before, after, BS));
      assert.equal(now.changedBytes, blockIndices(now.changed!).reduce((n, k) => n + Math.min(BS, length - k * BS), 0));
      assert.deepEqual(now.record, signExtent(after, SB, KEY).record, 'the block signatures kept from the previous record are those of the data');
      assert.deepEqual(now.record.subarray(0, subBlockRecordLength(length, SB)), subBlockSignatures(after, SB, KEY));
      assert.deepEqual(now.record.subarray(subBlockRecordLength(length, SB)), blockSignatures(after, BS, KEY));
    }));
  });

  it('against a v1 record (sub-block signatures only): flags whole changed sub-blocks, and writes both levels', () => {
    fc.assert(fc.property(geometry, writes, fc.integer(), ({ sb: SB, length }, w, seed) => {
      const BS = blockSizeOf(SB);
      const before = randomBytes(length, seed);
      const after = written(before, w);
      const now = signExtent(after, SB, KEY, subBlockSignatures(before, SB, KEY));
      assert.equal(now.previous, 'sub-blocks');
      const changedSubBlocks = changedBitmap(subBlockSignatures(before, SB, KEY), subBlockSignatures(after, SB, KEY));
      const expected: number[] = [];
      for (let k = 0; k < Math.ceil(length / BS); k++) if ((changedSubBlocks >> BigInt(Math.floor((k * BS) / SB))) & 1n) expected.push(k);
      assert.deepEqual(now.changed, blockBitmapOf(expected));
      assert.deepEqual(now.record, signExtent(after, SB, KEY).record);
    }));
  });

  it('sends a whole sub-block when its signature changed but its block signatures cannot tell (a collision of block signatures)', () => {
    const before = randomBytes(64 * SB, 3);
    const after = written(before, [5 * SB + 2]);
    const honest = signExtent(before, SB, KEY).record;
    // A previous record whose block signatures of sub-block 5 are those of the new data: as if they collided.
    const colliding = Buffer.from(honest);
    const fineAt = subBlockRecordLength(before.length, SB);
    signExtent(after, SB, KEY).record.copy(colliding, fineAt + 5 * 16 * BLOCK_SIG_BYTES, fineAt + 5 * 16 * BLOCK_SIG_BYTES, fineAt + 6 * 16 * BLOCK_SIG_BYTES);
    assert.deepEqual(blockIndices(signExtent(after, SB, KEY, honest).changed!), [5 * 16 + 2]);
    assert.deepEqual(blockIndices(signExtent(after, SB, KEY, colliding).changed!), Array.from({ length: 16 }, (_, i) => 5 * 16 + i));
  });

  it('signs zeros like any data (cached), and ignores a record of any other length', () => {
    const zeros = Buffer.alloc(64 * SB - 3);
    const signed = signExtent(zeros, SB, KEY);
    assert.equal(signed.nonZero, false);
    assert.equal(signed.changedBytes, 0);
    assert.deepEqual(signed.record, Buffer.concat([subBlockSignatures(zeros, SB, KEY), blockSignatures(zeros, BS, KEY)]));
    assert.equal(signExtent(zeros, SB, KEY, signed.record.subarray(1)).previous, 'none');
    assert.notDeepEqual(signExtent(zeros, SB, Buffer.alloc(16, 9)).record, signed.record, 'another key, other signatures');
  });
});

describe('extent decisions', () => {
  const base = randomBytes(64 * SB, 7);
  const sigs = signExtent(base, SB, KEY).record;
  const job = (bytes: Buffer, previous: Buffer | undefined, type: 'base' | 'incremental' = 'incremental') =>
    encodeExtentJob({ bytes, previous, type, subBlockSize: SB, key: KEY });

  it('base: an all-zero extent is skipped, data is FULL with a chunk whose id is its SHA-256', () => {
    assert.equal(job(Buffer.alloc(64 * SB), undefined, 'base').decision, 'SKIP');
    const full = job(base, undefined, 'base');
    assert.equal(full.decision, 'FULL');
    assert.equal(full.chunkId, chunkId(full.chunk!));
    assert.deepEqual(decodeChunk(full.chunk!).data, base);
    assert.equal(full.changedBytes, base.length);
    assert.deepEqual(full.signatures, sigs);
  });

  it('incremental: unchanged is skipped, a few changed blocks make a block DELTA that carries just them and rebuilds the extent', () => {
    assert.equal(job(Buffer.from(base), sigs).decision, 'SKIP');
    const changed = Buffer.from(base);
    changed[3 * SB] = changed[3 * SB]! ^ 1;
    changed[40 * SB + 5] = changed[40 * SB + 5]! ^ 1;
    const d = job(changed, sigs);
    assert.equal(d.decision, 'DELTA');
    assert.deepEqual(blockIndices(d.blocks!), [3 * SB / BS, (40 * SB + 5) / BS]);
    assert.equal(d.changedBytes, 2 * BS);
    const chunk = decodeChunk(d.chunk!);
    assert.ok(chunk.kind === 'DELTA' && chunk.form === 'blocks');
    assert.equal(chunk.blockSize, BS);
    assert.equal(chunk.data.length, 2 * BS);
    assert.deepEqual(applyBlockDelta(base, chunk.blocks, chunk.data, chunk.blockSize), changed);
  });

  it('incremental against a v1 record: the changed sub-blocks go whole, as block DELTA', () => {
    const changed = Buffer.from(base);
    changed[3 * SB] = changed[3 * SB]! ^ 1;
    const d = job(changed, subBlockSignatures(base, SB, KEY));
    assert.equal(d.decision, 'DELTA');
    assert.equal(d.changedBytes, SB);
    assert.deepEqual(blockIndices(d.blocks!), Array.from({ length: SB / BS }, (_, i) => 3 * (SB / BS) + i));
    assert.deepEqual(d.signatures, signExtent(changed, SB, KEY).record, 'the next run compares per block');
  });

  it('incremental: more than half the blocks changed is FULL; all zero now is ZERO; no parent state and zero is ZERO', () => {
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
        const s = signExtent(volume.subarray(i * G.extentSize, i * G.extentSize + extentLength(size, i, G)), SB, KEY).record;
        expected.push(s);
        w.append(s);
      }
      w.finish();
      const r = SignatureReader.open(file);
      assert.equal(r.version, 2);
      assert.equal(r.header.rpId, 'rp-1');
      assert.equal(r.header.sizeBytes, size);
      assert.deepEqual(r.header.key, KEY);
      expected.forEach((s, i) => assert.deepEqual(r.extent(i), s));
      assert.equal(r.extent(4), undefined);
      assert.equal(r.extentLength(3), 5 * SB + 3);
      r.close();
      truncateSync(file, signatureFileSize(size, G) - 1);
      assert.throws(() => SignatureReader.open(file), /incomplete/);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it('are at most 0.25 % of the volume in the default geometry (9 KiB per 4 MiB extent)', () => {
    const TiB = 2 ** 40;
    const size = signatureFileSize(TiB, { extentSize: 4 * 1024 * 1024, subBlockSize: 64 * 1024 });
    assert.equal(size, SIG_HEADER_BYTES + (TiB / (4 * 1024 * 1024)) * (64 * SIG_BYTES + 1024 * BLOCK_SIG_BYTES));
    assert.ok(size / TiB <= 0.0025, `${((size / TiB) * 100).toFixed(3)} %`);
  });

  it('read a version 1 file (sub-block signatures only, as written before blocks) and refuse a malformed header', () => {
    const dir = mkdtempSync(join(tmpdir(), 'drcore-sig-'));
    try {
      const size = 2 * G.extentSize + 7;
      const volume = randomBytes(size, 4);
      // The layout of version 1, byte for byte: header, then 16 bytes per sub-block.
      const head = Buffer.alloc(SIG_HEADER_BYTES);
      head.write('DRSG', 0, 'latin1');
      head[4] = 1;
      head.writeUInt32LE(G.extentSize, 8);
      head.writeUInt32LE(G.subBlockSize, 12);
      head.writeBigUInt64LE(BigInt(size), 16);
      head[24] = 4;
      head.write('rp-0', 25, 'latin1');
      KEY.copy(head, 96);
      const records = Array.from({ length: 3 }, (_, i) => subBlockSignatures(volume.subarray(i * G.extentSize, i * G.extentSize + extentLength(size, i, G)), SB, KEY));
      const file = join(dir, 'v1.sig');
      writeFileSync(file, Buffer.concat([head, ...records]));
      assert.equal(signatureFileSize(size, G, 1), SIG_HEADER_BYTES + records.reduce((n, r) => n + r.length, 0));
      const r = SignatureReader.open(file);
      assert.equal(r.version, 1);
      assert.equal(r.header.rpId, 'rp-0');
      records.forEach((rec, i) => assert.deepEqual(r.extent(i), rec));
      r.close();
      const bad = (mutate: (b: Buffer) => void, why: RegExp): void => {
        const b = Buffer.concat([head, ...records]);
        mutate(b);
        writeFileSync(file, b);
        assert.throws(() => SignatureReader.open(file), why);
      };
      bad((b) => { b[4] = 3; }, /not a drcore signature file/);
      bad((b) => { b.writeUInt32LE(0, 12); }, /not a drcore signature file/);
      bad((b) => { b[4] = 2; }, /not a drcore signature file: unexpected block signatures/);
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

  it('an older chain (kind 2 DELTAs, v1 records) goes on with block DELTAs; every state restores exactly', async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: 4 * 64 * SB }), fc.integer(),
      fc.array(fc.array(fc.record({ at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }), { maxLength: 6 }), { minLength: 2, maxLength: 2 }),
      async (size, seed, rounds) => {
        const chunks = new Map<string, Buffer>();
        const get = (id: string) => { const c = chunks.get(id); if (!c) throw new Error(`no chunk ${id}`); return c; };
        const mutate = (v: Buffer, r: number): Buffer => {
          const out = Buffer.from(v);
          for (const w of rounds[r]!) { const at = w.at % size; randomBytes(Math.min(size, at + w.len) - at, w.at + r).copy(out, at); }
          return out;
        };
        // The old writer: kind 2 DELTAs per sub-block (shared/format/extent.ts), v1 records.
        const states = [randomBytes(size, seed)];
        states.push(mutate(states[0]!, 0));
        const chain: Manifest[] = [];
        for (const [k, state] of states.entries()) {
          const extents: ExtentEntry[] = [];
          for (let i = 0; i < extentCount(size, G); i++) {
            const slice = (v: Buffer) => v.subarray(i * G.extentSize, i * G.extentSize + extentLength(size, i, G));
            const u = encodeExtent(slice(state), k === 0 ? undefined : slice(states[k - 1]!), { subBlockSize: SB });
            if (u.kind === 'ZERO') extents.push({ index: i, kind: 'ZERO' });
            if (u.kind === 'FULL' || u.kind === 'DELTA') { chunks.set(u.id, u.chunk); extents.push({ index: i, kind: u.kind, chunk: u.id }); }
          }
          chain.push({ type: k === 0 ? 'base' : 'incremental', geometry: G, volumes: [{ name: 'v', sizeBytes: size, extents }] });
        }
        const v1 = Array.from({ length: extentCount(size, G) }, (_, i) => subBlockSignatures(states[1]!.subarray(i * G.extentSize, i * G.extentSize + extentLength(size, i, G)), SB, KEY));
        // The new source: converts against the v1 records, then compares per block.
        states.push(mutate(states[1]!, 1));
        const converted = replicateOnce(states[2]!, v1, chunks);
        chain.push(converted.manifest);
        states.push(mutate(states[2]!, 0));
        chain.push(replicateOnce(states[3]!, converted.signatures, chunks).manifest);
        for (let k = 0; k < chain.length; k++) {
          const parts: Buffer[] = [];
          for await (const e of restoreVolume(chain.slice(0, k + 1), 'v', get)) parts.push(e);
          assert.deepEqual(Buffer.concat(parts), states[k], `state ${k}`);
        }
      }), { numRuns: 40 });
  });

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
