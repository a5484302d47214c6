/**
 * `drcore source replicate`: one recovery point of a machine's volumes (DESIGN §5, protocol
 * "Order of a replication"). A base the first time; afterwards an incremental on the last RP
 * this state dir committed, carrying only the sub-blocks whose signatures changed.
 *
 * Crash safety: the plan (rpId, kind, parent, volumes) is saved before any upload; a rerun
 * after a kill finds it, asks whether that RP got committed (then just records it), else
 * resumes it — same rpId, and the RP's upload listing makes it send only what the target lacks. The new
 * signatures become the last replicated state only once the commit is known.
 */
import { randomBytes } from 'node:crypto';
import { DEFAULT_GEOMETRY, type Geometry } from '../shared/format/geometry.js';
import { DEFAULT_ZSTD_LEVEL } from '../shared/format/codec.js';
import type { RecoveryPointKind } from '../shared/http/schemas/replication.js';
import type { RecoveryPointSnapshot } from '../shared/domain/recovery-point.js';
import type { RecoveryPoint, ReplicationApi } from './api.js';
import { ManifestWriter } from './manifest-writer.js';
import { MachineStateDir, type RunPlan, type RunVolume } from './replication-state.js';
import { SeedStateDir, type SeedRecord } from './seed-state.js';
import { SignatureReader, SignatureWriter } from './signature-file.js';
import { SIG_KEY_BYTES } from './signatures.js';
import { Uploader } from './uploader.js';
import { replicateVolume } from './volume-pass.js';
import { Volume, volumeSize, type ReadPath, type VolumeSpec } from './volume.js';
import { ExtentWorkerPool } from './worker-pool.js';

export interface ReplicateOptions {
  readonly api: ReplicationApi;
  readonly stateDir: string;
  readonly machineId: string;
  readonly volumes: readonly VolumeSpec[];
  readonly parallel: number;
  readonly threads?: number;
  readonly geometry?: Geometry;
  readonly zstdLevel?: number;
  readonly log?: (line: string) => void;
  readonly progress?: (p: { done: number; total: number; sent: number }) => void;
  /** How the volumes were made consistent (source/snapshot/): recorded with the RP. */
  readonly snapshot?: RecoveryPointSnapshot;
  /** Called right before the commit; throwing refuses it (an fsfreeze that outlasted its timeout: the RP would not be consistent). */
  readonly beforeCommit?: () => void | Promise<void>;
}

export interface ReplicateResult {
  rpId: string; kind: RecoveryPointKind; bytesRead: number; bytesSent: number; bytesChanged: number; seconds: number;
  /** True when the run found its RP already committed by an interrupted earlier run. */
  recovered: boolean;
  packs: number; chunksSent: number;
  extents: { full: number; delta: number; zero: number; unchanged: number };
  /** How each volume was read: 'buffered' (disk image), 'direct' (O_DIRECT) or 'flushed' (block device, volume.ts). */
  reads: Record<string, ReadPath>;
  /**
   * The RP is an incremental on a seeded RP whose seed is still in transit: its packs are on the
   * target, its commit waits for the seed's import (the next run commits it). Absent otherwise.
   */
  waitingForSeed?: string;
}

export function newRpId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `rp-${stamp}-${randomBytes(4).toString('hex')}`;
}

const sameVolumes = (a: readonly RunVolume[], b: readonly RunVolume[]): boolean =>
  a.length === b.length && a.every((v, i) => v.name === b[i]?.name && v.path === b[i]?.path && v.sizeBytes === b[i]?.sizeBytes);

