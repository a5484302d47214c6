/**
 * The bench report's cost part: requests per port and per function for each phase, the
 * modeled AWS dollars of each phase (bench/cost.ts), and what is stored: payload against
 * metadata (bench/stored-bytes.ts).
 */
import { formatBytes } from '../cli/args.js';
import { AWS_UNITS, type CounterSnapshot } from '../shared/adapters/counting/request-counter.js';
import { costOf, modelUsage, perTb, type Cost } from './cost.js';
import type { StoredBytes } from './stored-bytes.js';
import { table } from './table.js';

export interface CountedPhase {
  label: string;
  seconds: number;
  counts: CounterSnapshot;
  /** What $/TB divides by: the volume for a base, the bytes changed for an incremental, the bytes restored. */
  basis: number;
  basisName: string;
}

export interface PhaseDollars { label: string; cost: Cost; perTb: number; basisName: string }

const int = (n: number) => (n === 0 ? '-' : Math.round(n).toLocaleString('en-US'));
const usd = (n: number) => (n === 0 ? '-' : n < 0.01 ? `$${n.toFixed(6)}` : `$${n.toFixed(4)}`);

export function phaseDollars(p: CountedPhase): PhaseDollars {
  const cost = costOf(modelUsage(p.counts, p.seconds));
  return { label: p.label, cost, perTb: perTb(cost.total, p.basis), basisName: p.basisName };
}

/** Rows: each port method with its calls, then API routes, then functions; columns: the phases. */
export function requestsTable(phases: readonly CountedPhase[]): string {
  const rows: string[][] = [['requests', ...phases.map((p) => p.label)]];
  const keys = <T>(pick: (c: CounterSnapshot) => Record<string, T>) => [...new Set(phases.flatMap((p) => Object.keys(pick(p.counts))))].sort();
  const portMethods = [...new Set(phases.flatMap((p) => Object.entries(p.counts.ports).flatMap(([port, ms]) => Object.keys(ms).map((m) => `${port}.${m}`))))].sort();
  for (const pm of portMethods) {
    const [port = '', method = ''] = pm.split('.');
    rows.push([`port ${pm}`, ...phases.map((p) => {
      const c = p.counts.ports[port]?.[method];
      if (!c) return '-';
      const bytes = c.bytesIn || c.bytesOut ? ` (${formatBytes(c.bytesIn || c.bytesOut)})` : '';
      return `${int(c.calls)}${bytes}`;
    })]);
  }
  for (const u of AWS_UNITS) {
    rows.push([`AWS ${u}`, ...phases.map((p) => int(Object.values(p.counts.ports).reduce((n, ms) => n + Object.values(ms).reduce((k, c) => k + (c.units[u] ?? 0), 0), 0)))]);
  }
  for (const r of keys((c) => c.routes)) rows.push([`API ${r}`, ...phases.map((p) => int(p.counts.routes[r]?.invocations ?? 0))]);
  for (const f of keys((c) => c.functions)) {
    rows.push([`λ ${f} (invocations, mean ms)`, ...phases.map((p) => {
      const c = p.counts.functions[f];
      return c ? `${int(c.invocations)}, ${(c.ms / c.invocations).toFixed(1)} ms` : '-';
    })]);
  }
  return table(rows);
}

export function costTable(phases: readonly CountedPhase[]): string {
  const rows = [['modeled AWS cost', 'API Gateway', 'Lambda', 'S3 requests', 'DynamoDB', 'SQS', 'total', '$ per TB', 'per TB of']];
  for (const d of phases.map(phaseDollars)) {
    const c = d.cost;
    rows.push([d.label, usd(c.apiGateway), usd(c.lambda), usd(c.s3), usd(c.dynamodb), usd(c.sqs), usd(c.total), Number.isFinite(d.perTb) ? `$${d.perTb.toFixed(2)}` : '-', d.basisName]);
  }
  return table(rows);
}

export function storedLines(s: StoredBytes): string[] {
  const share = (n: number) => `${formatBytes(n)} (${((n / Math.max(1, s.total)) * 100).toFixed(2)} %)`;
  return [
    `stored (S3 objects + DynamoDB items): ${formatBytes(s.total)} in ${s.objects.toLocaleString('en-US')} objects — payload ${share(s.payload)}, metadata ${share(s.metadata)}:`,
    `  RP indexes ${share(s.rpIndexes)}, upload records ${share(s.uploadRecords)}, manifests ${share(s.manifests)}, chunk headers ${share(s.chunkHeaders)}, pack framing ${share(s.framing)}, ` +
      `other objects ${share(s.otherObjects)}, event log ${share(s.events)}, read models ${share(s.readModels)}`,
    '  (payload: FULL and DELTA chunk bytes after their chunk header; metadata: everything else stored, DynamoDB items with their 100 bytes of overhead)',
  ];
}
