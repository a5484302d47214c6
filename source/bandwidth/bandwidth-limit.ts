/**
 * The source's bandwidth limit (issue 13): a rate, and rates for time windows — for example
 * 20 Mbit/s from 08:00 to 18:00 on weekdays, unlimited otherwise. Rates as operators write
 * them: 20Mbit, 100Mbps, 5MB, 5MiB (per second), or unlimited. The target may ask for less
 * (its per-tenant limit, in the `x-drcore-bandwidth-limit` header): the lower one holds. Pure.
 */
import { inWindows, parseWindow, type TimeWindow } from '../daemon/windows.js';

export interface BandwidthLimit {
  /** Bytes per second outside every window (Infinity: unlimited). */
  readonly rate: number;
  readonly windows: readonly { window: TimeWindow; rate: number }[];
}

const UNITS: Record<string, number> = {
  bit: 1 / 8, kbit: 1000 / 8, mbit: 1e6 / 8, gbit: 1e9 / 8, kbps: 1000 / 8, mbps: 1e6 / 8, gbps: 1e9 / 8,
  b: 1, kb: 1000, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3,
};

/** Bytes per second; Infinity for `unlimited`. */
export function parseRate(text: string): number {
  const t = text.trim().toLowerCase().replace(/\/s$/, '');
  if (t === 'unlimited' || t === 'none') return Infinity;
  if (/^\d+$/.test(t)) return checked(Number(t), text);
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/.exec(t);
  const unit = m ? UNITS[m[2]!] : undefined;
  if (!m || unit === undefined) throw new Error(`${JSON.stringify(text)} is not a rate like 20Mbit, 100Mbps, 5MiB or unlimited`);
  return checked(Number(m[1]) * unit, text);
}

function checked(rate: number, text: string): number {
  if (rate < 64 * 1024) throw new Error(`a bandwidth limit is at least 64 KiB/s (512 kbit), not ${JSON.stringify(text)}`);
  return rate;
}

/** `rate` (default unlimited) and `WINDOW=RATE` entries, e.g. "mon-fri 08:00-18:00=20Mbit". */
export function parseBandwidth(rate: string | undefined, windows: readonly string[] = []): BandwidthLimit {
  return {
    rate: rate === undefined ? Infinity : parseRate(rate),
    windows: windows.map((w) => {
      const at = w.lastIndexOf('=');
      if (at < 1) throw new Error(`${JSON.stringify(w)} is not WINDOW=RATE, like "mon-fri 08:00-18:00=20Mbit"`);
      return { window: parseWindow(w.slice(0, at)), rate: parseRate(w.slice(at + 1)) };
    }),
  };
}

/** The limit at `now`: the lowest of the windows it is in, else the default rate. */
export function rateAt(l: BandwidthLimit, now: Date): number {
  const inside = l.windows.filter((w) => inWindows([w.window], now)).map((w) => w.rate);
  return inside.length ? Math.min(...inside) : l.rate;
}

export const unlimited = (l: BandwidthLimit): boolean => l.rate === Infinity && l.windows.length === 0;
