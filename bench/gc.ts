/**
 * The GC figure of issue 11 item 2: time and peak memory of one garbage collection of a tenant
 * that stores 1,000,000 chunks (`npm run bench -- --gc-only [--gc-chunks N]`, and after the
 * replication phases of a full bench run).
 *
 * Synthetic, no image: a tenant's packs (16 small real chunks each, written straight into the
 * data dir's blob tree), 20 committed RPs whose indexes name every chunk (50,000 each), the
 * storage counter charged with every pack. 4 RPs are then purged; 1,000 packs hold 4 chunks of a
 * live RP and 12 of a purged one (mostly dead: repacked). The GC runs in a child process of its
 * own (`node bench/gc.js run DIR`), the clock two days on so that every pack is past the one-day
 * grace period and no settle to wait (settleSeconds 0): its wall time and its peak RSS (the
 * kernel's maxrss of that process, Node and all) are the figure. The run's memory is bounded by
 * its sorted runs (a segment of 65,536 marks, 32 readers of 4,096), whatever the chunk count.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { handleCommand } from '../shared/app/command-handler.js';
import type { RecoveryPointCommittedData } from '../shared/domain/recovery-point.js';
import { tenantDecider } from '../shared/domain/tenant.js';
import { encodeFullChunk, encodePack, decodePack } from '../shared/format/index.js';
import { encodeRpIndex, type IndexEntry } from '../shared/format/rp-index.js';
import { streams } from '../shared/ids.js';
import { packKey, rpIndexKey } from '../shared/app/replication/storage.js';
import { runGcToEnd, startGc } from '../shared/app/lifecycle/gc/gc-step.js';
import { storageUsage } from '../shared/app/replication/storage-quota.js';
import { localDeps } from '../shared/runtime/local-deps.js';
import type { AppDeps } from '../shared/app/deps.js';

const TENANT = 't-gcbench';
const CHUNKS_PER_PACK = 16;
const RPS = 20;
const PURGED = 4;
const MIXED_PACKS = 1000;
const AT = () => new Date().toISOString();

/** The JS heap the second run is held to: it completes within it, whatever the chunk count. */
export const CAPPED_HEAP_MB = 48;

type RunFigures = Omit<GcBenchResult, 'chunks' | 'packs' | 'rps' | 'purgedRps' | 'capped'>;

export interface GcBenchResult {
  chunks: number; packs: number; rps: number; purgedRps: number;
  /** The same run on a copy of the tenant, the JS heap capped at CAPPED_HEAP_MB. */
  capped: { seconds: number; peakRssBytes: number; peakHeapUsedBytes: number };
  seconds: number; peakRssBytes: number; peakHeapUsedBytes: number; peakExternalBytes: number; steps: number; phaseSeconds: Record<string, number>; counters: Record<string, number>;
  usedBefore: number; usedAfter: number;
}

/** Writes an object where FileBlobStore keeps it (no fsync: setup, not the measure). */
function writeBlob(dataDir: string, key: string, bytes: Buffer): void {
  const file = join(dataDir, 'blobs', ...key.split('/'));
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, bytes, { mode: 0o600 });
}

