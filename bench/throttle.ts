/**
 * The bandwidth limit in the bench (issue 13): a replication of its own image (a fresh machine,
 * so a base) with `drcore source replicate --bandwidth RATE`; the rate the upload stream held
 * (bytes sent over the run's seconds) against the limit, within ±10 %.
 */
import { formatBytes } from '../cli/args.js';
import { runCli } from '../test/support/core-process.js';
import { writeImage } from './image.js';
import { table } from './table.js';

export interface ThrottleResult { limitBytesPerSecond: number; bytesSent: number; seconds: number; measuredBytesPerSecond: number; deviation: number; held: boolean }

export const THROTTLE_TOLERANCE = 0.1;

export async function throttlePhase(o: { image: string; size: number; stateDir: string; parallel: number; limitBytesPerSecond: number }): Promise<ThrottleResult> {
  writeImage(o.image, o.size, 'drcore-bench-throttle');
  const r = await runCli(['source', 'replicate', '--machine', 'bench-throttle', '--volume', `disk=${o.image}`, '--state', o.stateDir,
    '--parallel', String(o.parallel), '--bandwidth', `${o.limitBytesPerSecond}B`, '--json']);
  if (r.code !== 0) throw new Error(`the throttled replication failed (${r.code ?? r.signal}):\n${r.stderr}`);
  const s = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { bytesSent: number; seconds: number };
  const measured = s.bytesSent / s.seconds;
  const deviation = measured / o.limitBytesPerSecond - 1;
  return { limitBytesPerSecond: o.limitBytesPerSecond, bytesSent: s.bytesSent, seconds: s.seconds, measuredBytesPerSecond: measured, deviation, held: Math.abs(deviation) <= THROTTLE_TOLERANCE };
}

export function formatThrottle(t: ThrottleResult): string {
  return `\nBandwidth limit (token bucket on the upload stream, --bandwidth)\n${table([
    ['', 'limit', 'measured', 'sent', 'seconds', 'deviation', `within ±${THROTTLE_TOLERANCE * 100} %`],
    ['throttled base', `${formatBytes(t.limitBytesPerSecond)}/s`, `${formatBytes(t.measuredBytesPerSecond)}/s`, formatBytes(t.bytesSent), t.seconds.toFixed(2),
      `${t.deviation >= 0 ? '+' : ''}${(t.deviation * 100).toFixed(1)} %`, t.held ? 'yes' : 'NO'],
  ])}\n`;
}
