import { DomainError } from './errors.js';

/**
 * A tenant's retention (DESIGN §5, issue 11 item 1): how many recovery points the target keeps
 * per machine, whatever the source keeps — Proxmox Backup Server's keep-last, -hourly, -daily,
 * -weekly, -monthly and -yearly counts (./prune.ts selects with them) — and how many days an
 * expired or deleted RP stays in the tenant's recycle bin before it is purged.
 *
 * Set at approval (the approve body's optional `retention`, else DEFAULT_RETENTION), changed by
 * the operator (`TenantRetentionChanged` on the tenant's stream). A tenant approved before
 * retention existed has none recorded: it keeps every RP (KEEP_ALL) until the operator sets one,
 * so an upgrade never starts expiring anything by itself.
 */
export const KEEP_RULES = ['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const;
export type KeepRule = (typeof KEEP_RULES)[number];
export type KeepCounts = { readonly [K in KeepRule]: number };

export interface RetentionSettings {
  readonly keep: KeepCounts;
  /** Days an expired or deleted RP stays in the recycle bin (restorable by the tenant) before it is purged. */
  readonly binDays: number;
}

/** At most this many per rule (PBS has no bound; ours keeps the selection's work and the API's numbers sane). */
export const MAX_KEEP = 100_000;
/** The recycle bin keeps an RP at least a day (insider protection: no operator can make deletion immediate), at most ten years. */
export const MIN_BIN_DAYS = 1;
export const MAX_BIN_DAYS = 3650;
export const DEFAULT_BIN_DAYS = 14;

const counts = (c: Partial<KeepCounts>): KeepCounts => ({ last: 0, hourly: 0, daily: 0, weekly: 0, monthly: 0, yearly: 0, ...c });

/** What an approval without `retention` gets: a week of everything recent, then thinning out over two years. */
export const DEFAULT_RETENTION: RetentionSettings = Object.freeze({
  keep: Object.freeze(counts({ last: 10, hourly: 24, daily: 14, weekly: 8, monthly: 12, yearly: 2 })),
  binDays: DEFAULT_BIN_DAYS,
});

/** Every count 0: PBS's "keep all" — nothing expires. A tenant with no recorded retention has this. */
export const KEEP_ALL: RetentionSettings = Object.freeze({ keep: Object.freeze(counts({})), binDays: DEFAULT_BIN_DAYS });

/** Whether the counts keep everything (no rule > 0). */
export const keepsAll = (keep: KeepCounts): boolean => KEEP_RULES.every((r) => keep[r] === 0);

/** Counts from a partial set (the rest 0). */
export const keepCounts = counts;

/** Refuses counts or bin days out of range (DomainError 'invalid'); returns the settings with every rule present. */
export function checkRetention(r: { keep: Partial<KeepCounts>; binDays: number }): RetentionSettings {
  const keep = counts(r.keep);
  for (const rule of KEEP_RULES) {
    const n = keep[rule];
    if (!Number.isSafeInteger(n) || n < 0 || n > MAX_KEEP) throw new DomainError('invalid', `keep-${rule} must be an integer in 0..${MAX_KEEP}`);
  }
  for (const k of Object.keys(r.keep)) {
    if (!(KEEP_RULES as readonly string[]).includes(k)) throw new DomainError('invalid', `unknown retention rule keep-${k}`);
  }
  if (!Number.isSafeInteger(r.binDays) || r.binDays < MIN_BIN_DAYS || r.binDays > MAX_BIN_DAYS) {
    throw new DomainError('invalid', `binDays must be an integer in ${MIN_BIN_DAYS}..${MAX_BIN_DAYS}`);
  }
  return { keep, binDays: r.binDays };
}

/** `keep-last=3,daily=2` (rules with a count > 0, in PBS's order), or `keep-all`. */
export function describeKeep(keep: KeepCounts): string {
  if (keepsAll(keep)) return 'keep-all';
  return KEEP_RULES.filter((r) => keep[r] > 0).map((r) => `keep-${r}=${keep[r]}`).join(',');
}

/** When an RP binned at `at` for `binDays` leaves the bin (ISO time). */
export function purgeAfter(at: string, binDays: number): string {
  return new Date(Date.parse(at) + binDays * 86_400_000).toISOString();
}

/** A retention as a request gives it: the counts it names (the others 0), the bin days (default DEFAULT_BIN_DAYS). */
export interface RetentionInput { readonly keep?: Partial<KeepCounts> | undefined; readonly binDays?: number | undefined }

export const retentionOf = (r: RetentionInput): { keep: Partial<KeepCounts>; binDays: number } => ({ keep: { ...(r.keep ?? {}) }, binDays: r.binDays ?? DEFAULT_BIN_DAYS });