/** Chooses the RP to work on: the interrupted one, or a new base/incremental. */
async function plan(o: ReplicateOptions, dir: MachineStateDir, volumes: RunVolume[]): Promise<{ plan: RunPlan; committed?: RecoveryPoint }> {
  const log = o.log ?? (() => {});
  const pending = dir.run();
  if (pending) {
    const committed = await o.api.recoveryPoint(o.machineId, pending.rpId);
    if (committed && dir.hasSignatures(pending)) return { plan: pending, committed };
    if (committed) {
      log(`recovery point ${pending.rpId} is committed but its signatures are incomplete here: the next run sends a base`);
      dir.forgetState();
      dir.clearRun();
    } else if (sameVolumes(pending.volumes, volumes)) {
      log(`resuming recovery point ${pending.rpId} (${pending.kind}) interrupted earlier`);
      return { plan: pending };
    } else {
      log(`the volumes changed since the interrupted recovery point ${pending.rpId}: starting a new one`);
      dir.clearRun();
    }
  }
  const state = dir.state();
  let parent: string | undefined;
  let onServer = false;
  if (state) {
    onServer = (await o.api.recoveryPoint(o.machineId, state.lastRpId)) !== undefined;
    const seed = seedOf(dir, state.lastRpId, onServer, log);
    if (onServer || seed) parent = state.lastRpId;
    else {
      log(`the last recovery point ${state.lastRpId} is not on the target: sending a base`);
      dir.forgetState();
    }
  }
  if (parent && onServer && (await o.api.damagedExtents(o.machineId, parent)).rebase) {
    log(`the target found the manifest of ${parent}'s chain damaged: sending a base`);
    parent = undefined;
  }
  const fresh: RunPlan = {
    rpId: newRpId(), kind: parent ? 'incremental' : 'base', ...(parent ? { parentRpId: parent } : {}),
    createdAt: new Date().toISOString(), volumes,
  };
  dir.clearRun();
  dir.saveRun(fresh);
  return { plan: fresh };
}

/**
 * Seeding (issue 12): the outstanding seed that carries `rpId` — marked consumed once the target
 * holds the RP (its import is done); undefined when no outstanding seed carries it.
 */
function seedOf(dir: MachineStateDir, rpId: string, onServer: boolean, log: (line: string) => void): SeedRecord | undefined {
  const seeds = new SeedStateDir(dir);
  const seed = seeds.outstandingWith(rpId);
  if (!seed) return undefined;
  if (onServer) {
    seeds.update(seed.seedId, { status: 'consumed', consumedAt: new Date().toISOString() });
    log(`seed ${seed.seedId} is imported at the target: marked consumed`);
    return undefined;
  }
  log(`recovery point ${rpId} is on seed ${seed.seedId}, in transit: this recovery point's commit waits for the seed's import at the target`);
  return seed;
}

/** Whether the parent of a plan is on the target yet (a seeded parent may not be). */
async function parentOnTarget(o: ReplicateOptions, dir: MachineStateDir, p: RunPlan): Promise<boolean> {
  if (!p.parentRpId) return true;
  const onServer = (await o.api.recoveryPoint(o.machineId, p.parentRpId)) !== undefined;
  seedOf(dir, p.parentRpId, onServer, () => {});
  return onServer;
}

/**
 * Healing (issue 11 item 3): the extents of the parent whose chunks the target found damaged
 * (its verify job, or a read) are sent whole in this incremental, whatever their signatures
 * say, so the new RP does not need the damaged chunks; an unchanged extent re-sent is the same
 * chunk, and its upload heals the old RPs too.
 */
async function damagedToResend(o: ReplicateOptions, p: RunPlan): Promise<Map<string, Set<number>>> {
  const out = new Map<string, Set<number>>();
  if (p.kind !== 'incremental' || !p.parentRpId) return out;
  if ((await o.api.recoveryPoint(o.machineId, p.parentRpId)) === undefined) return out; // a seeded parent in transit: nothing of it stored yet
  const damage = await o.api.damagedExtents(o.machineId, p.parentRpId);
  for (const e of damage.extents) (out.get(e.volume) ?? out.set(e.volume, new Set()).get(e.volume)!).add(e.index);
  if (damage.extents.length > 0) o.log?.(`the target found ${damage.extents.length} extent(s) of ${p.parentRpId} damaged: sending them whole`);
  return out;
}

