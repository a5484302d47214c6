import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { decodeChunk, MAX_CHUNK_BYTES } from '../../shared/format/chunk.js';
import { ChunkIntegrityError, ManifestFormatError } from '../../shared/format/errors.js';
import { DEFAULT_GEOMETRY, EXTENT_SIZE } from '../../shared/format/geometry.js';
import { chunkId } from '../../shared/format/hash.js';
import {
  decodeManifest, decodeManifestRoot, encodeManifest, lookupExtent, ManifestReader, manifestPartIds, referencedChunks,
  type ExtentEntry, type Manifest,
} from '../../shared/format/manifest.js';

const TIB = 1024 ** 4;
const hex = (i: number): string => chunkId(Buffer.from(String(i)));

function store(encoded: { rootChunk: Buffer; chunks: readonly Buffer[] }): Map<string, Buffer> {
  return new Map([encoded.rootChunk, ...encoded.chunks].map((c) => [chunkId(c), c]));
}
const getter = (m: Map<string, Buffer>) => (id: string): Buffer => {
  const c = m.get(id);
  if (!c) throw new Error(`missing ${id}`);
  return c;
};

const manifestArb: fc.Arbitrary<Manifest> = fc
  .record({
    type: fc.constantFrom('base' as const, 'incremental' as const),
    volumes: fc.uniqueArray(
      fc.record({
        name: fc.string({ minLength: 1, maxLength: 12 }),
        sizeBytes: fc.integer({ min: 0, max: 40 * 1024 }),
        picks: fc.array(fc.record({ keep: fc.boolean(), kind: fc.constantFrom('FULL', 'DELTA', 'ZERO'), id: fc.nat(50) }), { maxLength: 40 }),
      }),
      { maxLength: 3, selector: (v) => v.name },
    ),
  })
  .map(({ type, volumes }) => ({
    type,
    geometry: { extentSize: 1024, subBlockSize: 16 },
    volumes: volumes.map((v) => {
      const extents: ExtentEntry[] = [];
      v.picks.slice(0, Math.ceil(v.sizeBytes / 1024)).forEach((p, index) => {
        if (!p.keep) return;
        const kind = type === 'base' && p.kind === 'DELTA' ? 'FULL' : p.kind;
        extents.push(kind === 'ZERO' ? { index, kind } : { index, kind, chunk: hex(p.id) });
      });
      return { name: v.name, sizeBytes: v.sizeBytes, extents };
    }),
  }))
  .filter((m) => m.volumes.every((v) => Buffer.byteLength(v.name) > 0));

