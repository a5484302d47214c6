import { getJson } from '../api.js';
import type { DeadLetter, LagReport, PairingRequest, SeedImport, StoredEvent, Tenant, TenantDetail, UsageReport } from '../types.js';
import { lag, seedImports } from './replication.js';
import { ingestByDay, readLog } from './events.js';

export const NEAR_QUOTA = 0.8;

export function usageWindow(now = new Date(), days = 30): { from: string; to: string } {
  const to = now.toISOString().slice(0, 10);
  const from = new Date(now.getTime() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  return { from, to };
}

export interface Overview {
  pending: PairingRequest[];
  failedPairings: PairingRequest[];
  tenants: Tenant[];
  usage: UsageReport;
  details: TenantDetail[];
  deadLetters: DeadLetter[];
  ingest: Array<{ day: string; rps: number; bytes: number }>;
  logCapped: boolean;
  failures: StoredEvent[];
}

/** Replication lag per machine (GET /v1/admin/lag) and the seed imports (GET /v1/admin/seed-imports). */
export async function loadReplication(): Promise<{ lag: LagReport; seedImports: SeedImport[] }> {
  const [l, s] = await Promise.all([lag(), seedImports()]);
  return { lag: l, seedImports: s };
}

/** Everything the overview shows, read from the admin API (nothing made up). */
export async function loadOverview(): Promise<Overview> {
  const w = usageWindow();
  const [pending, all, tenants, usage, deadLetters, log] = await Promise.all([
    getJson<{ items: PairingRequest[] }>('/v1/admin/pairing-requests?status=pending'),
    getJson<{ items: PairingRequest[] }>('/v1/admin/pairing-requests?status=failed'),
    getJson<{ items: Tenant[] }>('/v1/admin/tenants'),
    getJson<UsageReport>(`/v1/admin/usage?from=${w.from}&to=${w.to}`),
    getJson<{ items: DeadLetter[] }>('/v1/admin/projection-dead-letters'),
    readLog(),
  ]);
  const details = await Promise.all(tenants.items.map((t) => getJson<TenantDetail>(`/v1/admin/tenants/${encodeURIComponent(t.tenantId)}`)));
  const failures = log.events.filter((e) => FAILURE_EVENTS.has(e.type));
  return {
    pending: pending.items, failedPairings: all.items, tenants: tenants.items, usage, details, deadLetters: deadLetters.items,
    ingest: ingestByDay(log.events), logCapped: log.capped, failures,
  };
}

/** Events that mean a job failed or found damage. */
export const FAILURE_EVENTS = new Set(['ChunkCorrupted', 'VerificationReportFailed', 'PairingCertificateFailed', 'CertificateRenewalFailed', 'SeedImportFailed']);