/** Right before a volume's pass: how to read it as it is on the device (it may flush a block device's cache). */
function chooseReadPath(v: RunVolume, log: ((line: string) => void) | undefined): ReadPath {
  const opened = Volume.open(v.path);
  try {
    if (opened.sizeBytes !== v.sizeBytes) throw new Error(`${v.path} changed size during the run: ${v.sizeBytes} → ${opened.sizeBytes} bytes`);
    if (opened.directRefused) log?.(`${v.name}: O_DIRECT does not work on ${v.path} (${opened.directRefused}); flushed its buffer cache (blockdev --flushbufs) and reading it buffered`);
    return opened.readPath;
  } finally {
    opened.close();
  }
}

/** The commit body; `snapshot`: how this run made the volumes consistent (absent for an RP a run stored while a seed was in transit). */
const commitBody = (p: RunPlan, manifest: string, snapshot?: RecoveryPointSnapshot) => ({
  kind: p.kind, ...(p.parentRpId ? { parentRpId: p.parentRpId } : {}), manifest,
  volumes: p.volumes.map((v) => ({ name: v.name, sizeBytes: v.sizeBytes })), createdAt: p.createdAt,
  ...(snapshot ? { snapshot } : {}),
});

export async function replicate(o: ReplicateOptions): Promise<ReplicateResult> {
  const started = performance.now();
  const g = o.geometry ?? DEFAULT_GEOMETRY;
  const dir = new MachineStateDir(o.stateDir, o.machineId);
  const volumes: RunVolume[] = o.volumes.map((v) => ({ name: v.name, path: v.path, sizeBytes: volumeSize(v.path) }));
  if (new Set(volumes.map((v) => v.name)).size !== volumes.length) throw new Error('volume names must be unique');
  await o.api.putMachine(o.machineId, volumes.map((v) => ({ name: v.name, sizeBytes: v.sizeBytes })));
  const chosen = await plan(o, dir, volumes);
  const p = chosen.plan;
  const result: ReplicateResult = {
    rpId: p.rpId, kind: p.kind, bytesRead: 0, bytesSent: 0, bytesChanged: 0, seconds: 0, recovered: false,
    packs: 0, chunksSent: 0, extents: { full: 0, delta: 0, zero: 0, unchanged: 0 }, reads: {},
  };
  if (chosen.committed) {
    dir.adopt(p, chosen.committed.committedAt);
    o.log?.(`recovery point ${p.rpId} had been committed before the interruption; recorded it`);
    return { ...result, recovered: true, seconds: (performance.now() - started) / 1000 };
  }
  if (p.manifest && p.waitingForSeed) {
    // Everything was stored by an earlier run, which waited for the seed of its parent: commit it once the parent is there.
    if (!(await parentOnTarget(o, dir, p))) {
      o.log?.(`recovery point ${p.rpId} is stored on the target and waits for seed ${p.waitingForSeed} (its parent ${p.parentRpId}) to be imported; run again after the import, or drop the seed with drcore source seed abandon ${p.waitingForSeed}`);
      return { ...result, waitingForSeed: p.waitingForSeed, seconds: (performance.now() - started) / 1000 };
    }
    const rp = await o.api.commit(o.machineId, p.rpId, commitBody(p, p.manifest));
    dir.adopt(p, rp.committedAt);
    o.log?.(`seed ${p.waitingForSeed} is imported: committed recovery point ${p.rpId}, stored while the seed was in transit`);
    return { ...result, recovered: true, seconds: (performance.now() - started) / 1000 };
  }

  const state = dir.state();
  const resend = await damagedToResend(o, p);
  const total = volumes.reduce((n, v) => n + v.sizeBytes, 0);
  const pool = new ExtentWorkerPool(o.threads);
  // What an interrupted run of this RP already stored: asked once, so resuming sends only the rest.
  const uploaded = await o.api.uploaded(o.machineId, p.rpId);
  const uploader = new Uploader({
    missing: async (ids) => ids.filter((id) => !uploaded.has(id)),
    putPack: (id, bytes) => o.api.putPack(o.machineId, p.rpId, id, bytes),
  }, {
    parallel: o.parallel,
    onPackSent: () => o.progress?.({ done: result.bytesRead, total, sent: uploader.stats.bytesSent }),
    release: (pack) => { if (pack.byteOffset === 0 && pack.buffer.byteLength > 0) pool.recycle(pack.buffer as ArrayBuffer); },
  });
  const manifest = new ManifestWriter(p.kind, g, (id, chunk) => uploader.add(id, chunk));
  try {
    for (const v of volumes) {
      const prevState = p.kind === 'incremental' ? state?.volumes[v.name] : undefined;
      const previous = prevState ? SignatureReader.open(dir.path(prevState.signatures)) : undefined;
      const usable = previous && previous.header.geometry.extentSize === g.extentSize && previous.header.geometry.subBlockSize === g.subBlockSize;
      // The key carries forward so this state's signatures compare with the next run's.
      const key = usable ? previous.header.key : randomBytes(SIG_KEY_BYTES);
      const signatures = new SignatureWriter(dir.path(dir.signatureName(v.name, p.rpId)), { geometry: g, sizeBytes: v.sizeBytes, rpId: p.rpId, key });
      manifest.beginVolume(v.name, v.sizeBytes);
      try {
        const readPath = chooseReadPath(v, o.log);
        result.reads[v.name] = readPath;
        const s = await replicateVolume({
          name: v.name, path: v.path, sizeBytes: v.sizeBytes, readPath, kind: p.kind, geometry: g,
          previous: usable ? previous : undefined, signatures, pool, manifest, uploader, key,
          zstdLevel: o.zstdLevel ?? DEFAULT_ZSTD_LEVEL, ...(resend.has(v.name) ? { resend: resend.get(v.name) } : {}),
          onExtent: (n) => { result.bytesRead += n; o.progress?.({ done: result.bytesRead, total, sent: uploader.stats.bytesSent }); },
        });
        result.bytesChanged += s.bytesChanged;
        result.extents.full += s.full;
        result.extents.delta += s.delta;
        result.extents.zero += s.zero;
        result.extents.unchanged += s.unchanged;
        signatures.finish();
      } catch (err) {
        signatures.abort();
        throw err;
      } finally {
        previous?.close();
      }
      await manifest.endVolume();
    }
    const manifestId = await manifest.finish();
    const stats = await uploader.finish();
    result.bytesSent = stats.bytesSent;
    result.packs = stats.packsSent;
    result.chunksSent = stats.chunksSent;
    await o.beforeCommit?.();
    dir.saveRun({ ...p, manifest: manifestId });
    if (!(await parentOnTarget(o, dir, p))) {
      const seed = p.parentRpId ? new SeedStateDir(dir).outstandingWith(p.parentRpId) : undefined;
      if (!seed) throw new Error(`the parent ${p.parentRpId} of recovery point ${p.rpId} is no longer on the target`);
      dir.saveRun({ ...p, manifest: manifestId, waitingForSeed: seed.seedId });
      o.log?.(`recovery point ${p.rpId} is stored on the target; its commit waits for seed ${seed.seedId} (with its parent ${p.parentRpId}) to be imported — run again after the import`);
      result.waitingForSeed = seed.seedId;
    } else {
      const rp = await o.api.commit(o.machineId, p.rpId, commitBody(p, manifestId, o.snapshot));
      dir.adopt(p, rp.committedAt);
    }
  } catch (err) {
    await uploader.abort();
    throw err;
  } finally {
    await pool.close();
  }
  result.seconds = (performance.now() - started) / 1000;
  return result;
}
