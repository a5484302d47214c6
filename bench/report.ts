/** The benchmark's table and its verdict against DESIGN §9's targets. */
import { cpus } from 'node:os';
import { formatBytes } from '../cli/args.js';
import type { CeilingResult } from './ceiling.js';
import type { ImageLayout } from './image.js';

export interface Phase {
  name: string;
  seconds: number;
  /** Bytes of volume read (replication) or restored. */
  bytes: number;
  /** Bytes on the wire: packs uploaded, or chunks fetched for a restore. */
  bytesSent: number;
  /** Bytes the benchmark changed (incrementals), else what the source counted. */
  bytesChanged?: number;
  /** What the source's change detection counted as changed. */
  detectedChanged?: number;
  serverPeakRss: number;
  clientPeakRss: number;
  /** CPU seconds of the server process during the phase, and of the CLI process (start-up included). */
  serverCpuSeconds: number;
  clientCpuSeconds: number;
}

export interface Report {
  size: number; layout: ImageLayout; parallel: number; ceiling: CeilingResult; phases: Phase[];
  storedBytes: number; blobBytes: number; identical: boolean;
}

const mib = (n: number) => formatBytes(n);

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}

export function printReport(r: Report): void {
  const out = (s = '') => process.stdout.write(`${s}\n`);
  const c = r.ceiling.mbPerSec;
  out();
  out(`drcore bench — ${mib(r.size)} image (${mib(r.layout.random)} incompressible, ${mib(r.layout.zero)} zero, ${mib(r.layout.compressible)} compressible), ` +
    `${r.parallel} connections, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.versions.node}`);
  out();
  const rows = [['phase', 'seconds', 'MB/s', 'of ceiling', 'changed', 'sent', 'sent/changed', 'server RSS', 'client RSS', 'server CPU', 'client CPU']];
  rows.push(['raw mTLS upload ceiling (discarding server)', r.ceiling.seconds.toFixed(2), c.toFixed(1), '100 %', '-', mib(r.ceiling.bytes), '-', mib(r.ceiling.serverPeakRss), '-', `${r.ceiling.serverCpuSeconds.toFixed(1)} s`, '-']);
  for (const p of r.phases) {
    const rate = p.bytes / p.seconds / 1e6;
    const changed = p.bytesChanged;
    rows.push([
      p.name, p.seconds.toFixed(2), rate.toFixed(1), `${((rate / c) * 100).toFixed(0)} %`,
      changed === undefined ? '-' : mib(changed), mib(p.bytesSent),
      changed ? (p.bytesSent / changed).toFixed(3) : '-', mib(p.serverPeakRss), mib(p.clientPeakRss),
      `${p.serverCpuSeconds.toFixed(1)} s`, `${p.clientCpuSeconds.toFixed(1)} s`,
    ]);
  }
  out(table(rows));
  out();
  out(`stored: ${mib(r.storedBytes)} (tenant usage) / ${mib(r.blobBytes)} on disk for a ${mib(r.size)} image ` +
    `(${((r.blobBytes / r.size) * 100).toFixed(1)} %; non-zero data ${mib(r.layout.random + r.layout.compressible)})`);
  const initial = r.phases[0];
  const inc64 = r.phases[1];
  const restore = r.phases[r.phases.length - 1];
  const ratio = (p: Phase | undefined) => (p ? p.bytes / p.seconds / 1e6 / c : 0);
  const verdict = (ok: boolean) => (ok ? 'MEETS' : 'MISSES');
  out();
  out(`target initial ≥ 60 % of ceiling: ${(ratio(initial) * 100).toFixed(0)} % — ${verdict(ratio(initial) >= 0.6)}`);
  out(`target restore ≥ 60 % of ceiling: ${(ratio(restore) * 100).toFixed(0)} % — ${verdict(ratio(restore) >= 0.6)}`);
  const inc = inc64 && inc64.bytesChanged ? inc64.bytesSent / inc64.bytesChanged : Number.NaN;
  out(`target incremental (64 KiB) sent ≤ 1.3 × changed: ${inc.toFixed(3)} × — ${verdict(inc <= 1.3)}`);
  out(`restore byte-identical (cmp): ${r.identical ? 'yes' : 'NO'}`);
  out();
  out('server CPU ≈ seconds means the single-threaded server process was the bottleneck of that phase;');
  out(`the ceiling's server spent ${((r.ceiling.serverCpuSeconds / r.ceiling.bytes) * 4 * 2 ** 20 * 1000).toFixed(1)} ms of CPU per 4 MiB, the core ` +
    `${initial ? ((initial.serverCpuSeconds / Math.max(1, initial.bytesSent)) * 4 * 2 ** 20 * 1000).toFixed(1) : '-'} ms per 4 MiB uploaded and ` +
    `${restore ? ((restore.serverCpuSeconds / Math.max(1, restore.bytesSent)) * 4 * 2 ** 20 * 1000).toFixed(1) : '-'} ms per 4 MiB read back.`);
}
