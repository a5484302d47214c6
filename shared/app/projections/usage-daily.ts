/**
 * Read model: each tenant's stored bytes per UTC day — the day's high-water mark and where the
 * day closed — from the storage counter's events (they carry the total after them). Billing
 * exports and the "estimated full" forecast read it (../usage-report.ts). Idempotent under
 * redelivery: the high-water mark is a max, the closing figure is the highest version's.
 */
import type { StoredEvent } from '../../events/envelope.js';
import type { StorageEvent } from '../../domain/storage.js';
import type { ReadModels } from '../../ports/read-models.js';

export const USAGE_DAILY = 'usage-daily';

export interface UsageDay {
  tenantId: string;
  /** YYYY-MM-DD (UTC). */
  day: string;
  /** The most the tenant stored that day. */
  storedBytes: number;
  /** What it stored at the day's last event, and that event's version. */
  closingBytes: number;
  version: number;
}

export const usageDayId = (tenantId: string, day: string): string => `${tenantId}/${day}`;

export async function projectUsageDaily(rm: ReadModels, stored: StoredEvent): Promise<void> {
  const e = stored as unknown as StorageEvent & StoredEvent;
  if (e.type === 'StorageQuotaWarning') return;
  const usedBytes = e.data.usedBytes;
  if (typeof usedBytes !== 'number') return; // an event of before the carried total: no figure to record
  const day = stored.at.slice(0, 10);
  const id = usageDayId(e.data.tenantId, day);
  const doc = await rm.get<UsageDay>(USAGE_DAILY, id);
  const later = !doc || stored.version > doc.version;
  const next: UsageDay = {
    tenantId: e.data.tenantId, day,
    storedBytes: Math.max(doc?.storedBytes ?? 0, usedBytes),
    closingBytes: later ? usedBytes : (doc as UsageDay).closingBytes,
    version: later ? stored.version : (doc as UsageDay).version,
  };
  if (!doc || next.storedBytes !== doc.storedBytes || next.version !== doc.version) await rm.put(USAGE_DAILY, id, next);
}

/**
 * Read model: each tenant's logical bytes (Σ of its kept RPs' volume sizes: before dedup and
 * compression) and recycle-bin bytes per UTC day — the day's high-water marks and the last
 * figures projected — from the RP events (recovery-points.ts, after it recomputed the tenant's
 * usage). Idempotent: the marks are maxima, and the closing figures are recomputed from the
 * whole RP read model each time.
 */
export const USAGE_DAILY_RPS = 'usage-daily-rps';

export interface UsageRpDay {
  tenantId: string;
  day: string;
  logicalBytes: number;
  binBytes: number;
  closingLogicalBytes: number;
  closingBinBytes: number;
}

export async function projectUsageRpDay(rm: ReadModels, tenantId: string, at: string, usage: { logicalBytes?: number; binBytes?: number }): Promise<void> {
  const day = at.slice(0, 10);
  const id = usageDayId(tenantId, day);
  const doc = await rm.get<UsageRpDay>(USAGE_DAILY_RPS, id);
  const logical = usage.logicalBytes ?? 0;
  const bin = usage.binBytes ?? 0;
  const next: UsageRpDay = {
    tenantId, day,
    logicalBytes: Math.max(doc?.logicalBytes ?? 0, logical), binBytes: Math.max(doc?.binBytes ?? 0, bin),
    closingLogicalBytes: logical, closingBinBytes: bin,
  };
  if (!doc || JSON.stringify(doc) !== JSON.stringify(next)) await rm.put(USAGE_DAILY_RPS, id, next);
}
