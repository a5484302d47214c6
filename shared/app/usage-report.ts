/**
 * Usage for billing (issue 11 item 5): per tenant and UTC day, the stored bytes' high-water mark
 * (`usage-daily` read model, from the storage counter), with each tenant's quota, current usage
 * and estimated-full date (shared/domain/usage-forecast.ts, over the last 30 days).
 */
import { estimatedFullDate } from '../domain/usage-forecast.js';
import type { AppDeps } from './deps.js';
import { TENANTS, type TenantSummary } from './projections/tenants.js';
import { USAGE_DAILY, type UsageDay } from './projections/usage-daily.js';

const FORECAST_DAYS = 30;

export interface UsageReport {
  from: string; to: string;
  days: { tenantId: string; day: string; storedBytes: number; quotaBytes: number }[];
  tenants: { tenantId: string; quotaBytes: number; storedBytes: number; estimatedFullAt: string | null }[];
}

const minusDays = (day: string, n: number): string => new Date(Date.parse(`${day}T00:00:00.000Z`) - n * 86_400_000).toISOString().slice(0, 10);

export async function usageReport(deps: Pick<AppDeps, 'readModels' | 'clock'>, q: { from: string; to: string; tenantId?: string | undefined }): Promise<UsageReport> {
  const today = deps.clock().toISOString().slice(0, 10);
  const tenants = (await deps.readModels.list<TenantSummary>(TENANTS)).filter((t) => q.tenantId === undefined || t.tenantId === q.tenantId);
  const report: UsageReport = { from: q.from, to: q.to, days: [], tenants: [] };
  for (const t of tenants) {
    const all = await deps.readModels.list<UsageDay>(USAGE_DAILY, { prefix: `${t.tenantId}/` });
    for (const d of all) if (d.day >= q.from && d.day <= q.to) report.days.push({ tenantId: t.tenantId, day: d.day, storedBytes: d.storedBytes, quotaBytes: t.quotaBytes });
    const recent = all.filter((d) => d.day > minusDays(today, FORECAST_DAYS));
    const current = all.reduce<UsageDay | undefined>((a, d) => (!a || d.day > a.day ? d : a), undefined);
    report.tenants.push({
      tenantId: t.tenantId, quotaBytes: t.quotaBytes, storedBytes: current?.closingBytes ?? 0,
      estimatedFullAt: estimatedFullDate(recent, t.quotaBytes, today) ?? null,
    });
  }
  report.days.sort((a, b) => a.day.localeCompare(b.day) || a.tenantId.localeCompare(b.tenantId));
  return report;
}
