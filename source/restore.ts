/**
 * `drcore source restore`: writes DIR/NAME.img for each volume of a recovery point, resolving
 * its chain (base … RP) with the rules of shared/format's resolveExtent (extent-resolver.ts,
 * which reuses one scratch extent per lane): every chunk — manifest roots, parts,
 * data — is fetched from the target and verified against its SHA-256 id before use. Extents are
 * resolved `parallel` at a time (one request each on the keep-alive connections) and written
 * sparsely (SparseWriter). Memory: `parallel` extents plus a few manifest parts.
 *
 * Volume names come from the target, so they are checked (id rule, paths strictly inside
 * OUT, no existing file unless `force`) for every volume before anything is written
 * (restore-target.ts).
 */
import { mkdirSync } from 'node:fs';
import { fetchChunk } from '../shared/format/chunk-source.js';
import { extentCount, extentLength } from '../shared/format/geometry.js';
import { ManifestReader } from '../shared/format/manifest-reader.js';
import { checkChain } from '../shared/format/restore.js';
import type { RecoveryPoint, ReplicationApi } from './api.js';
import { resolveInto, ZERO_EXTENT } from './extent-resolver.js';
import { checkVolumeName, restoreTargets, RestoreRefusedError } from './restore-target.js';
import { SparseWriter } from './sparse-writer.js';

export { RestoreRefusedError } from './restore-target.js';

export interface RestoreOptions {
  readonly api: ReplicationApi;
  readonly machineId: string;
  /** An rpId, or 'latest'. */
  readonly rp: string;
  readonly outDir: string;
  /** Replace an existing OUT/NAME.img (default: refuse before writing anything). */
  readonly force?: boolean;
  readonly parallel: number;
  readonly progress?: (p: { done: number; total: number }) => void;
}

export interface RestoreResult {
  rpId: string; kind: string; chain: string[]; bytesRestored: number; bytesWritten: number; bytesFetched: number; seconds: number;
  files: { name: string; file: string; sizeBytes: number }[];
}

/** The machine has no such (or no) committed recovery point on the target. */
export class RecoveryPointNotFoundError extends Error {
  override readonly name = 'RecoveryPointNotFoundError';
  constructor(readonly machineId: string, readonly rp: string) {
    super(rp === 'latest' ? `machine ${machineId} has no recovery point` : `machine ${machineId} has no committed recovery point ${rp}`);
  }
}

/** The RP and its ancestors, base first. */
export async function recoveryPointChain(api: ReplicationApi, machineId: string, rp: string): Promise<RecoveryPoint[]> {
  let target: RecoveryPoint | undefined;
  if (rp === 'latest') {
    const all = await api.recoveryPoints(machineId);
    const last = all[all.length - 1];
    if (!last) throw new RecoveryPointNotFoundError(machineId, rp);
    target = await api.recoveryPoint(machineId, last.rpId);
  } else {
    target = await api.recoveryPoint(machineId, rp);
  }
  if (!target) throw new RecoveryPointNotFoundError(machineId, rp);
  const chain = [target];
  const seen = new Set([target.rpId]);
  while (chain[0]?.kind === 'incremental') {
    const parentId = chain[0].parentRpId;
    if (!parentId || seen.has(parentId)) throw new Error(`recovery point ${chain[0].rpId} has a broken parent chain`);
    const parent = await api.recoveryPoint(machineId, parentId);
    if (!parent) throw new Error(`parent ${parentId} of ${chain[0].rpId} is not on the target`);
    seen.add(parentId);
    chain.unshift(parent);
  }
  return chain;
}

export async function restore(o: RestoreOptions): Promise<RestoreResult> {
  const started = performance.now();
  const chainRps = await recoveryPointChain(o.api, o.machineId, o.rp);
  mkdirSync(o.outDir, { recursive: true });
  const target = chainRps[chainRps.length - 1] as RecoveryPoint;
  let bytesFetched = 0;
  const getChunk = async (id: string): Promise<Buffer> => {
    const bytes = await o.api.chunk(id);
    bytesFetched += bytes.length;
    return bytes;
  };
  const links: ManifestReader[] = [];
  for (const rp of chainRps) links.push(ManifestReader.open(await fetchChunk(getChunk, rp.manifest), getChunk, { cacheParts: 4 }));
  for (const link of links) for (const v of link.volumes) checkVolumeName(v.name);
  const g = checkChain(links);
  const last = links[links.length - 1] as ManifestReader;
  const targets = restoreTargets(o.outDir, last.volumes, o.force ?? false);
  const total = last.volumes.reduce((n, v) => n + v.sizeBytes, 0);
  const result: RestoreResult = {
    rpId: target.rpId, kind: target.kind, chain: chainRps.map((r) => r.rpId), bytesRestored: 0, bytesWritten: 0, bytesFetched: 0, seconds: 0, files: [],
  };
  for (const { volume: v, file } of targets) {
    const writer = new SparseWriter(file, v.sizeBytes, undefined, { replace: o.force ?? false });
    try {
      const count = extentCount(v.sizeBytes, g);
      let next = 0;
      let failure: unknown;
      const lane = async (): Promise<void> => {
        const scratch = Buffer.allocUnsafe(g.extentSize);
        for (let i = next++; i < count && failure === undefined; i = next++) {
          // Chunks fetched for this extent go back to the transport once it is written.
          const used: Buffer[] = [];
          const getData = async (id: string): Promise<Buffer> => {
            const b = await getChunk(id);
            used.push(b);
            return b;
          };
          try {
            const bytes = await resolveInto(links, g, v.name, i, getData, scratch);
            if (bytes !== ZERO_EXTENT) await writer.write(i * g.extentSize, bytes); // else: a hole
            result.bytesRestored += extentLength(v.sizeBytes, i, g);
            o.progress?.({ done: result.bytesRestored, total });
            for (const b of used) o.api.release(b);
          } catch (err) {
            failure ??= err;
          }
        }
      };
      // Every lane stops at the first failure and is awaited before the file is closed.
      await Promise.all(Array.from({ length: Math.max(1, o.parallel) }, lane));
      if (failure !== undefined) throw failure;
      try {
        writer.finish();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new RestoreRefusedError(`${file} appeared while restoring; pass --force to replace it`, { cause: err });
        throw err;
      }
    } catch (err) {
      writer.abort();
      throw err;
    }
    result.bytesWritten += writer.stats.bytesWritten;
    result.files.push({ name: v.name, file, sizeBytes: v.sizeBytes });
  }
  result.bytesFetched = bytesFetched;
  result.seconds = (performance.now() - started) / 1000;
  return result;
}
