/**
 * A chain of recovery points built from successive images with shared/format's encoders, as the
 * source would send them (FULL, DELTA and ZERO extents, unchanged ones left out), for fake
 * targets of restore: every chunk by id (and what it is), and the RPs (rp-1 base, rp-2, …).
 */
import { encodeExtent, encodeManifest, extentCount, type ExtentEntry, type Geometry, type Manifest } from '../../shared/format/index.js';
import type { RecoveryPoint } from '../../source/api.js';

/** What one RP's volumes hold, by volume name. */
export type Images = Record<string, Buffer>;
export type ChunkRole = 'FULL' | 'DELTA' | 'PART' | 'ROOT';

export interface BuiltChain {
  readonly chunks: Map<string, Buffer>;
  readonly roles: Map<string, ChunkRole>;
  readonly rps: RecoveryPoint[];
}

export function buildChain(machineId: string, imgs: readonly Images[], g: Geometry, partEntries?: number): BuiltChain {
  const chunks = new Map<string, Buffer>();
  const roles = new Map<string, ChunkRole>();
  const rps: RecoveryPoint[] = [];
  let parent: Images | undefined;
  imgs.forEach((img, k) => {
    const type = k === 0 ? 'base' : 'incremental';
    const m: Manifest = {
      type, geometry: g,
      volumes: Object.entries(img).map(([name, bytes]) => {
        const before = parent?.[name];
        const extents: ExtentEntry[] = [];
        for (let i = 0; i < extentCount(bytes.length, g); i++) {
          const at = i * g.extentSize;
          const u = encodeExtent(bytes.subarray(at, at + g.extentSize), before?.subarray(at, at + g.extentSize), { subBlockSize: g.subBlockSize });
          if (u.kind === 'UNCHANGED' || (u.kind === 'ZERO' && type === 'base')) continue;
          if (u.kind === 'ZERO') { extents.push({ index: i, kind: 'ZERO' }); continue; }
          chunks.set(u.id, u.chunk);
          roles.set(u.id, u.kind);
          extents.push({ index: i, kind: u.kind, chunk: u.id });
        }
        return { name, sizeBytes: bytes.length, extents };
      }),
    };
    const e = encodeManifest(m, partEntries === undefined ? {} : { partEntries });
    e.chunks.forEach((c, i) => { chunks.set(e.chunkIds[i]!, c); roles.set(e.chunkIds[i]!, 'PART'); });
    chunks.set(e.rootId, e.rootChunk);
    roles.set(e.rootId, 'ROOT');
    rps.push({
      rpId: `rp-${k + 1}`, machineId, kind: type, manifest: e.rootId, committedAt: new Date(k * 1000).toISOString(),
      ...(k > 0 ? { parentRpId: `rp-${k}` } : {}),
      volumes: Object.entries(img).map(([name, bytes]) => ({ name, sizeBytes: bytes.length })),
    });
    parent = img;
  });
  return { chunks, roles, rps };
}

/** The ids of the chain's chunks of one role. */
export function idsOf(chain: BuiltChain, role: ChunkRole): string[] {
  return [...chain.roles].filter(([, r]) => r === role).map(([id]) => id);
}
