/**
 * Usage for billing (issue 11 item 5): per tenant and UTC day of the range, the high-water marks
 * of its stored bytes (`usage-daily`, from the storage counter: the packs' bytes, what the object
 * store bills), its logical bytes (Σ of the kept RPs' volume sizes, before dedup and compression)
 * and its recycle-bin bytes (`usage-daily-rps`, from the RP events), and the bytes its restores
 * read that day (egress, replication/egress-meter.ts); with each tenant's quota, current usage and
 * estimated-full date (shared/domain/usage-forecast.ts, over the last 30 days).
 *
 * Every day of the range up to today has a row per tenant: a day starts with the figures the
 * last day before it closed with, so a quiet day carries them and a day that only shrinks keeps
 * its opening figure as its high-water mark.
 */
import { estimatedFullDate } from '../domain/usage-forecast.js';
import type { AppDeps } from './deps.js';
import { TENANTS, type TenantSummary } from './projections/tenants.js';
import { USAGE_DAILY, USAGE_DAILY_RPS, type UsageDay, type UsageRpDay } from './projections/usage-daily.js';
import { egressOn } from './replication/egress-meter.js';

const FORECAST_DAYS = 30;
const DAY_MS = 86_400_000;

export interface UsageDayRow {
  tenantId: string; day: string; quotaBytes: number;
  storedBytes: number; logicalBytes: number; binBytes: number; egressBytes: number;
}

export interface UsageReport {
  from: string; to: string;
  days: UsageDayRow[];
  tenants: { tenantId: string; quotaBytes: number; storedBytes: number; logicalBytes: number; binBytes: number; estimatedFullAt: string | null }[];
}

const minusDays = (day: string, n: number): string => new Date(Date.parse(`${day}T00:00:00.000Z`) - n * DAY_MS).toISOString().slice(0, 10);

function* daysOf(from: string, to: string): Generator<string> {
  for (let t = Date.parse(`${from}T00:00:00.000Z`); t <= Date.parse(`${to}T00:00:00.000Z`); t += DAY_MS) yield new Date(t).toISOString().slice(0, 10);
}

/** The day's document, or the last one before it (for its closing figures), from a list sorted by day. */
function atOrBefore<T extends { day: string }>(sorted: readonly T[], day: string): { on?: T; before?: T } {
  let before: T | undefined;
  for (const d of sorted) {
    if (d.day === day) return { on: d, ...(before ? { before } : {}) };
    if (d.day > day) break;
    before = d;
  }
  return before ? { before } : {};
}

const byDay = <T extends { day: string }>(docs: T[]): T[] => docs.sort((a, b) => a.day.localeCompare(b.day));

export async function usageReport(deps: Pick<AppDeps, 'readModels' | 'operational' | 'clock'>, q: { from: string; to: string; tenantId?: string | undefined }): Promise<UsageReport> {
  const today = deps.clock().toISOString().slice(0, 10);
  const tenants = (await deps.readModels.list<TenantSummary>(TENANTS)).filter((t) => q.tenantId === undefined || t.tenantId === q.tenantId);
  const report: UsageReport = { from: q.from, to: q.to, days: [], tenants: [] };
  const last = q.to < today ? q.to : today;
  for (const t of tenants) {
    const stored = byDay(await deps.readModels.list<UsageDay>(USAGE_DAILY, { prefix: `${t.tenantId}/` }));
    const rps = byDay(await deps.readModels.list<UsageRpDay>(USAGE_DAILY_RPS, { prefix: `${t.tenantId}/` }));
    for (const day of daysOf(q.from, last)) {
      const s = atOrBefore(stored, day);
      const r = atOrBefore(rps, day);
      if (!s.on && !s.before && !r.on && !r.before) continue; // before the tenant stored anything
      report.days.push({
        tenantId: t.tenantId, day, quotaBytes: t.quotaBytes,
        // A day starts where the one before closed: that is part of its high-water mark.
        storedBytes: Math.max(s.on?.storedBytes ?? 0, s.before?.closingBytes ?? 0),
        logicalBytes: Math.max(r.on?.logicalBytes ?? 0, r.before?.closingLogicalBytes ?? 0),
        binBytes: Math.max(r.on?.binBytes ?? 0, r.before?.closingBinBytes ?? 0),
        egressBytes: await egressOn(deps, t.tenantId, day),
      });
    }
    const recent = stored.filter((d) => d.day > minusDays(today, FORECAST_DAYS));
    const current = stored.at(-1);
    const currentRps = rps.at(-1);
    report.tenants.push({
      tenantId: t.tenantId, quotaBytes: t.quotaBytes, storedBytes: current?.closingBytes ?? 0,
      logicalBytes: currentRps?.closingLogicalBytes ?? 0, binBytes: currentRps?.closingBinBytes ?? 0,
      estimatedFullAt: estimatedFullDate(recent, t.quotaBytes, today) ?? null,
    });
  }
  report.days.sort((a, b) => a.day.localeCompare(b.day) || a.tenantId.localeCompare(b.tenantId));
  return report;
}
