/** The benchmark's report: the speed table, the cost model, restic side by side, and the verdict on every goal (DESIGN §9, issue 10). */
import { cpus } from 'node:os';
import { formatBytes } from '../cli/args.js';
import type { CounterSnapshot } from '../shared/adapters/counting/request-counter.js';
import type { CeilingResult } from './ceiling.js';
import { COST_GOALS } from './cost.js';
import { dollars, percent, times, verdict, type Goal } from './goals.js';
import type { ImageLayout } from './image.js';
import { costTable, phaseDollars, requestsTable, storedLines, type CountedPhase } from './report-cost.js';
import { sideBySideLines, speedRatio, type ResticInfo, type SidePhase } from './report-restic.js';
import type { ResticRun } from './restic.js';
import type { StoredBytes } from './stored-bytes.js';
import { table } from './table.js';

export type PhaseKey = 'initial' | 'inc64' | 'inc4' | 'restore';
export const PHASE_LABELS: Record<PhaseKey, string> = { initial: 'initial', inc64: 'inc 1 % @ 64 KiB', inc4: 'inc 1 % @ 4 KiB', restore: 'restore' };

export interface Phase {
  key: PhaseKey;
  name: string;
  seconds: number;
  /** Wall seconds of the CLI process, start to exit (what is compared with restic's). */
  wallSeconds: number;
  /** Bytes of volume read (replication) or restored. */
  bytes: number;
  /** Bytes on the wire: packs uploaded, or chunks fetched for a restore. */
  bytesSent: number;
  /** Bytes the benchmark changed (incrementals), else what the source counted. */
  bytesChanged?: number;
  /** What the source's change detection counted as changed. */
  detectedChanged?: number;
  /** Bytes the phase added under DATA/blobs. */
  addedBytes: number;
  serverPeakRss: number;
  clientPeakRss: number;
  /** CPU seconds of the server process during the phase, and of the CLI process (start-up included). */
  serverCpuSeconds: number;
  clientCpuSeconds: number;
  /** What the core's ports and handlers did in this phase (DRCORE_COUNT_REQUESTS). */
  counts?: CounterSnapshot;
  /** restic on the same image state, same phase. */
  restic?: ResticRun;
}

export interface Report {
  size: number; layout: ImageLayout; parallel: number; ceiling: CeilingResult; phases: Phase[];
  storedBytes: number; blobBytes: number; identical: boolean;
  stored: StoredBytes;
  /** The source's signature files (.sig) after the last replication. */
  signatureBytes: number;
  restic: ResticInfo & { repoBytes?: number; cacheBytes?: number };
}

const mib = (n: number) => formatBytes(n);

const phaseOf = (r: Report, key: PhaseKey): Phase | undefined => r.phases.find((p) => p.key === key);

function countedPhases(r: Report): CountedPhase[] {
  return r.phases.flatMap((p): CountedPhase[] => {
    if (!p.counts) return [];
    const basis = p.key === 'initial' ? r.size : p.key === 'restore' ? p.bytes : (p.bytesChanged ?? 0);
    const basisName = p.key === 'initial' ? 'TB of volume' : p.key === 'restore' ? 'TB restored' : 'TB changed';
    return [{ label: PHASE_LABELS[p.key], seconds: p.seconds, counts: p.counts, basis, basisName }];
  });
}

