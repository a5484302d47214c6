/**
 * `drcore source seed export` (issue 12, docs/seeding.md): a recovery point of a machine written
 * to external media instead of the network — the same pipeline as `drcore source replicate`
 * (change detection, extent workers, manifest writer, the uploader packing chunks into the very
 * packs the network path would PUT), with a SeedWriter as the uploader's target. A base the first
 * time; an incremental when the target already holds this state dir's last RP.
 *
 * After the export the seeded RP is this machine's last replicated state (its signatures adopted)
 * and the seed is **outstanding**: the next `replicate` takes an incremental on it, stores its
 * packs on the target and waits for the seed's import to commit it; once the target holds the
 * seeded RP the seed is consumed. Interrupted, a rerun with the same --out resumes: the journal
 * names the files already written, and only the rest is written.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { DEFAULT_ZSTD_LEVEL } from '../shared/format/codec.js';
import { DEFAULT_GEOMETRY, type Geometry } from '../shared/format/geometry.js';
import { certificateSha256, newDataKey, SEED_FORMAT, signSeedManifest, wrapDataKey, type UnsignedSeedManifest } from '../shared/format/seed.js';
import type { RecoveryPoint } from './api.js';
import { ManifestWriter } from './manifest-writer.js';
import { MachineStateDir, type RunPlan, type RunVolume } from './replication-state.js';
import { newRpId } from './replicate.js';
import { SeedStateDir, type SeedExportPlan, type SeedRecord } from './seed-state.js';
import { SeedWriter } from './seed-writer.js';
import { SignatureReader, SignatureWriter } from './signature-file.js';
import { SIG_KEY_BYTES } from './signatures.js';
import { Uploader } from './uploader.js';
import { replicateVolume } from './volume-pass.js';
import { Volume, volumeSize, type VolumeSpec } from './volume.js';
import { ExtentWorkerPool } from './worker-pool.js';

/** Who the source core is, from its state dir: what signs the seed and what it is encrypted to. */
export interface SeedIdentity {
  readonly tenantId: string;
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  /** The target core's CA certificate (pinned at pairing): the seed's data key is wrapped to its key. */
  readonly caPem: string;
  readonly target: string;
}

export interface SeedExportOptions {
  /** Asks the target whether it holds an RP (the parent of an incremental seed); undefined offline: a base. */
  readonly recoveryPoint?: (machineId: string, rpId: string) => Promise<RecoveryPoint | undefined>;
  readonly stateDir: string;
  readonly machineId: string;
  readonly volumes: readonly VolumeSpec[];
  readonly out: string;
  readonly maxSize: number;
  readonly identity: SeedIdentity;
  readonly threads?: number;
  readonly geometry?: Geometry;
  readonly zstdLevel?: number;
  readonly log?: (line: string) => void;
  readonly progress?: (p: { done: number; total: number; written: number }) => void;
}

export interface SeedExportResult {
  seedId: string; mediumSetId: string; rpId: string; kind: 'base' | 'incremental'; parentRpId?: string;
  media: number; files: number; bytes: number; bytesRead: number; seconds: number; resumed: boolean; out: string;
}

const stamp = (d: Date): string => d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

