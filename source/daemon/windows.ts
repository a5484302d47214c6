/**
 * Time windows of the source daemon (issue 13), as an operator writes them: `08:00-18:00`
 * (every day), `mon-fri 08:00-18:00`, `sat,sun 00:00-24:00`, `22:00-06:00` (across midnight: it
 * belongs to the day it starts). Host local time, as cron and Veeam's schedules use. Pure:
 * `now` is passed in. Shared by the schedules (a run starts only inside a window) and the
 * bandwidth limits (a limit holds inside its window).
 */
export interface TimeWindow {
  /** Days of the week it starts on, 0 = Sunday. */
  readonly days: ReadonlySet<number>;
  /** Minutes after midnight: start inclusive, end exclusive; end ≤ start: it ends the next day. */
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

function minutes(hhmm: string, text: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  if (!m || Number(m[1]) > 24 || Number(m[2]) > 59 || (Number(m[1]) === 24 && Number(m[2]) !== 0)) throw new Error(`${JSON.stringify(text)}: ${hhmm} is not a time HH:MM`);
  return Number(m[1]) * 60 + Number(m[2]);
}

function days(spec: string, text: string): Set<number> {
  const out = new Set<number>();
  if (spec === 'daily' || spec === '*') return new Set([0, 1, 2, 3, 4, 5, 6]);
  for (const part of spec.split(',')) {
    const [a, b] = part.split('-') as [string, string?];
    const from = DAY_NAMES.indexOf(a);
    const to = b === undefined ? from : DAY_NAMES.indexOf(b);
    if (from < 0 || to < 0) throw new Error(`${JSON.stringify(text)}: days are like mon-fri, sat,sun or daily`);
    for (let d = from; ; d = (d + 1) % 7) { out.add(d); if (d === to) break; }
  }
  return out;
}

/** A time window, or an Error naming what is wrong. */
export function parseWindow(text: string): TimeWindow {
  const t = text.trim().toLowerCase();
  const m = /^(?:([a-z,*-]+)\s+)?(\d{1,2}:\d{2})-(\d{1,2}:\d{2})$/.exec(t);
  if (!m) throw new Error(`${JSON.stringify(text)} is not a window like "mon-fri 08:00-18:00" or "22:00-06:00"`);
  const start = minutes(m[2]!, text);
  const end = minutes(m[3]!, text);
  if (start === end) throw new Error(`${JSON.stringify(text)}: a window must not be empty`);
  return { days: days(m[1] ?? 'daily', text), start, end, text: text.trim() };
}

const dayStart = (d: Date): Date => new Date(d.getFullYear(), d.getMonth(), d.getDate());
const addMinutes = (d: Date, n: number): Date => new Date(d.getFullYear(), d.getMonth(), d.getDate(), 0, n);

/** The occurrences [start, end) of `w` that begin on the 8 days from the day before `at`. */
function occurrences(w: TimeWindow, at: Date): { start: Date; end: Date }[] {
  const out: { start: Date; end: Date }[] = [];
  const first = dayStart(at);
  for (let i = -1; i <= 7; i++) {
    const day = new Date(first.getFullYear(), first.getMonth(), first.getDate() + i);
    if (!w.days.has(day.getDay())) continue;
    out.push({ start: addMinutes(day, w.start), end: addMinutes(day, w.end > w.start ? w.end : w.end + 1440) });
  }
  return out;
}

/** Whether `at` is inside one of `windows` (no windows: always). */
export function inWindows(windows: readonly TimeWindow[], at: Date): boolean {
  if (windows.length === 0) return true;
  return windows.some((w) => occurrences(w, at).some((o) => o.start <= at && at < o.end));
}

/** `at` if it is inside a window, else the start of the next window (undefined: none within a week). */
export function nextInWindows(windows: readonly TimeWindow[], at: Date): Date | undefined {
  if (inWindows(windows, at)) return at;
  let best: Date | undefined;
  for (const w of windows) for (const o of occurrences(w, at)) if (o.start > at && (!best || o.start < best)) best = o.start;
  return best;
}