/** The synthetic tenant: packs, indexes, commits, charges, purges. */
export async function setupGcBench(dataDir: string, chunkCount: number): Promise<{ packs: number }> {
  const deps = localDeps(dataDir);
  try {
    await handleCommand(deps.events, streams.tenant(TENANT), tenantDecider, {
      type: 'CreateTenant', data: { tenantId: TENANT, name: 'gc bench', email: 'gc@example.com', quotaBytes: 2 ** 50, pairingRequestId: 'pr-gcbench', coreId: 'core-gcbench' },
    }, { at: AT(), actor: 'bench' });
    const perRp = Math.ceil(chunkCount / RPS);
    // Chunk i belongs to RP floor(i / perRp). Packs take 16 chunks in order, except the mixed
    // packs: 4 chunks of live RP 0 and 12 of purged RP RPS-1.
    const owner = (i: number) => Math.min(RPS - 1, Math.floor(i / perRp));
    const order: number[] = [];
    const live0 = Array.from({ length: perRp }, (_, k) => k);
    const dead = Array.from({ length: chunkCount - (RPS - 1) * perRp }, (_, k) => (RPS - 1) * perRp + k);
    const mixed = Math.min(MIXED_PACKS, Math.floor(perRp / 16));
    const mixedLive = live0.splice(0, mixed * 4);
    const mixedDead = dead.splice(0, mixed * 12);
    for (let p = 0; p < mixed; p++) order.push(...mixedLive.slice(p * 4, p * 4 + 4), ...mixedDead.slice(p * 12, p * 12 + 12));
    for (const i of live0) order.push(i);
    for (let i = perRp; i < (RPS - 1) * perRp && i < chunkCount; i++) order.push(i);
    for (const i of dead) order.push(i);
    const entries: IndexEntry[][] = Array.from({ length: RPS }, () => []);
    const charges: { packId: string; bytes: number }[] = [];
    for (let at = 0; at < order.length; at += CHUNKS_PER_PACK) {
      const members = order.slice(at, at + CHUNKS_PER_PACK);
      const chunks = members.map((i) => encodeFullChunk(Buffer.concat([Buffer.from(String(i).padStart(12, '0')), randomBytes(36)]), { compress: false }));
      const pack = encodePack(chunks);
      const placed = decodePack(pack.bytes);
      writeBlob(dataDir, packKey(TENANT, pack.id), pack.bytes);
      charges.push({ packId: pack.id, bytes: pack.bytes.length });
      members.forEach((i, k) => {
        const e = placed[k]!;
        entries[owner(i)]!.push({ chunk: e.id, pack: pack.id, offset: e.offset, length: e.length });
      });
    }
    for (let at = 0; at < charges.length; at += 99) {
      const stream = streams.storage(TENANT);
      const version = at; // one event per pack: the stream holds `at` events so far
      await deps.events.append(stream, version, charges.slice(at, at + 99).map((c) => ({
        type: 'StorageCharged', data: { tenantId: TENANT, packId: c.packId, bytes: c.bytes, rpId: 'rp-bench', machineId: 'bench' }, at: AT(), actor: 'bench',
      })));
    }
    for (let r = 0; r < RPS; r++) {
      const rpId = `rp-${String(r).padStart(2, '0')}`;
      const parts = encodeRpIndex(entries[r]!);
      parts.forEach((p, n) => writeBlob(dataDir, rpIndexKey(TENANT, rpId, n), p.bytes));
      const data: RecoveryPointCommittedData = {
        tenantId: TENANT, machineId: `m-${r}`, rpId, kind: 'base', manifest: entries[r]![0]!.chunk, volumes: [{ name: 'sda', sizeBytes: 4 << 20 }],
        chunkCount: entries[r]!.length, referencedBytes: 0, addedBytes: 0, index: { firstChunks: parts.map((p) => p.firstChunk) },
      };
      await deps.events.append(streams.rp(TENANT, rpId), 0, [{ type: 'RecoveryPointCommitted', data, at: AT(), actor: 'bench' }]);
      if (r >= RPS - PURGED) await deps.events.append(streams.rp(TENANT, rpId), 1, [{ type: 'RecoveryPointPurged', data: { tenantId: TENANT, rpId }, at: AT(), actor: 'bench' }]);
    }
    return { packs: charges.length };
  } finally {
    await Promise.all([deps.events.close?.(), deps.queue.close?.(), deps.readModels.close?.(), deps.operational.close?.()]);
  }
}

/** The measured run (in its own process). */
async function runGc(dataDir: string): Promise<RunFigures> {
  const base = localDeps(dataDir);
  const deps: AppDeps = Object.assign(base, { clock: () => new Date(Date.now() + 2 * 86_400_000) });
  try {
    const usedBefore = (await storageUsage(deps, TENANT)).usedBytes;
    const peak = { rss: 0, heapUsed: 0, external: 0 };
    const sample = setInterval(() => {
      const m = process.memoryUsage();
      peak.rss = Math.max(peak.rss, m.rss); peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed); peak.external = Math.max(peak.external, m.external);
    }, 20);
    const started = performance.now();
    await startGc(deps, TENANT, { graceSeconds: 86_400, settleSeconds: 0 });
    let steps = 0;
    const phases: Record<string, number> = {};
    let last = performance.now();
    let phase = 'begin';
    const done = await runGcToEnd(deps, TENANT, {
      onStep: (o) => {
        steps++;
        const now = performance.now();
        phases[phase] = (phases[phase] ?? 0) + (now - last) / 1000;
        last = now;
        if (o.status === 'stepped') phase = o.phase;
      },
    });
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sample);
    return { seconds, peakRssBytes: process.resourceUsage().maxRSS * 1024, peakHeapUsedBytes: peak.heapUsed, peakExternalBytes: peak.external, steps, phaseSeconds: phases, counters: { ...done.counters }, usedBefore, usedAfter: (await storageUsage(deps, TENANT)).usedBytes };
  } finally {
    await Promise.all([deps.events.close?.(), deps.queue.close?.(), deps.readModels.close?.(), deps.operational.close?.()]);
  }
}

