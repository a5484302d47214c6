import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { blockBitmapOf, blockDeltaLength } from '../../shared/format/block-delta.js';
import { encodeBlockDeltaChunk, encodeDeltaChunk, encodeFullChunk } from '../../shared/format/chunk.js';
import { deltaLength, subBlockIndices } from '../../shared/format/delta.js';
import { blockSizeOf, extentCount, extentLength, subBlockCount, type Geometry } from '../../shared/format/geometry.js';
import { chunkId } from '../../shared/format/hash.js';
import { encodeManifest, ManifestReader } from '../../shared/format/manifest.js';
import type { ExtentEntry, Manifest, VolumeManifest } from '../../shared/format/manifest-types.js';
import { resolveExtent } from '../../shared/format/restore.js';
import { resolveInto, ZERO_EXTENT } from '../../source/extent-resolver.js';

const SB = 16;
const G: Geometry = { extentSize: 8 * SB, subBlockSize: SB };

/** A random chain of manifests (sizes change, volumes come and go, every entry kind, both DELTA forms) with its chunks. */
const chainArb = fc.record({
  links: fc.array(fc.record({
    present: fc.boolean(),
    size: fc.integer({ min: 1, max: 5 * G.extentSize }),
    entries: fc.array(fc.record({ kind: fc.constantFrom('FULL', 'DELTA', 'BLOCK_DELTA', 'ZERO', 'ABSENT'), bits: fc.integer({ min: 1, max: 255 }), fill: fc.integer({ min: 0, max: 255 }) }), { minLength: 5, maxLength: 5 }),
  }), { minLength: 1, maxLength: 5 }),
});

interface ChainSpec { links: { present: boolean; size: number; entries: { kind: string; bits: number; fill: number }[] }[] }

function build(spec: ChainSpec) {
  const chunks = new Map<string, Buffer>();
  const put = (c: Buffer) => { const id = chunkId(c); chunks.set(id, c); return id; };
  const manifests: Manifest[] = spec.links.map((l, k) => {
    const type = k === 0 ? 'base' : 'incremental';
    const present = k === spec.links.length - 1 || l.present; // the target always has the volume
    if (!present) return { type, geometry: G, volumes: [] };
    const extents: ExtentEntry[] = [];
    for (let i = 0; i < extentCount(l.size, G); i++) {
      const e = l.entries[i]!;
      const len = extentLength(l.size, i, G);
      const kind = (e.kind === 'DELTA' || e.kind === 'BLOCK_DELTA') && type === 'base' ? 'FULL' : e.kind;
      if (kind === 'FULL') extents.push({ index: i, kind, chunk: put(encodeFullChunk(Buffer.alloc(len, e.fill + k))) });
      if (kind === 'ZERO') extents.push({ index: i, kind });
      if (kind === 'DELTA') {
        const bitmap = BigInt(e.bits) & ((1n << BigInt(subBlockCount(len, SB))) - 1n);
        if (bitmap === 0n) continue;
        const data = Buffer.alloc(deltaLength(bitmap, len, SB));
        for (let j = 0; j < data.length; j++) data[j] = (e.fill * 7 + j + subBlockIndices(bitmap).length) & 0xff;
        extents.push({ index: i, kind, chunk: put(encodeDeltaChunk(bitmap, data)) });
      }
      if (kind === 'BLOCK_DELTA') {
        const bs = blockSizeOf(SB);
        const picked = Array.from({ length: subBlockCount(len, bs) }, (_, k) => k).filter((k) => (e.bits >> (k % 8)) & 1 && (k * 7 + e.fill) % 5 < 2);
        if (picked.length === 0) continue;
        const blocks = blockBitmapOf(picked);
        const data = Buffer.alloc(blockDeltaLength(blocks, len, bs));
        for (let j = 0; j < data.length; j++) data[j] = (e.fill * 11 + j + picked.length) & 0xff;
        extents.push({ index: i, kind: 'DELTA', chunk: put(encodeBlockDeltaChunk(bs, blocks, data)) });
      }
    }
    const v: VolumeManifest = { name: 'v', sizeBytes: l.size, extents };
    return { type, geometry: G, volumes: [v] };
  });
  const get = (id: string) => { const c = chunks.get(id); if (!c) throw new Error(`no chunk ${id}`); return c; };
  const readers = manifests.map((m) => {
    const e = encodeManifest(m);
    e.chunks.forEach((c, i) => chunks.set(e.chunkIds[i]!, c));
    chunks.set(e.rootId, e.rootChunk);
    return ManifestReader.open(e.rootChunk, get);
  });
  return { readers, get, targetSize: spec.links[spec.links.length - 1]!.size };
}

describe('restore extent resolver', () => {
  it('resolves every extent of random chains exactly like shared/format resolveExtent, with one dirty scratch reused', async () => {
    await fc.assert(fc.asyncProperty(chainArb, async (spec) => {
      const { readers, get, targetSize } = build(spec);
      const scratch = Buffer.alloc(G.extentSize, 0xa5); // dirty on purpose
      for (let i = 0; i < extentCount(targetSize, G); i++) {
        const expected = await resolveExtent(readers, 'v', i, get);
        const got = await resolveInto(readers, G, 'v', i, get, scratch);
        if (got === ZERO_EXTENT) assert.ok(expected.every((b) => b === 0), `extent ${i} is not zero`);
        else assert.deepEqual(Buffer.from(got), expected, `extent ${i}`);
        scratch.fill(0x5a); // the caller may reuse the scratch at once
      }
    }), { numRuns: 300 });
  });

  it('verifies chunks: a corrupted chunk is refused', async () => {
    const { readers, get } = build({ links: [{ present: true, size: G.extentSize, entries: [{ kind: 'FULL', bits: 1, fill: 3 }, ...Array(4).fill({ kind: 'ZERO', bits: 1, fill: 0 })] }] });
    const bad = (id: string) => { const c = Buffer.from(get(id)); c[c.length - 1] = c[c.length - 1]! ^ 1; return c; };
    await assert.rejects(resolveInto(readers, G, 'v', 0, bad, Buffer.alloc(G.extentSize)), /failed verification/);
  });
});