describe('manifest', () => {
  it('round-trips through root and part chunks, eagerly and lazily', async () => {
    await fc.assert(
      fc.asyncProperty(manifestArb, fc.integer({ min: 1, max: 5 }), async (m, partEntries) => {
        const enc = encodeManifest(m, { partEntries });
        assert.equal(enc.rootId, chunkId(enc.rootChunk));
        assert.deepEqual(enc.chunkIds, enc.chunks.map((c) => chunkId(c)));
        assert.deepEqual(new Set(manifestPartIds(enc.rootChunk)), new Set(enc.chunkIds));
        const chunks = store(enc);
        const back = await decodeManifest(enc.rootChunk, getter(chunks));
        assert.deepEqual(back, m);
        const reader = ManifestReader.open(enc.rootChunk, getter(chunks), { cacheParts: 1 });
        for (const v of m.volumes) {
          for (let i = 0; i < Math.ceil(v.sizeBytes / 1024); i++) {
            assert.deepEqual(await reader.lookup(v.name, i), lookupExtent(m, v.name, i));
          }
        }
        const refs = referencedChunks(m);
        assert.equal(new Set(refs).size, refs.length);
        for (const v of m.volumes) for (const e of v.extents) if (e.kind !== 'ZERO') assert.ok(refs.includes(e.chunk));
      }),
      { numRuns: 150 },
    );
  });

  it('keeps every chunk of a 2 TiB volume under 4 MiB, sparse or fully written', async () => {
    const extents = (2 * TIB) / EXTENT_SIZE;
    const ids = randomBytes(extents * 32);
    const id = (i: number): string => ids.toString('hex', i * 32, i * 32 + 32);
    const dense: ExtentEntry[] = Array.from({ length: extents }, (_, index) => ({ index, kind: index % 5 ? 'FULL' : 'DELTA', chunk: id(index) }));
    const sparse: ExtentEntry[] = [];
    for (let index = 0; index < extents; index += 1 + (index % 13)) sparse.push(index % 7 ? { index, kind: 'FULL', chunk: id(index) } : { index, kind: 'ZERO' });
    const m: Manifest = {
      type: 'incremental',
      volumes: [
        { name: 'disk0', sizeBytes: 2 * TIB, extents: dense },
        { name: 'disk1', sizeBytes: 2 * TIB - 12345, extents: sparse },
      ],
    };
    const enc = encodeManifest(m);
    for (const c of [enc.rootChunk, ...enc.chunks]) {
      assert.ok(c.length < 4 * 1024 * 1024 && c.length <= MAX_CHUNK_BYTES, `chunk of ${c.length} bytes`);
      assert.equal(decodeChunk(c).kind, 'MANIFEST');
    }
    assert.ok(enc.rootChunk.length < 2048, `root of ${enc.rootChunk.length} bytes`);
    const root = decodeManifestRoot(enc.rootChunk);
    assert.deepEqual(root.geometry, DEFAULT_GEOMETRY);
    assert.equal(root.volumes[0]?.parts.length, 8);
    const back = await decodeManifest(enc.rootChunk, getter(store(enc)));
    assert.equal(back.volumes[0]?.extents.length, dense.length);
    assert.deepEqual(back.volumes[1]?.extents, sparse);
    assert.deepEqual(back.volumes[0]?.extents[extents - 1], dense[extents - 1]);
  });

  it('rejects invalid manifests when encoding', () => {
    const bad = (m: Manifest): void => assert.throws(() => encodeManifest(m), ManifestFormatError);
    const v = { name: 'd', sizeBytes: 3 * EXTENT_SIZE };
    bad({ type: 'base', volumes: [{ ...v, extents: [{ index: 0, kind: 'DELTA', chunk: hex(1) }] }] });
    bad({ type: 'incremental', volumes: [{ ...v, extents: [{ index: 3, kind: 'ZERO' }] }] });
    bad({ type: 'incremental', volumes: [{ ...v, extents: [{ index: 1, kind: 'ZERO' }, { index: 1, kind: 'ZERO' }] }] });
    bad({ type: 'incremental', volumes: [{ ...v, extents: [{ index: 2, kind: 'ZERO' }, { index: 1, kind: 'ZERO' }] }] });
    bad({ type: 'incremental', volumes: [{ ...v, extents: [{ index: 0, kind: 'FULL', chunk: 'ABC' }] }] });
    bad({ type: 'incremental', volumes: [{ ...v, extents: [] }, { ...v, extents: [] }] });
    bad({ type: 'incremental', volumes: [{ name: '', sizeBytes: 0, extents: [] }] });
    bad({ type: 'incremental', volumes: [{ name: 'x', sizeBytes: -1, extents: [] }] });
    bad({ type: 'base', geometry: { extentSize: 1024, subBlockSize: 8 }, volumes: [] });
  });

  it('detects a tampered or substituted part', async () => {
    const m: Manifest = { type: 'base', volumes: [{ name: 'd', sizeBytes: 10 * EXTENT_SIZE, extents: [{ index: 2, kind: 'FULL', chunk: hex(2) }] }] };
    const other: Manifest = { type: 'base', volumes: [{ name: 'd', sizeBytes: 10 * EXTENT_SIZE, extents: [{ index: 3, kind: 'FULL', chunk: hex(3) }] }] };
    const enc = encodeManifest(m);
    const partId = enc.chunkIds[0] as string;
    const swapped = new Map([[partId, encodeManifest(other).chunks[0] as Buffer]]);
    await assert.rejects(decodeManifest(enc.rootChunk, getter(swapped)), ChunkIntegrityError);
    await assert.rejects(decodeManifest(enc.rootChunk, getter(swapped), { verify: false }), ManifestFormatError);
    assert.throws(() => decodeManifestRoot(enc.chunks[0] as Buffer), ManifestFormatError);
  });
});