/** Every goal of DESIGN §9 and issue 10 that this run measures. */
export function goals(r: Report): Goal[] {
  const c = r.ceiling.mbPerSec;
  const ofCeiling = (p: Phase | undefined) => (p ? p.bytes / p.seconds / 1e6 / c : Number.NaN);
  const sentPerChanged = (p: Phase | undefined) => (p?.bytesChanged ? p.bytesSent / p.bytesChanged : Number.NaN);
  const side = (p: Phase | undefined) => (p ? speedRatio(sidePhase(p)) : Number.NaN);
  const dollarsPerTb = (key: PhaseKey) => countedPhases(r).map(phaseDollars).find((d) => d.label === PHASE_LABELS[key])?.perTb ?? Number.NaN;
  const [initial, inc64, inc4, restore] = (['initial', 'inc64', 'inc4', 'restore'] as const).map((k) => phaseOf(r, k));
  const list: Goal[] = [
    { label: 'initial, of the mTLS ceiling', value: ofCeiling(initial), op: '≥', target: 0.6, format: percent(0) },
    { label: 'restore, of the mTLS ceiling', value: ofCeiling(restore), op: '≥', target: 0.6, format: percent(0) },
    { label: 'incremental 1 % @ 64 KiB, sent ÷ changed', value: sentPerChanged(inc64), op: '≤', target: 1.3, format: times },
    { label: 'incremental 1 % @ 4 KiB, sent ÷ changed', value: sentPerChanged(inc4), op: '≤', target: 3, format: times },
    { label: 'source signature state, of the volume size', value: r.signatureBytes / r.size, op: '≤', target: 0.0025, format: percent(3) },
    ...[initial, inc64, inc4].flatMap((p): Goal[] => {
      // Objects written per RP (S3 PUTs: packs and index parts) against 1.25 × ceil(bytes sent / 4 MiB) + 4 (issue 10 item 1).
      const puts = p?.counts?.ports['blobs']?.['put']?.calls;
      if (!p || puts === undefined) return [];
      const allowed = 1.25 * Math.ceil(p.bytesSent / (4 * 1024 * 1024)) + 4;
      return [{ label: `${PHASE_LABELS[p.key]}, objects written ÷ (1.25 × ceil(sent / 4 MiB) + 4)`, value: puts / allowed, op: '≤', target: 1, format: times }];
    }),
    { label: 'modeled AWS cost of the base, per TB of volume', value: dollarsPerTb('initial'), op: '≤', target: COST_GOALS.basePerTb, format: dollars },
    { label: 'modeled AWS cost of 1 % @ 64 KiB, per TB changed', value: dollarsPerTb('inc64'), op: '≤', target: COST_GOALS.incrementalPerTbChanged, format: dollars },
    { label: 'modeled AWS cost of 1 % @ 4 KiB, per TB changed', value: dollarsPerTb('inc4'), op: '≤', target: COST_GOALS.incrementalPerTbChanged, format: dollars },
    { label: 'metadata, of stored bytes', value: r.stored.metadata / Math.max(1, r.stored.total), op: '≤', target: COST_GOALS.metadataShare, format: percent(2) },
  ];
  if (r.restic.why === undefined) {
    list.push(
      { label: 'initial, speed as a multiple of restic\'s', value: side(initial), op: '≥', target: 2.5, format: times },
      { label: 'incremental 1 % @ 64 KiB, speed as a multiple of restic\'s', value: side(inc64), op: '≥', target: 2, format: times },
      { label: 'restore, speed as a multiple of restic\'s', value: side(restore), op: '≥', target: 2, format: times },
      { label: 'stored, as a multiple of restic\'s repository', value: r.restic.repoBytes ? r.stored.total / r.restic.repoBytes : Number.NaN, op: '≤', target: 1, format: times },
    );
  }
  return list;
}

function sidePhase(p: Phase): SidePhase {
  return {
    label: PHASE_LABELS[p.key], drcoreSeconds: p.wallSeconds, drcoreAdded: p.addedBytes,
    drcoreClientRss: p.clientPeakRss, drcoreServerRss: p.serverPeakRss, ...(p.restic ? { restic: p.restic } : {}),
  };
}

export function formatReport(r: Report): string {
  const lines: string[] = [];
  const out = (s = '') => lines.push(s);
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
  for (const l of storedLines(r.stored)) out(l);
  out(`source state: ${mib(r.signatureBytes)} of signature files (${((r.signatureBytes / r.size) * 100).toFixed(3)} % of the volume)` +
    (r.restic.cacheBytes !== undefined ? `; restic's cache ${mib(r.restic.cacheBytes)}` : ''));
  const counted = countedPhases(r);
  if (counted.length) {
    out();
    out(requestsTable(counted));
    out();
    out(costTable(counted));
    out('  (requests as counted here, where the authorizer runs for every request; prices: bench/cost.ts; Lambda GB-s from the local handlers\' wall ms');
    out('   × the functions\' memory in infra/; on AWS the authorizer is cached 60 s per certificate: its runs, ms and port calls scaled to that;');
    out('   not modeled: storage per month, data transfer — a restore over the internet adds $0.09 per GB, $90 per TB)');
  } else {
    out();
    out('requests and cost: not counted (the core ran without DRCORE_COUNT_REQUESTS=1)');
  }
  out();
  for (const l of sideBySideLines(r.restic, r.phases.map(sidePhase))) out(l);
  out();
  out('goals:');
  for (const g of goals(r)) out(`  ${verdict(g)}`);
  const restore = phaseOf(r, 'restore');
  out(`  restore byte-identical (cmp): drcore ${r.identical ? 'yes' : 'NO'}` +
    (restore?.restic ? `, restic ${restore.restic.identical ? 'yes' : 'NO'}` : ''));
  const peak = (f: (p: Phase) => number) => mib(Math.max(0, ...r.phases.map(f)));
  out(`  memory: peak RSS of the source ${peak((p) => p.clientPeakRss)}, of the server ${peak((p) => p.serverPeakRss)} at ${mib(r.size)} ` +
    '(bounded whatever the volume size: compare runs at two sizes)');
  out();
  const initial = phaseOf(r, 'initial');
  out('server CPU ≈ seconds means the single-threaded server process was the bottleneck of that phase;');
  out(`the ceiling's server spent ${((r.ceiling.serverCpuSeconds / r.ceiling.bytes) * 4 * 2 ** 20 * 1000).toFixed(1)} ms of CPU per 4 MiB, the core ` +
    `${initial ? ((initial.serverCpuSeconds / Math.max(1, initial.bytesSent)) * 4 * 2 ** 20 * 1000).toFixed(1) : '-'} ms per 4 MiB uploaded and ` +
    `${restore ? ((restore.serverCpuSeconds / Math.max(1, restore.bytesSent)) * 4 * 2 ** 20 * 1000).toFixed(1) : '-'} ms per 4 MiB read back.`);
  return `${lines.join('\n')}\n`;
}

export function printReport(r: Report): void {
  process.stdout.write(formatReport(r));
}
