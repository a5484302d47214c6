/**
 * End-to-end helpers: the real `drcore source` CLI against a spawned `drcore serve`, images on
 * disk, byte comparison with `cmp`. (Not a test file: no .test.ts suffix.)
 */
import assert from 'node:assert/strict';
import { execFile, type ChildProcess } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runCli, type CliRun } from '../support/core-process.js';

const exec = promisify(execFile);

export interface ReplicateSummary {
  rpId: string; kind: 'base' | 'incremental'; bytesRead: number; bytesSent: number; bytesChanged: number; seconds: number;
  /** How each volume was read: 'buffered' (disk image), 'direct' (O_DIRECT), 'flushed' (block device). */
  reads: Record<string, 'buffered' | 'direct' | 'flushed'>;
}

export const replicateArgs = (machine: string, state: string, volumes: Record<string, string>, parallel = 4): string[] => [
  'source', 'replicate', '--machine', machine, '--state', state, '--parallel', String(parallel), '--json',
  ...Object.entries(volumes).flatMap(([name, path]) => ['--volume', `${name}=${path}`]),
];

/** Parses the one JSON line `--json` prints (and checks it is the only stdout line). */
export function summaryOf(r: CliRun): ReplicateSummary {
  assert.equal(r.code, 0, `drcore source replicate failed (${r.code ?? r.signal}):\n${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, `--json prints exactly one line, got:\n${r.stdout}`);
  const s = JSON.parse(lines[0]!) as ReplicateSummary;
  assert.deepEqual(Object.keys(s).sort(), ['bytesChanged', 'bytesRead', 'bytesSent', 'kind', 'reads', 'rpId', 'seconds']);
  return s;
}

export async function replicate(machine: string, state: string, volumes: Record<string, string>, onSpawn?: (c: ChildProcess) => void): Promise<CliRun> {
  return runCli(replicateArgs(machine, state, volumes), onSpawn ? { onSpawn } : {});
}

export async function restore(machine: string, state: string, rp: string, out: string): Promise<CliRun> {
  return runCli(['source', 'restore', '--machine', machine, '--state', state, '--rp', rp, '--out', out, '--json']);
}

/** `cmp` exits 0 only when both files are byte-identical. */
export async function sameBytes(a: string, b: string): Promise<boolean> {
  try { await exec('cmp', ['--silent', a, b]); return true; } catch { return false; }
}

/** Bytes of a file in 64 KiB granules that hold anything but zeros (what a sparse copy must allocate). */
export function nonZeroGranuleBytes(file: string, granule = 64 * 1024): number {
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(4 * 1024 * 1024);
  const zero = Buffer.alloc(granule);
  let total = 0;
  try {
    for (let at = 0; ; at += buf.length) {
      const n = readSync(fd, buf, 0, buf.length, at);
      if (n === 0) break;
      for (let g = 0; g < n; g += granule) {
        const end = Math.min(g + granule, n);
        if (!buf.subarray(g, end).equals(zero.subarray(0, end - g))) total += end - g;
      }
    }
  } finally { closeSync(fd); }
  return total;
}

export function snapshot(image: string, to: string): string {
  copyFileSync(image, to);
  return to;
}

/** Packs stored for a tenant under the core's data dir. */
export function packCount(dataDir: string, tenantId: string): number {
  const dir = join(dataDir, 'blobs', 'tenants', tenantId, 'packs');
  return existsSync(dir) ? readdirSync(dir).filter((f) => !f.includes('~')).length : 0;
}

/** Bytes of the packs stored for a tenant. */
export function packBytes(dataDir: string, tenantId: string): number {
  const dir = join(dataDir, 'blobs', 'tenants', tenantId, 'packs');
  if (!existsSync(dir)) return 0;
  return readdirSync(dir).filter((f) => !f.includes('~')).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
}

/** Polls `measure` until it has not changed for `quietMs` (e.g. a killed client's last pack landing). */
export async function settled(measure: () => number, quietMs = 600): Promise<number> {
  let value = measure();
  let since = Date.now();
  while (Date.now() - since < quietMs) {
    await new Promise((r) => setTimeout(r, 50));
    const now = measure();
    if (now !== value) { value = now; since = Date.now(); }
  }
  return value;
}

/** The source's replication in progress for a machine (run.json), if any. */
export function runPlan(state: string, machine: string): { rpId: string; manifest?: string } | undefined {
  const file = join(state, 'machines', machine, 'run.json');
  try { return JSON.parse(readFileSync(file, 'utf8')) as { rpId: string; manifest?: string }; } catch { return undefined; }
}

/** Polls `check` every few milliseconds while `child` runs; resolves true once it held. */
export async function whenWhileRunning(child: ChildProcess, check: () => boolean, timeoutMs = 120_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (child.exitCode === null && child.signalCode === null && Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 2));
  }
  return false;
}
