import { UsageError } from './args.js';

const UNITS: Record<string, number> = { s: 1, m: 60, min: 60, h: 3600, d: 86_400 };

/** A duration as people write it: 90s, 15m, 4h, 1d, 1h30m, or plain seconds. */
export function parseDuration(text: string, what = 'a duration'): number {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t);
  const parts = [...t.matchAll(/(\d+)(min|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== t) throw new UsageError(`${what} is like 90s, 15m, 4h, 1d or 1h30m, not ${JSON.stringify(text)}`);
  return parts.reduce((n, p) => n + Number(p[1]) * UNITS[p[2]!]!, 0);
}

/** Seconds as a short duration: 45s, 15m, 4h, 1d 2h. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86_400) { const h = Math.floor(seconds / 3600); const m = Math.floor((seconds % 3600) / 60); return m ? `${h}h ${m}m` : `${h}h`; }
  const d = Math.floor(seconds / 86_400); const h = Math.floor((seconds % 86_400) / 3600);
  return h ? `${d}d ${h}h` : `${d}d`;
}

/** A lease end: a day (YYYY-MM-DD, its start in UTC) or an ISO time, as the API's UTC form. */
export function parseLeaseEnd(text: string): string {
  const t = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text;
  const at = Date.parse(t);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(t) || Number.isNaN(at)) throw new UsageError(`a lease end is a day like 2027-06-30 or a time like 2027-06-30T18:00:00Z, not ${JSON.stringify(text)}`);
  return new Date(at).toISOString().replace('.000Z', 'Z');
}
