import { enc, getJson, send } from '../api.js';
import type { Tone } from '../components/status.js';
import { bytes } from '../format.js';
import type { GcStatus, LagReport, MachineLag, ReplicationControl, SeedImport, Tenant } from '../types.js';

/**
 * Continuous replication (issue 13), seed imports (issue 12) and garbage collection as the
 * console reads and drives them: GET /v1/admin/lag and /v1/admin/seed-imports, the operator's
 * pause/resume, RPO target, lease and bandwidth, and a tenant's GC runs.
 */
const t = (id: string) => `/v1/admin/tenants/${enc(id)}`;

export const lag = (tenantId?: string) => getJson<LagReport>(`/v1/admin/lag${tenantId ? `?tenant=${enc(tenantId)}` : ''}`);
export const seedImports = (tenantId?: string) => getJson<{ items: SeedImport[] }>(`/v1/admin/seed-imports${tenantId ? `?tenantId=${enc(tenantId)}` : ''}`).then((r) => r.items);

export type Health = 'online' | 'paused' | 'error' | 'offline';
/** The status colours of the source daemon (source/daemon/status-view.ts): green, yellow, red, grey. */
export const HEALTH_TONE: Record<Health, Tone> = { online: 'ok', paused: 'warn', error: 'bad', offline: 'off' };
export const HEALTH_COLOUR: Record<Health, string> = { online: 'green', paused: 'yellow', error: 'red', offline: 'grey' };

/**
 * A machine as the target core sees it: paused (yellow) when the operator paused it or its tenant;
 * error (red) when it is past its RPO target; offline (grey) when its tenant is suspended or
 * deleted, or it never committed an RP; online (green) otherwise.
 */
export function machineHealth(m: MachineLag, tenant: Pick<Tenant, 'status' | 'deleted'> | undefined): Health {
  if (m.paused !== null) return 'paused';
  if (m.compliance !== null && m.compliance !== 'within') return 'error';
  if (tenant?.status === 'suspended' || tenant?.deleted || m.lastCommittedAt === null) return 'offline';
  return 'online';
}

export const pastRpo = (r: LagReport) => r.items.filter((m) => m.compliance !== null && m.compliance !== 'within');

/** Seconds as an operator reads a lag or a target: 45 s, 12 min, 3.5 h, 2.1 d. */
export function duration(s: number): string {
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 86_400) return `${+(s / 3600).toFixed(1)} h`;
  return `${+(s / 86_400).toFixed(1)} d`;
}

export const pauseTenant = (id: string, reason: string) => send<ReplicationControl>('POST', `${t(id)}/replication/pause`, { reason });
export const resumeTenant = (id: string) => send<ReplicationControl>('POST', `${t(id)}/replication/resume`, {});
export const pauseMachine = (id: string, m: string, reason: string) => send<ReplicationControl>('POST', `${t(id)}/machines/${enc(m)}/replication/pause`, { reason });
export const resumeMachine = (id: string, m: string) => send<ReplicationControl>('POST', `${t(id)}/machines/${enc(m)}/replication/resume`, {});

/** Minutes typed by the operator (empty: none) → the RPO target in seconds, or null. */
export const rpoSeconds = (minutes: string | undefined): number | null => (minutes ? Math.round(Number(minutes) * 60) : null);
/** A day (YYYY-MM-DD, the end of the lease at 00:00 UTC) or an ISO time typed by the operator; empty: no end. */
export function leaseEnd(v: string | undefined): string | null {
  const s = (v ?? '').trim();
  if (!s) return null;
  return /^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s;
}
export const setRpo = (id: string, minutes: string | undefined) => send<ReplicationControl>('PUT', `${t(id)}/rpo`, { rpoTargetSeconds: rpoSeconds(minutes) });
export const setLease = (id: string, v: string | undefined) => send<ReplicationControl>('PUT', `${t(id)}/lease`, { leaseEndsAt: leaseEnd(v) });
/** MiB/s typed by the operator (empty: no limit). */
export const setBandwidth = (id: string, mibPerSecond: string | undefined) =>
  send<ReplicationControl>('PUT', `${t(id)}/bandwidth`, { bytesPerSecond: mibPerSecond ? Math.round(Number(mibPerSecond) * 1024 * 1024) : null });

export const deleteTenant = (id: string, confirmTenantId: string, reason: string) => send<unknown>('POST', `${t(id)}/delete`, { confirmTenantId, reason });

export const gcStatus = (id: string) => getJson<GcStatus>(`${t(id)}/gc`);
export const startGc = (id: string, dryRun: boolean) => send<{ tenantId: string; runId: string }>('POST', `${t(id)}/gc`, { dryRun });

/** What a GC run freed (freedBytes in freedPacks) or, a dry run, would free (its dead packs: deadBytes in deadPacks). */
export function gcFreed(counters: Record<string, number>, dryRun: boolean): string {
  const [b, p] = dryRun ? ['deadBytes', 'deadPacks'] : ['freedBytes', 'freedPacks'];
  return `${dryRun ? 'would free' : 'freed'} ${bytes(counters[b] ?? 0)} in ${counters[p] ?? 0} packs`;
}
