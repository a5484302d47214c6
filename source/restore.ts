/**
 * `drcore source restore`: writes DIR/NAME.img for each volume of a recovery point, resolving
 * its chain (base … RP) with the rules of shared/format's resolveExtent (extent-resolver.ts,
 * which reuses one scratch extent per lane). Every chunk — manifest roots, parts, data — is
 * read from the target in batched `chunks/read` requests of the TARGET recovery point (the
 * target looks in its ancestors; chunk-batcher.ts: up to 512 ids a request, at most `parallel`
 * in flight on the keep-alive connections) and verified against its SHA-256 id before use.
 * Extents are resolved by restoreLanes(parallel) lanes at once — 4 per connection, at most 64 —
 * so that enough asks wait to fill the batches, and written sparsely (SparseWriter).
 *
 * Memory is bounded whatever the volume size: one scratch extent per lane, the answers still in
 * use (≤ 4 MiB + 68 bytes each: at most `parallel` in flight plus one per lane, as a lane holds
 * at most one fetched chunk at a time), and 4 decoded manifest parts per chain link. With 4 MiB
 * extents: 16 lanes × 4 MiB + 20 answers × 4 MiB ≈ 144 MiB at the default --parallel 4; from
 * --parallel 16 on (64 lanes), 512 MiB + 4 MiB × parallel.
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
import { ChunkBatcher } from './chunk-batcher.js';
import { resolveInto, ZERO_EXTENT } from './extent-resolver.js';
import { checkVolumeName, restoreTargets, RestoreRefusedError } from './restore-target.js';
import { SparseWriter } from './sparse-writer.js';

export { RestoreRefusedError } from './restore-target.js';

/** What restore needs of the replication API. */
export type RestoreApi = Pick<ReplicationApi, 'recoveryPoints' | 'recoveryPoint' | 'readChunks' | 'release'>;

export interface RestoreOptions {
  readonly api: RestoreApi;
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
export async function recoveryPointChain(api: Pick<ReplicationApi, 'recoveryPoints' | 'recoveryPoint'>, machineId: string, rp: string): Promise<RecoveryPoint[]> {
  let target: RecoveryPoint | undefined;
  if (rp === 'latest') {
    // The latest not in the recycle bin (an RP there restores by its id, as long as it is there).
    const all = (await api.recoveryPoints(machineId)).filter((r) => !r.bin);
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

/** Extents resolved at once per keep-alive connection, and at most: asks enough to fill the batches. */
const LANES_PER_CONNECTION = 4;
const MAX_LANES = 64;

/** How many extents a restore over `parallel` connections resolves at once. */
export function restoreLanes(parallel: number): number {
  return Math.min(MAX_LANES, LANES_PER_CONNECTION * Math.max(1, Math.floor(parallel)));
}

export async function restore(o: RestoreOptions): Promise<RestoreResult> {
  const started = performance.now();
  const chainRps = await recoveryPointChain(o.api, o.machineId, o.rp);
  mkdirSync(o.outDir, { recursive: true });
  const target = chainRps[chainRps.length - 1] as RecoveryPoint;
  const parallel = Math.max(1, Math.floor(o.parallel));
  const chunks = new ChunkBatcher(o.api, o.machineId, target.rpId, parallel);
  const getChunk = (id: string): Promise<Buffer> => chunks.get(id);
  const roots = await Promise.all(chainRps.map((rp) => fetchChunk(getChunk, rp.manifest)));
  const links = roots.map((root) => ManifestReader.open(root, getChunk, { cacheParts: 4 }));
  for (const link of links) for (const v of link.volumes) checkVolumeName(v.name);
  const g = checkChain(links);
  const last = links[links.length - 1] as ManifestReader;
  const targets = restoreTargets(o.outDir, last.volumes, o.force ?? false);
  const total = last.volumes.reduce((n, v) => n + v.sizeBytes, 0);
  const result: RestoreResult = {
    rpId: target.rpId, kind: target.kind, chain: chainRps.map((r) => r.rpId), bytesRestored: 0, bytesWritten: 0, bytesFetched: 0, seconds: 0, files: [],
  };
  const scratches = Array.from({ length: restoreLanes(parallel) }, () => Buffer.allocUnsafe(g.extentSize));
  for (const { volume: v, file } of targets) {
    const writer = new SparseWriter(file, v.sizeBytes, undefined, { replace: o.force ?? false });
    try {
      const count = extentCount(v.sizeBytes, g);
      let next = 0;
      let failure: unknown;
      const lane = async (scratch: Buffer): Promise<void> => {
        for (let i = next++; i < count && failure === undefined; i = next++) {
          // The chunks this extent holds go back once applied (resolveInto's done) or written.
          const held: Uint8Array[] = [];
          const getData = async (id: string): Promise<Buffer> => {
            const b = await chunks.get(id);
            held.push(b);
            return b;
          };
          const done = (b: Uint8Array): void => {
            const k = held.indexOf(b);
            if (k < 0) return;
            held.splice(k, 1);
            chunks.release(b);
          };
          try {
            const bytes = await resolveInto(links, g, v.name, i, getData, scratch, done);
            if (bytes !== ZERO_EXTENT) await writer.write(i * g.extentSize, bytes); // else: a hole
            result.bytesRestored += extentLength(v.sizeBytes, i, g);
            o.progress?.({ done: result.bytesRestored, total });
            for (const b of held.splice(0)) chunks.release(b);
          } catch (err) {
            failure ??= err;
          }
        }
      };
      // Every lane stops at the first failure and is awaited before the file is closed.
      await Promise.all(scratches.map((scratch) => lane(scratch)));
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
  result.bytesFetched = chunks.stats.bytes;
  result.seconds = (performance.now() - started) / 1000;
  return result;
}
