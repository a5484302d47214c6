import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeFullChunk } from '../../shared/format/chunk.js';
import { ChainError, ChunkIntegrityError } from '../../shared/format/errors.js';
import { extentCount, type Geometry } from '../../shared/format/geometry.js';
import { encodeExtent } from '../../shared/format/extent.js';
import { chunkId } from '../../shared/format/hash.js';
import { encodeManifest, ManifestReader, type ExtentEntry, type Manifest, type VolumeManifest } from '../../shared/format/manifest.js';
import { resolveExtent, restoreVolume, type ChainLink } from '../../shared/format/restore.js';

const G: Geometry = { extentSize: 1024, subBlockSize: 16 }; // 64 sub-blocks, like 4 MiB / 64 KiB

type Write = { volume: number; at: number; len: number; fill: number | 'noise'; seed: number };
type Step = { writes: Write[]; resize?: { volume: number; size: number } };

const writeArb: fc.Arbitrary<Write> = fc.record({
  volume: fc.nat(1),
  at: fc.nat(12_000),
  len: fc.integer({ min: 1, max: 3000 }),
  fill: fc.oneof(fc.constant<'noise'>('noise'), fc.constant(0), fc.integer({ min: 1, max: 255 })),
  seed: fc.nat(),
});
const stepArb: fc.Arbitrary<Step> = fc.record(
  { writes: fc.array(writeArb, { maxLength: 5 }), resize: fc.record({ volume: fc.nat(1), size: fc.integer({ min: 0, max: 12_000 }) }) },
  { requiredKeys: ['writes'] },
);

function noise(len: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(len);
  let x = seed | 1;
  for (let i = 0; i < len; i++) b[i] = (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24;
  return b;
}

/** Applies a step to the source volumes (volume 1 exists only once resized or written). */
function applyStep(volumes: (Buffer | undefined)[], step: Step): (Buffer | undefined)[] {
  const next = volumes.map((v) => (v ? Buffer.from(v) : undefined));
  if (step.resize) {
    const old = next[step.resize.volume] ?? Buffer.alloc(0);
    const grown = Buffer.alloc(step.resize.size);
    old.copy(grown, 0, 0, Math.min(old.length, grown.length));
    next[step.resize.volume] = grown;
  }
  for (const w of step.writes) {
    const v = next[w.volume];
    if (!v || v.length === 0) continue;
    const at = w.at % v.length;
    const end = Math.min(v.length, at + w.len);
    if (w.fill === 'noise') noise(end - at, w.seed).copy(v, at);
    else v.fill(w.fill, at, end);
  }
  return next;
}

/** The reference source core: one recovery point against the previous state. */
function replicate(current: (Buffer | undefined)[], previous: (Buffer | undefined)[] | undefined, store: Map<string, Buffer>): Manifest {
  const volumes: VolumeManifest[] = [];
  current.forEach((bytes, n) => {
    if (!bytes) return;
    const extents: ExtentEntry[] = [];
    for (let index = 0; index < extentCount(bytes.length, G); index++) {
      const cur = bytes.subarray(index * G.extentSize, (index + 1) * G.extentSize);
      const prevVolume = previous?.[n];
      const prev = prevVolume?.subarray(index * G.extentSize, (index + 1) * G.extentSize);
      const u = encodeExtent(cur, prev && prev.length > 0 ? prev : undefined, { subBlockSize: G.subBlockSize, level: 1 });
      if (u.kind === 'UNCHANGED' || (u.kind === 'ZERO' && !previous)) continue;
      if (u.kind === 'ZERO') extents.push({ index, kind: 'ZERO' });
      else {
        store.set(u.id, u.chunk);
        extents.push({ index, kind: u.kind, chunk: u.id });
      }
    }
    volumes.push({ name: `vol${n}`, sizeBytes: bytes.length, extents });
  });
  return { type: previous ? 'incremental' : 'base', geometry: G, volumes };
}

async function restoreAll(chain: ChainLink[], name: string, get: (id: string) => Buffer): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const extent of restoreVolume(chain, name, get)) parts.push(extent);
  return Buffer.concat(parts);
}

describe('restore', () => {
  it('base + 1–4 incrementals restore exactly the source bytes at every recovery point', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 12_000 }),
        fc.array(writeArb, { maxLength: 6 }),
        fc.array(stepArb, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        async (size0, initialWrites, steps, lazy) => {
          const store = new Map<string, Buffer>();
          const get = (id: string): Buffer => store.get(id) ?? assert.fail(`chunk ${id} missing`);
          let state = applyStep([Buffer.alloc(size0), undefined], { writes: initialWrites });
          const states = [state];
          const manifests = [replicate(state, undefined, store)];
          for (const step of steps) {
            const next = applyStep(state, step);
            manifests.push(replicate(next, state, store));
            states.push((state = next));
          }
          // Manifests travel as chunks too: read them back the way a restore would.
          const chain: ChainLink[] = manifests.map((m) => {
            if (!lazy) return m;
            const enc = encodeManifest(m, { partEntries: 3 });
            for (const c of enc.chunks) store.set(chunkId(c), c);
            return ManifestReader.open(enc.rootChunk, get, { cacheParts: 1 });
          });
          for (let k = 0; k < chain.length; k++) {
            for (const [n, expected] of (states[k] ?? []).entries()) {
              if (!expected) continue;
              const restored = await restoreAll(chain.slice(0, k + 1), `vol${n}`, get);
              assert.ok(restored.equals(expected), `RP ${k}, vol${n}: restored bytes differ`);
            }
          }
        },
      ),
      { numRuns: 120 },
    );
  });

  it('verifies every chunk and refuses broken chains', async () => {
    const extent = Buffer.alloc(G.extentSize, 7);
    const full = encodeFullChunk(extent);
    const id = chunkId(full);
    const base: Manifest = { type: 'base', geometry: G, volumes: [{ name: 'd', sizeBytes: 2 * G.extentSize, extents: [{ index: 1, kind: 'FULL', chunk: id }] }] };
    const inc: Manifest = { type: 'incremental', geometry: G, volumes: [{ name: 'd', sizeBytes: 2 * G.extentSize, extents: [] }] };
    const good = (): Buffer => full;
    assert.ok((await resolveExtent([base, inc], 'd', 1, good)).equals(extent));
    assert.ok((await resolveExtent([base, inc], 'd', 0, good)).equals(Buffer.alloc(G.extentSize)));
    const tampered = Buffer.from(full);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    await assert.rejects(resolveExtent([base], 'd', 1, () => tampered), ChunkIntegrityError);
    await assert.rejects(resolveExtent([inc], 'd', 1, good), ChainError);
    await assert.rejects(resolveExtent([], 'd', 1, good), ChainError);
    await assert.rejects(resolveExtent([base], 'nope', 1, good), ChainError);
    await assert.rejects(resolveExtent([base], 'd', 2, good), ChainError);
    await assert.rejects(resolveExtent([base, { ...inc, geometry: { extentSize: 2048, subBlockSize: 32 } }], 'd', 1, good), ChainError);
    const asDelta: Manifest = { type: 'incremental', geometry: G, volumes: [{ name: 'd', sizeBytes: 2 * G.extentSize, extents: [{ index: 1, kind: 'DELTA', chunk: id }] }] };
    await assert.rejects(resolveExtent([base, asDelta], 'd', 1, good), ChainError);
  });
});