async function choosePlan(o: SeedExportOptions, dir: MachineStateDir, seeds: SeedStateDir, volumes: RunVolume[]): Promise<{ plan: SeedExportPlan; resumed: boolean }> {
  const pending = seeds.plan();
  if (pending) {
    if (pending.out !== o.out) throw new Error(`the export of seed ${pending.seedId} to ${pending.out} was interrupted: rerun it with --out ${pending.out}, or drop it with drcore source seed abandon ${pending.seedId}`);
    const same = pending.volumes.length === volumes.length && pending.volumes.every((v, i) => v.name === volumes[i]?.name && v.path === volumes[i]?.path && v.sizeBytes === volumes[i]?.sizeBytes);
    if (!same) throw new Error(`the volumes changed since the export of seed ${pending.seedId} was interrupted: drop it with drcore source seed abandon ${pending.seedId}`);
    o.log?.(`resuming the export of seed ${pending.seedId} (recovery point ${pending.rpId}) to ${pending.out}`);
    return { plan: pending, resumed: true };
  }
  const run = dir.run();
  if (run) throw new Error(`a replication of ${o.machineId} (recovery point ${run.rpId}) is in progress: finish it with drcore source replicate first`);
  const state = dir.state();
  let parent: string | undefined;
  if (state) {
    const seed = seeds.outstandingWith(state.lastRpId);
    if (seed) throw new Error(`seed ${seed.seedId} with recovery point ${state.lastRpId} is outstanding: import it at the target (or drop it with drcore source seed abandon ${seed.seedId}) before exporting another`);
    let onTarget = false;
    try {
      onTarget = o.recoveryPoint !== undefined && (await o.recoveryPoint(o.machineId, state.lastRpId)) !== undefined;
    } catch (err) {
      o.log?.(`could not ask the target whether it holds ${state.lastRpId} (${(err as Error).message})`);
    }
    if (onTarget) parent = state.lastRpId;
    else o.log?.(`the target does not hold the last recovery point ${state.lastRpId}, or could not be asked: the seed carries a base`);
  }
  const now = new Date();
  const plan: SeedExportPlan = {
    seedId: `seed-${stamp(now)}-${randomBytes(4).toString('hex')}`, mediumSetId: `set-${randomBytes(8).toString('hex')}`,
    out: o.out, maxSize: o.maxSize, rpId: newRpId(now), kind: parent ? 'incremental' : 'base', ...(parent ? { parentRpId: parent } : {}),
    createdAt: now.toISOString(), volumes,
  };
  writeFileSync(seeds.keyFile(plan.seedId), newDataKey(), { mode: 0o600, flag: 'wx' });
  seeds.savePlan(plan);
  const record: SeedRecord = {
    seedId: plan.seedId, mediumSetId: plan.mediumSetId, machineId: o.machineId, tenantId: o.identity.tenantId, target: o.identity.target,
    caSha256: certificateSha256(o.identity.caPem), out: o.out, status: 'exporting', createdAt: plan.createdAt,
    rps: [{ rpId: plan.rpId, kind: plan.kind, ...(parent ? { parentRpId: parent } : {}), createdAt: plan.createdAt }],
  };
  seeds.upsert(record);
  return { plan, resumed: false };
}

