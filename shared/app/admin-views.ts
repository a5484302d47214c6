/**
 * What the MSP's admin API shows, read from the read models (and the log, the operational
 * store): the review queue, tenants and a tenant's detail, a page of the event log, the
 * projection dead letters. functions/admin-api.ts parses the request, calls one of these and
 * replies with what it returns.
 */
import type { PairingStatus } from '../domain/pairing.js';
import type { StoredEvent } from '../events/envelope.js';
import type { AppDeps } from './deps.js';
import { CERTIFICATES, type CertificateSummary } from './projections/certificates.js';
import { MACHINES, type MachineSummary } from './projections/machines.js';
import { PAIRING_REQUESTS, type PairingRequestSummary } from './projections/pairing-requests.js';
import { listProjectionDeadLetters, type ProjectionDeadLetter } from './projections/projection-dead-letters.js';
import { tenantPrefix } from './projections/recovery-point-summaries.js';
import { TENANTS, type TenantSummary } from './projections/tenants.js';
import { tenantVerification, type TenantVerification } from './lifecycle/verify/verify-views.js';

/** Pairing requests with this status (or all of them), oldest first. */
export async function listPairingRequests(deps: Pick<AppDeps, 'readModels'>, status: PairingStatus | 'all'): Promise<PairingRequestSummary[]> {
  const all = await deps.readModels.list<PairingRequestSummary>(PAIRING_REQUESTS);
  return all.filter((r) => status === 'all' || r.status === status).sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
}

export async function listTenants(deps: Pick<AppDeps, 'readModels'>): Promise<TenantSummary[]> {
  return deps.readModels.list<TenantSummary>(TENANTS);
}

export type TenantDetail = TenantSummary & {
  usage: NonNullable<TenantSummary['usage']>;
  machines: Omit<MachineSummary, 'version' | 'tenantId'>[];
  certificates: CertificateSummary[];
  /** Verify states of its RPs and its damaged chunks (the verify job). */
  verification: TenantVerification;
};

/** A tenant with its usage by machine, its machines (latest RP each) and its certificates; undefined if there is no such tenant. */
export async function tenantDetail(deps: Pick<AppDeps, 'readModels'>, tenantId: string): Promise<TenantDetail | undefined> {
  const rm = deps.readModels;
  const tenant = await rm.get<TenantSummary>(TENANTS, tenantId);
  if (!tenant) return undefined;
  const certificates = (await rm.list<CertificateSummary>(CERTIFICATES)).filter((c) => c.tenantId === tenantId);
  const machines = (await rm.list<MachineSummary>(MACHINES, { prefix: tenantPrefix(tenantId) })).map(({ version: _v, tenantId: _t, ...m }) => m);
  return { ...tenant, usage: tenant.usage ?? { storedBytes: 0, byMachine: {} }, machines, certificates, verification: await tenantVerification(deps, tenantId) };
}

export interface EventsQuery {
  /** One stream (a checked stream id), else the whole log. */
  stream?: string;
  /** One stream: the version to read after (digits; anything else reads from the start). The whole log: readAll's cursor. */
  after?: string;
  limit?: number;
}

/** A page of one stream (up to `limit`, default 1000) or of the whole log (default 200, with the cursor of the next page). */
export async function eventsPage(deps: Pick<AppDeps, 'events'>, q: EventsQuery): Promise<{ items: StoredEvent[]; next?: string | null }> {
  if (q.stream) {
    const events = await deps.events.readStream(q.stream, q.after ? Number.parseInt(q.after, 10) || 0 : 0);
    return { items: events.slice(0, q.limit ?? 1000) };
  }
  const page = await deps.events.readAll(q.after, q.limit ?? 200);
  return { items: page.events, next: page.next ?? null };
}

/** Events the projector gave up on, oldest first. */
export async function projectionDeadLetters(deps: Pick<AppDeps, 'operational'>): Promise<ProjectionDeadLetter[]> {
  return listProjectionDeadLetters(deps.operational);
}
