/**
 * `npm run bench [-- --size 2GiB] [--parallel N] [--keep] [--no-restic] [--gc-only] [--gc-chunks N]` (DESIGN §9, issue 10, issue 11):
 * one run on loopback of the raw mTLS upload ceiling, an initial replication, an incremental
 * after 1 % of 64 KiB blocks changed, one after 1 % of 4 KiB blocks changed, and a restore
 * compared with `cmp`, against a `drcore serve` child process and the real `drcore source`
 * CLI — and restic on the same image states, in the same order, right after drcore in each
 * phase (bench/restic.ts). The core counts every port call and handler
 * (DRCORE_COUNT_REQUESTS=1), read per phase, for the modeled AWS cost (bench/cost.ts).
 * Prints a table and the verdict on every goal. Then the garbage collection of a synthetic tenant
 * of 1,000,000 chunks (bench/gc.ts: time and peak RSS); `--gc-only` runs that alone. Then the
 * bandwidth limit held on a throttled replication (bench/throttle.ts; `--throttle-only` runs just
 * that, `--throttle RATE` sets it).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, parseSize, formatBytes } from '../cli/args.js';
import { ApiClient, identityFromFiles } from '../cli/http-client.js';
import { COUNT_REQUESTS_ENV } from '../local/request-metering.js';
import { diffSnapshots, type CounterSnapshot } from '../shared/adapters/counting/request-counter.js';
import { CoreProcess, cpuSeconds, peakRss, runCli, type CliRun } from '../test/support/core-process.js';
import { measureCeiling } from './ceiling.js';
import { settledCounters } from './core-counters.js';
import { mutateBlocks, writeImage } from './image.js';
import { printReport, type Phase, type PhaseKey, type Report } from './report.js';
import { gcBench, gcReport } from './gc.js';
import { findRestic, ResticSide, type ResticRun } from './restic.js';
import { storedBytesOf } from './stored-bytes.js';
import { formatThrottle, throttlePhase } from './throttle.js';

const run = promisify(execFile);
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

interface Summary { rpId: string; kind: string; bytesRead: number; bytesSent: number; bytesChanged: number; seconds: number }

function lastJson<T>(r: CliRun, what: string): T {
  if (r.code !== 0) throw new Error(`${what} failed (${r.code ?? r.signal}):\n${r.stderr}`);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as T;
}

/** Bytes of the files under `dir` (`only`: those whose name passes). */
function bytesUnder(dir: string, only: (name: string) => boolean = () => true): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? bytesUnder(p, only) : only(e.name) ? statSync(p).size : 0;
  }
  return total;
}

