import { KEEP_RULES, keepsAll, type KeepCounts, type KeepRule } from './retention-policy.js';

/**
 * The prune selection (issue 11 item 1): which of one machine's recovery points a retention
 * keeps, with Proxmox Backup Server's semantics (pbs-datastore prune.rs, "Prune Simulator"):
 *
 * - RPs are taken newest first. The rules run in order last, hourly, daily, weekly, monthly,
 *   yearly; keep-X keeps the newest RP of each of the X newest periods of its kind that hold an
 *   RP (a period without an RP does not count).
 * - An RP kept by an earlier rule is not looked at again, and the periods of the RPs kept so far
 *   are already covered: a later rule does not count them and only takes older RPs.
 * - A pinned RP (restored from the recycle bin by its tenant, like PBS's protected snapshots) is
 *   always kept and counts for no rule.
 * - Every count 0 keeps everything.
 *
 * Periods are UTC (the server's commit time, never a time the source sends): the hour, the day,
 * the ISO 8601 week (Monday to Sunday, week-numbering year), the month, the year.
 * Pure: the RPs' times are the input; nothing here reads a clock.
 */
export interface PruneCandidate {
  readonly rpId: string;
  /** When the target committed it (ISO 8601). */
  readonly at: string;
  readonly pinned?: boolean;
}

export type KeepReason = KeepRule | 'pinned' | 'keep-all';
export type PruneMark =
  | { readonly rpId: string; readonly at: string; readonly keep: true; readonly by: KeepReason }
  | { readonly rpId: string; readonly at: string; readonly keep: false };

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** ISO 8601 week-numbering year and week of a UTC time. */
function isoWeek(d: Date): string {
  const day = (d.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const thursday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day + 3));
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000));
  return `${year}-W${pad(week)}`;
}

/** The period of an RP under each rule (keep-last: every RP its own). */
export function periodOf(rule: KeepRule, c: PruneCandidate): string {
  const d = new Date(c.at);
  if (Number.isNaN(d.getTime())) throw new Error(`recovery point ${c.rpId} has no valid time: ${JSON.stringify(c.at)}`);
  switch (rule) {
    case 'last': return `${c.at}/${c.rpId}`;
    case 'hourly': return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}`;
    case 'daily': return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
    case 'weekly': return isoWeek(d);
    case 'monthly': return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`;
    case 'yearly': return String(d.getUTCFullYear());
    default: { const never: never = rule; throw new Error(`unknown rule ${String(never)}`); }
  }
}

/** Newest first; equal times by rpId, descending (a total order, so the result never depends on the input's order). */
function newestFirst(a: PruneCandidate, b: PruneCandidate): number {
  const d = Date.parse(b.at) - Date.parse(a.at);
  return d !== 0 ? d : a.rpId < b.rpId ? 1 : a.rpId > b.rpId ? -1 : 0;
}

/** Every candidate marked kept (and by which rule) or not, newest first. */
export function selectPrune(candidates: readonly PruneCandidate[], keep: KeepCounts): PruneMark[] {
  const list = [...candidates].sort(newestFirst);
  if (keepsAll(keep)) return list.map((c) => ({ rpId: c.rpId, at: c.at, keep: true, by: 'keep-all' }));
  const marks = new Map<string, KeepReason | false>();
  for (const c of list) if (c.pinned) marks.set(c.rpId, 'pinned');
  for (const rule of KEEP_RULES) {
    const count = keep[rule];
    if (count === 0) continue;
    // Periods already covered by an RP some earlier rule kept.
    const covered = new Set<string>();
    for (const c of list) {
      const m = marks.get(c.rpId);
      if (m !== undefined && m !== false && m !== 'pinned') covered.add(periodOf(rule, c));
    }
    const taken = new Set<string>();
    for (const c of list) {
      if (marks.has(c.rpId)) continue;
      const period = periodOf(rule, c);
      if (covered.has(period)) continue;
      if (taken.has(period)) { marks.set(c.rpId, false); continue; }
      if (taken.size >= count) break;
      taken.add(period);
      marks.set(c.rpId, rule);
    }
  }
  return list.map((c) => {
    const m = marks.get(c.rpId);
    return m === undefined || m === false ? { rpId: c.rpId, at: c.at, keep: false } : { rpId: c.rpId, at: c.at, keep: true, by: m };
  });
}
