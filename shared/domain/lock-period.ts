/**
 * How long an RP's data stays locked against deletion (S3 Object Lock, issue 11 item 4), by its
 * retention class: the rule that keeps it. A monthly is locked longer than a daily — Kopia's
 * users asked for it and were refused. The lock runs to the end of the span its rule keeps it
 * for, counted from the RP's own time (daily 14: 14 days; monthly 12: 12 calendar months), plus
 * the recycle-bin period, because after expiry the RP sits in the bin and the bin must hold too.
 * Rules with no time span (keep-last, pinned, keep-all) lock for the bin period from now; each
 * retention run renews that. Locks only ever grow (the ObjectLocks port never shortens one).
 * Pure: the times are passed in.
 */
import type { KeepReason } from './prune.js';
import type { RetentionSettings } from './retention-policy.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function plusMonths(at: Date, months: number): Date {
  const d = new Date(at.getTime());
  d.setUTCMonth(d.getUTCMonth() + months);
  return d;
}

/** The end of the span `by` keeps an RP of time `at` for, or undefined for a rule with no time span. */
function spanEnd(by: KeepReason, at: Date, r: RetentionSettings): Date | undefined {
  const k = r.keep;
  switch (by) {
    case 'hourly': return new Date(at.getTime() + k.hourly * HOUR);
    case 'daily': return new Date(at.getTime() + k.daily * DAY);
    case 'weekly': return new Date(at.getTime() + k.weekly * 7 * DAY);
    case 'monthly': return plusMonths(at, k.monthly);
    case 'yearly': return plusMonths(at, 12 * k.yearly);
    case 'last':
    case 'pinned':
    case 'keep-all':
      return undefined;
    default: {
      const never: never = by;
      throw new Error(`unknown keep reason ${String(never)}`);
    }
  }
}

/** Until when the data of an RP kept by `by`, made at `rpAt`, stays locked, judged at `now`. */
export function lockUntil(by: KeepReason, rpAt: string, now: string, r: RetentionSettings): Date {
  const bin = r.binDays * DAY;
  const fromNow = Date.parse(now) + bin;
  const end = spanEnd(by, new Date(rpAt), r);
  return new Date(Math.max(fromNow, end === undefined ? 0 : end.getTime() + bin));
}
