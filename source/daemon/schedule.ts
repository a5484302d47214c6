/**
 * When the source daemon replicates a machine next (issue 13): every interval after its last
 * run started, at times of day, or both (the earlier wins), starting only inside its windows.
 * A machine never replicated, or whose time passed while the daemon was down, runs at once
 * (within a window). Pure: times are passed in.
 */
import { nextInWindows, parseWindow, type TimeWindow } from './windows.js';

export interface Schedule {
  /** Milliseconds between the starts of two runs. */
  readonly everyMs?: number;
  /** Times of day HH:MM (host local time), as minutes after midnight. */
  readonly at: readonly number[];
  readonly windows: readonly TimeWindow[];
}

export interface ScheduleSpec { readonly every?: string; readonly at?: readonly string[]; readonly windows?: readonly string[] }

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** 30s, 15m, 4h, 1d, 1h30m. */
export function parseInterval(text: string): number {
  const parts = [...text.trim().matchAll(/(\d+)([smhd])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text.trim()) throw new Error(`${JSON.stringify(text)} is not an interval like 30s, 15m, 4h or 1h30m`);
  const ms = parts.reduce((n, p) => n + Number(p[1]) * UNIT_MS[p[2]!]!, 0);
  if (ms < 1000) throw new Error(`an interval is at least 1s, not ${JSON.stringify(text)}`);
  return ms;
}

export function parseSchedule(spec: ScheduleSpec): Schedule {
  const at = (spec.at ?? []).map((t) => {
    const m = /^(\d{1,2}):(\d{2})$/.exec(t.trim());
    if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) throw new Error(`${JSON.stringify(t)} is not a time of day HH:MM`);
    return Number(m[1]) * 60 + Number(m[2]);
  });
  if (spec.every === undefined && at.length === 0) throw new Error('a schedule needs "every" or "at" (or both)');
  return { ...(spec.every !== undefined ? { everyMs: parseInterval(spec.every) } : {}), at, windows: (spec.windows ?? []).map(parseWindow) };
}

/** The next time of day in `at` strictly after `after`. */
function nextTimeOfDay(at: readonly number[], after: Date): Date | undefined {
  let best: Date | undefined;
  for (let day = 0; day <= 1; day++) {
    for (const m of at) {
      const d = new Date(after.getFullYear(), after.getMonth(), after.getDate() + day, 0, m);
      if (d > after && (!best || d < best)) best = d;
    }
  }
  return best;
}

/**
 * The next run's start: undefined when no window opens within a week. `lastStart` is when the
 * last run started (undefined: never).
 */
export function nextRun(s: Schedule, lastStart: Date | undefined, now: Date): Date | undefined {
  const candidates: Date[] = [];
  if (s.everyMs !== undefined) candidates.push(lastStart ? new Date(lastStart.getTime() + s.everyMs) : now);
  if (s.at.length > 0) {
    const t = nextTimeOfDay(s.at, lastStart ?? now);
    if (t) candidates.push(t);
  }
  const first = candidates.reduce<Date | undefined>((a, b) => (!a || b < a ? b : a), undefined) ?? now;
  return nextInWindows(s.windows, first < now ? now : first);
}