/** Sets the tenant up in `dataDir` and runs the GC in a child process; its figures. */
export async function gcBench(dataDir: string, chunks: number, log: (line: string) => void): Promise<GcBenchResult> {
  log(`gc: writing a synthetic tenant of ${chunks.toLocaleString('en')} chunks`);
  const { packs } = await setupGcBench(dataDir, chunks);
  cpSync(dataDir, `${dataDir}-capped`, { recursive: true });
  const child = async (dir: string, flags: string[]): Promise<RunFigures> => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--disable-warning=ExperimentalWarning', ...flags, fileURLToPath(import.meta.url), 'run', dir], { maxBuffer: 1 << 20 });
    return JSON.parse(stdout.trim().split('\n').pop() as string) as RunFigures;
  };
  log(`gc: ${packs.toLocaleString('en')} packs, ${RPS} RPs (${PURGED} purged); collecting in a child process`);
  const r = await child(dataDir, []);
  log(`gc: ${r.seconds.toFixed(1)} s; again on a copy, the JS heap capped at ${CAPPED_HEAP_MB} MB`);
  const c = await child(`${dataDir}-capped`, [`--max-old-space-size=${CAPPED_HEAP_MB}`]);
  return { chunks, packs, rps: RPS, purgedRps: PURGED, ...r, capped: { seconds: c.seconds, peakRssBytes: c.peakRssBytes, peakHeapUsedBytes: c.peakHeapUsedBytes } };
}

/** The bench's lines for the GC figure. */
export function gcReport(r: GcBenchResult): string[] {
  const c = r.counters;
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  return [
    `Garbage collection, ${r.chunks.toLocaleString('en')} chunks in ${r.packs.toLocaleString('en')} packs, ${r.rps} RPs (${r.purgedRps} purged):`,
    `  time ${r.seconds.toFixed(1)} s, peak RSS ${mb(r.peakRssBytes)} (the GC process, Node included; sampled peaks: JS heap ${mb(r.peakHeapUsedBytes)}, buffers ${mb(r.peakExternalBytes)}), ${r.steps} steps`,
    `  again with the JS heap capped at ${CAPPED_HEAP_MB} MB (--max-old-space-size): time ${r.capped.seconds.toFixed(1)} s, peak RSS ${mb(r.capped.peakRssBytes)}, JS heap ${mb(r.capped.peakHeapUsedBytes)}`,
    `  by phase: ${Object.entries(r.phaseSeconds).map(([p, t]) => `${p} ${t.toFixed(1)} s`).join(', ')}`,
    `  marked ${(c['markedEntries'] ?? 0).toLocaleString('en')} index entries; freed ${(c['freedPacks'] ?? 0).toLocaleString('en')} packs, ${mb(c['freedBytes'] ?? 0)}; `
      + `repacked ${(c['repackedPacks'] ?? 0).toLocaleString('en')} packs into ${(c['repackWrittenPacks'] ?? 0).toLocaleString('en')} (${mb(c['repackWrittenBytes'] ?? 0)})`,
    `  storage counter ${mb(r.usedBefore)} → ${mb(r.usedAfter)} (Δ ${mb(r.usedAfter - r.usedBefore)}; freed − written = ${mb((c['repackWrittenBytes'] ?? 0) - (c['freedBytes'] ?? 0))})`,
  ];
}

if (process.argv[2] === 'run' && process.argv[3] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runGc(process.argv[3]).then((r) => { process.stdout.write(`${JSON.stringify(r)}\n`); }, (err: unknown) => {
    process.stderr.write(`gc bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  });
}