async function main(): Promise<void> {
  const { values } = parse(process.argv.slice(2), {
    size: { type: 'string', default: '1GiB' }, parallel: { type: 'string', default: '4' }, keep: { type: 'boolean' }, 'no-restic': { type: 'boolean' },
    'gc-only': { type: 'boolean' }, 'gc-chunks': { type: 'string', default: '1000000' },
    'throttle-only': { type: 'boolean' }, throttle: { type: 'string', default: '16MiB' }, 'throttle-size': { type: 'string', default: '160MiB' },
  });
  const gcChunks = Number(values['gc-chunks']);
  if (!Number.isSafeInteger(gcChunks) || gcChunks < 10_000) throw new Error('--gc-chunks is a whole number ≥ 10,000');
  const gcSection = async (dir: string): Promise<void> => {
    const r = await gcBench(join(dir, 'gc-data'), gcChunks, log);
    process.stdout.write(`\n${gcReport(r).join('\n')}\n`);
    if (r.usedBefore - r.usedAfter !== (r.counters['freedBytes'] ?? 0) - (r.counters['repackWrittenBytes'] ?? 0)) {
      process.stdout.write('  GC: the storage counter does NOT follow the bytes freed\n');
      process.exitCode = 1;
    }
  };
  if (values['gc-only']) {
    const dir = mkdtempSync(join(tmpdir(), 'drcore-bench-gc-'));
    try { await gcSection(dir); } finally {
      if (values.keep) log(`kept ${dir}`);
      else rmSync(dir, { recursive: true, force: true });
    }
    return;
  }
  const size = parseSize(values.size);
  const parallel = Number(values.parallel);
  const dir = mkdtempSync(join(tmpdir(), 'drcore-bench-'));
  const image = join(dir, 'disk.img');
  let core: CoreProcess | undefined;
  let restic: ResticSide | undefined;
  // The core counts its requests; the source CLI children ignore the variable.
  process.env[COUNT_REQUESTS_ENV] = '1';
  try {
    const throttleOnly = values['throttle-only'] === true;
    if (!throttleOnly) log(`writing a ${formatBytes(size)} synthetic image to ${image}`);
    const layout = throttleOnly ? undefined : writeImage(image, size);
    core = await CoreProcess.start(join(dir, 'data'));
    const src = await core.pairSource(join(dir, 'source'), 'bench-source');
    const pki = core.pki;
    const tls = {
      serverKey: join(core.dataDir, 'pki/server-key.pem'), serverCert: join(core.dataDir, 'pki/server.pem'), ca: pki.ca,
      clientCert: join(src.stateDir, 'cert.pem'), clientKey: join(src.stateDir, 'key.pem'),
    };
    const caKey = join(core.dataDir, 'pki/ca-key.pem');
    const throttled = () => throttlePhase({ image: join(dir, 'throttle.img'), size: parseSize(values['throttle-size']), stateDir: src.stateDir, parallel, limitBytesPerSecond: parseSize(values.throttle) });
    if (throttleOnly) {
      log(`throttle only: a base at --bandwidth ${values.throttle}/s`);
      const t = await throttled();
      process.stdout.write(formatThrottle(t));
      if (!t.held) process.exitCode = 1;
      return;
    }
    log(`core ${core.url} (pid ${core.pid}), source paired as tenant ${src.tenantId}; measuring the mTLS ceiling`);
    const ceiling = await measureCeiling({ ...tls, parallel, bytes: Math.min(size, 2 ** 30) });
    log(`ceiling ${ceiling.mbPerSec.toFixed(0)} MB/s`);

    const found = values['no-restic'] ? { why: 'skipped (--no-restic)' } : await findRestic(true, log);
    if (found.restic) {
      restic = new ResticSide(dir, { serverCert: tls.serverCert, serverKey: tls.serverKey, ca: tls.ca, caKey }, parallel, found.rclone !== undefined);
      await restic.init();
      log(`restic ${found.restic}, ${restic.transport}`);
    } else log(`restic: ${found.why}; drcore alone`);

    const phases: Phase[] = [];
    const blobs = join(core.dataDir, 'blobs');
    let blobBytes = 0;
    const common = ['--machine', 'bench', '--state', src.stateDir, '--parallel', String(parallel), '--json'];
    /** A fresh server process (its peak RSS is the phase's), its counters before and after the CLI run. */
    const measured = async (args: string[]) => {
      await core!.restart();
      const before = await settledCounters(core!);
      const cpu0 = cpuSeconds(core!.pid);
      const started = performance.now();
      const r = await runCli(args);
      const wallSeconds = (performance.now() - started) / 1000;
      const counts: CounterSnapshot = diffSnapshots(await settledCounters(core!), before);
      const added = bytesUnder(blobs) - blobBytes;
      blobBytes += added;
      return { r, wallSeconds, counts, added, serverPeakRss: peakRss(core!.pid), serverCpuSeconds: cpuSeconds(core!.pid) - cpu0 };
    };
    const withRestic = async (what: string, step: (r: ResticSide) => Promise<ResticRun>): Promise<{ restic?: ResticRun }> => {
      if (!restic) return {};
      const result = await step(restic);
      log(`restic ${what}: ${result.seconds.toFixed(2)} s, added ${formatBytes(result.addedBytes)}`);
      return { restic: result };
    };
    const replicatePhase = async (key: PhaseKey, name: string, changed: number | undefined): Promise<void> => {
      const m = await measured(['source', 'replicate', '--volume', `disk=${image}`, ...common]);
      const s = lastJson<Summary>(m.r, name);
      log(`${name}: ${JSON.stringify(s)}`);
      phases.push({
        key, name, seconds: s.seconds, wallSeconds: m.wallSeconds, bytes: s.bytesRead, bytesSent: s.bytesSent, bytesChanged: changed ?? s.bytesChanged,
        detectedChanged: s.bytesChanged, addedBytes: m.added, serverPeakRss: m.serverPeakRss, clientPeakRss: m.r.peakRss,
        serverCpuSeconds: m.serverCpuSeconds, clientCpuSeconds: m.r.cpuSeconds, counts: m.counts,
        ...(await withRestic(`backup (${key})`, (rs) => rs.backup(image))),
      });
    };
    await replicatePhase('initial', 'initial replication', undefined);
    const m64 = mutateBlocks(image, size, 64 * 1024, 0.01, 64);
    log(`changed ${m64.blocks} random 64 KiB blocks (${formatBytes(m64.bytes)})`);
    await replicatePhase('inc64', 'incremental, 1 % of 64 KiB blocks', m64.bytes);
    const m4 = mutateBlocks(image, size, 4 * 1024, 0.01, 4);
    log(`changed ${m4.blocks} random 4 KiB blocks (${formatBytes(m4.bytes)})`);
    await replicatePhase('inc4', 'incremental, 1 % of 4 KiB blocks', m4.bytes);
    const signatureBytes = bytesUnder(src.stateDir, (name) => name.endsWith('.sig'));

    const out = join(dir, 'restored');
    const m = await measured(['source', 'restore', '--machine', 'bench', '--rp', 'latest', '--out', out, '--state', src.stateDir, '--parallel', String(parallel), '--json']);
    const rs = lastJson<{ seconds: number; bytesRestored: number; bytesFetched: number; chain: string[] }>(m.r, 'restore');
    let identical = true;
    try { await run('cmp', [image, join(out, 'disk.img')]); } catch { identical = false; }
    rmSync(out, { recursive: true, force: true });
    phases.push({
      key: 'restore', name: `restore (chain of ${rs.chain.length}, cmp ${identical ? 'identical' : 'DIFFERENT'})`, seconds: rs.seconds, wallSeconds: m.wallSeconds,
      bytes: rs.bytesRestored, bytesSent: rs.bytesFetched, addedBytes: m.added, serverPeakRss: m.serverPeakRss, clientPeakRss: m.r.peakRss,
      serverCpuSeconds: m.serverCpuSeconds, clientCpuSeconds: m.r.cpuSeconds, counts: m.counts,
      ...(await withRestic('restore', (r) => r.restore(image))),
    });

    const client = new ApiClient(core.url, identityFromFiles({ cert: tls.clientCert, key: tls.clientKey, ca: pki.ca }));
    let storedBytes = 0;
    try {
      const { items } = await client.json<{ items: { machineId: string; storedBytes?: number }[] }>('GET', '/v1/machines');
      storedBytes = items.find((x) => x.machineId === 'bench')?.storedBytes ?? 0;
    } finally { client.close(); }
    log(`throttled replication at ${values.throttle}/s`);
    const throttle = await throttled();
    await core.stop();
    const report: Report = {
      size, layout: layout!, parallel, ceiling, phases, storedBytes, blobBytes: bytesUnder(blobs), identical,
      stored: await storedBytesOf(core.dataDir), signatureBytes,
      restic: found.restic && restic
        ? { version: found.restic, transport: restic.transport, repoBytes: phases.at(-1)?.restic?.repoBytes ?? 0, cacheBytes: restic.cacheBytes() }
        : { why: found.why ?? 'restic did not run' },
    };
    printReport(report);
    process.stdout.write(formatThrottle(throttle));
    if (!throttle.held) process.exitCode = 1;
    if (!identical || phases.some((p) => p.restic?.identical === false)) process.exitCode = 1;
    await gcSection(dir);
  } finally {
    await restic?.close();
    await core?.stop();
    if (values.keep) log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => { process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`); process.exitCode = 1; });
