/**
 * `npm run bench [-- --size 2GiB] [--parallel N] [--keep]` (DESIGN §9): one run on loopback of
 * the raw mTLS upload ceiling, an initial replication, an incremental after 1 % of 64 KiB blocks
 * changed, one after 1 % of 4 KiB blocks changed, and a restore compared with `cmp`, against a
 * `drcore serve` child process and the real `drcore source` CLI. Prints a table and the targets.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, parseSize, formatBytes } from '../cli/args.js';
import { ApiClient, identityFromFiles } from '../cli/http-client.js';
import { CoreProcess, cpuSeconds, peakRss, runCli, type CliRun } from '../test/support/core-process.js';
import { measureCeiling } from './ceiling.js';
import { mutateBlocks, writeImage } from './image.js';
import { printReport, type Phase } from './report.js';

const run = promisify(execFile);
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

interface Summary { rpId: string; kind: string; bytesRead: number; bytesSent: number; bytesChanged: number; seconds: number }

function lastJson<T>(r: CliRun, what: string): T {
  if (r.code !== 0) throw new Error(`${what} failed (${r.code ?? r.signal}):\n${r.stderr}`);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as T;
}

function du(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? du(p) : statSync(p).size;
  }
  return total;
}

async function main(): Promise<void> {
  const { values } = parse(process.argv.slice(2), { size: { type: 'string', default: '1GiB' }, parallel: { type: 'string', default: '4' }, keep: { type: 'boolean' } });
  const size = parseSize(values.size);
  const parallel = Number(values.parallel);
  const dir = mkdtempSync(join(tmpdir(), 'drcore-bench-'));
  const image = join(dir, 'disk.img');
  let core: CoreProcess | undefined;
  try {
    log(`writing a ${formatBytes(size)} synthetic image to ${image}`);
    const layout = writeImage(image, size);
    core = await CoreProcess.start(join(dir, 'data'));
    const src = await core.pairSource(join(dir, 'source'), 'bench-source');
    const pki = core.pki;
    log(`core ${core.url} (pid ${core.pid}), source paired as tenant ${src.tenantId}; measuring the mTLS ceiling`);
    const ceiling = await measureCeiling({
      serverKey: join(core.dataDir, 'pki/server-key.pem'), serverCert: join(core.dataDir, 'pki/server.pem'), ca: pki.ca,
      clientCert: join(src.stateDir, 'cert.pem'), clientKey: join(src.stateDir, 'key.pem'), parallel, bytes: Math.min(size, 2 ** 30),
    });
    log(`ceiling ${ceiling.mbPerSec.toFixed(0)} MB/s`);

    const phases: Phase[] = [];
    const common = ['--machine', 'bench', '--state', src.stateDir, '--parallel', String(parallel), '--json'];
    const replicatePhase = async (name: string, changed: number | undefined): Promise<void> => {
      await core!.restart(); // a fresh server process: its peak RSS is this phase's
      const cpu0 = cpuSeconds(core!.pid);
      const r = await runCli(['source', 'replicate', '--volume', `disk=${image}`, ...common]);
      const serverPeak = peakRss(core!.pid);
      const serverCpu = cpuSeconds(core!.pid) - cpu0;
      const s = lastJson<Summary>(r, name);
      phases.push({
        name, seconds: s.seconds, bytes: s.bytesRead, bytesSent: s.bytesSent, bytesChanged: changed ?? s.bytesChanged,
        detectedChanged: s.bytesChanged, serverPeakRss: serverPeak, clientPeakRss: r.peakRss, serverCpuSeconds: serverCpu, clientCpuSeconds: r.cpuSeconds,
      });
      log(`${name}: ${JSON.stringify(s)}`);
    };
    await replicatePhase('initial replication', undefined);
    const m64 = mutateBlocks(image, size, 64 * 1024, 0.01, 64);
    log(`changed ${m64.blocks} random 64 KiB blocks (${formatBytes(m64.bytes)})`);
    await replicatePhase('incremental, 1 % of 64 KiB blocks', m64.bytes);
    const m4 = mutateBlocks(image, size, 4 * 1024, 0.01, 4);
    log(`changed ${m4.blocks} random 4 KiB blocks (${formatBytes(m4.bytes)})`);
    await replicatePhase('incremental, 1 % of 4 KiB blocks', m4.bytes);

    await core.restart();
    const rcpu0 = cpuSeconds(core.pid);
    const out = join(dir, 'restored');
    const r = await runCli(['source', 'restore', '--machine', 'bench', '--rp', 'latest', '--out', out, '--state', src.stateDir, '--parallel', String(parallel), '--json']);
    const serverPeak = peakRss(core.pid);
    const serverCpu = cpuSeconds(core.pid) - rcpu0;
    const rs = lastJson<{ seconds: number; bytesRestored: number; bytesFetched: number; chain: string[] }>(r, 'restore');
    let identical = true;
    try { await run('cmp', [image, join(out, 'disk.img')]); } catch { identical = false; }
    phases.push({ name: `restore (chain of ${rs.chain.length}, cmp ${identical ? 'identical' : 'DIFFERENT'})`, seconds: rs.seconds, bytes: rs.bytesRestored, bytesSent: rs.bytesFetched, serverPeakRss: serverPeak, clientPeakRss: r.peakRss, serverCpuSeconds: serverCpu, clientCpuSeconds: r.cpuSeconds });

    const client = new ApiClient(core.url, identityFromFiles({ cert: join(src.stateDir, 'cert.pem'), key: join(src.stateDir, 'key.pem'), ca: pki.ca }));
    let storedBytes = 0;
    try {
      const { items } = await client.json<{ items: { machineId: string; storedBytes?: number }[] }>('GET', '/v1/machines');
      storedBytes = items.find((m) => m.machineId === 'bench')?.storedBytes ?? 0;
    } finally { client.close(); }
    printReport({ size, layout, parallel, ceiling, phases, storedBytes, blobBytes: du(join(core.dataDir, 'blobs')), identical });
    if (!identical) process.exitCode = 1;
  } finally {
    await core?.stop();
    if (values.keep) log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => { process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`); process.exitCode = 1; });