export async function exportSeed(o: SeedExportOptions): Promise<SeedExportResult> {
  const started = performance.now();
  const g = o.geometry ?? DEFAULT_GEOMETRY;
  const dir = new MachineStateDir(o.stateDir, o.machineId);
  const seeds = new SeedStateDir(dir);
  const volumes: RunVolume[] = o.volumes.map((v) => ({ name: v.name, path: v.path, sizeBytes: volumeSize(v.path) }));
  if (new Set(volumes.map((v) => v.name)).size !== volumes.length) throw new Error('volume names must be unique');
  const { plan: p, resumed } = await choosePlan(o, dir, seeds, volumes);
  const keyFile = seeds.keyFile(p.seedId);
  if (!existsSync(keyFile)) throw new Error(`the data key of seed ${p.seedId} is gone from ${keyFile}: drop the export with drcore source seed abandon ${p.seedId}`);
  const dataKey = readFileSync(keyFile);
  const writer = new SeedWriter({ out: p.out, seedId: p.seedId, mediumSetId: p.mediumSetId, maxSize: p.maxSize, dataKey, journal: seeds.journalFile(p.seedId), rpId: p.rpId });
  if (writer.resumedFiles > 0) o.log?.(`${writer.resumedFiles} seed file(s) were written before the interruption: writing the rest`);
  const state = dir.state();
  const total = volumes.reduce((n, v) => n + v.sizeBytes, 0);
  let bytesRead = 0;
  const pool = new ExtentWorkerPool(o.threads);
  const uploader = new Uploader({
    missing: async (ids) => writer.missing(ids),
    putPack: async (id, bytes) => writer.putPack(id, bytes),
  }, {
    parallel: 1,
    onPackSent: () => o.progress?.({ done: bytesRead, total, written: writer.bytesWritten }),
    release: (pack) => { if (pack.byteOffset === 0 && pack.buffer.byteLength > 0) pool.recycle(pack.buffer as ArrayBuffer); },
  });
  const manifest = new ManifestWriter(p.kind, g, (id, chunk) => uploader.add(id, chunk));
  const run: RunPlan = { rpId: p.rpId, kind: p.kind, ...(p.parentRpId ? { parentRpId: p.parentRpId } : {}), createdAt: p.createdAt, volumes };
  let manifestId: string;
  try {
    for (const v of volumes) {
      const prevState = p.kind === 'incremental' ? state?.volumes[v.name] : undefined;
      const previous = prevState ? SignatureReader.open(dir.path(prevState.signatures)) : undefined;
      const usable = previous && previous.header.geometry.extentSize === g.extentSize && previous.header.geometry.subBlockSize === g.subBlockSize;
      const key = usable ? previous.header.key : randomBytes(SIG_KEY_BYTES);
      const signatures = new SignatureWriter(dir.path(dir.signatureName(v.name, p.rpId)), { geometry: g, sizeBytes: v.sizeBytes, rpId: p.rpId, key });
      manifest.beginVolume(v.name, v.sizeBytes);
      try {
        const opened = Volume.open(v.path);
        const readPath = opened.readPath;
        opened.close();
        await replicateVolume({
          name: v.name, path: v.path, sizeBytes: v.sizeBytes, readPath, kind: p.kind, geometry: g,
          previous: usable ? previous : undefined, signatures, pool, manifest, uploader, key, zstdLevel: o.zstdLevel ?? DEFAULT_ZSTD_LEVEL,
          onExtent: (n) => { bytesRead += n; o.progress?.({ done: bytesRead, total, written: writer.bytesWritten }); },
        });
        signatures.finish();
      } catch (err) {
        signatures.abort();
        throw err;
      } finally {
        previous?.close();
      }
      await manifest.endVolume();
    }
    manifestId = await manifest.finish();
    await uploader.finish();
  } catch (err) {
    await uploader.abort();
    throw err;
  } finally {
    await pool.close();
  }

  const { media, labels, files, bytes } = writer.finishMedia();
  const rp = { rpId: p.rpId, kind: p.kind, ...(p.parentRpId ? { parentRpId: p.parentRpId } : {}), manifest: manifestId, createdAt: p.createdAt };
  const unsigned: UnsignedSeedManifest = {
    format: SEED_FORMAT, seedId: p.seedId, mediumSetId: p.mediumSetId, createdAt: p.createdAt,
    tenantId: o.identity.tenantId, machineId: o.machineId, volumes: volumes.map((v) => ({ name: v.name, sizeBytes: v.sizeBytes })),
    rps: [rp], target: { caSha256: certificateSha256(o.identity.caPem) },
    key: { algorithm: 'RSA-OAEP-256', wrapped: wrapDataKey(dataKey, o.identity.caPem) },
    media, signer: { certificatePem: o.identity.certificatePem },
  };
  writer.writeLabels(labels, signSeedManifest(unsigned, o.identity.privateKeyPem));
  const exportedAt = new Date().toISOString();
  // The seeded RP is the last replicated state: the next replicate is an incremental on it.
  dir.adopt(run, exportedAt);
  seeds.update(p.seedId, { status: 'outstanding', exportedAt, media: media.length, files, bytes, rps: [rp] });
  seeds.clearPlan(p.seedId);
  return {
    seedId: p.seedId, mediumSetId: p.mediumSetId, rpId: p.rpId, kind: p.kind, ...(p.parentRpId ? { parentRpId: p.parentRpId } : {}),
    media: media.length, files, bytes, bytesRead, seconds: (performance.now() - started) / 1000, resumed, out: p.out,
  };
}
