import { apiHandler } from '../../shared/http/api-handler.js';
import { jsonBody, queryOf } from '../../shared/http/body.js';
import { notFound } from '../../shared/http/problem.js';
import { ApproveBody, EmptyBody, EventsQuery, PairingListQuery, RejectBody, RevokeAnyBody, RevokeBody } from '../../shared/http/schemas/pairing.js';
import { approvePairing, ignorePairing, rejectPairing } from '../../shared/app/pairing-service.js';
import { PAIRING_REQUESTS, type PairingRequestSummary } from '../../shared/app/projections/pairing-requests.js';
import { TENANTS, type TenantSummary } from '../../shared/app/projections/tenants.js';
import { CERTIFICATES, type CertificateSummary } from '../../shared/app/projections/certificates.js';
import { MACHINES, tenantPrefix, type MachineSummary } from '../../shared/app/projections/machines.js';
import { listProjectionDeadLetters } from '../../shared/app/projections/projection-dead-letters.js';
import { revokeAnyCertificate, revokeCertificate } from '../../shared/app/certificate-service.js';
import { assertId, assertStreamId } from '../../shared/ids.js';
import type { AppDeps } from '../../shared/app/deps.js';

/** The MSP's API: review and decide pairing requests, tenants, certificates, the event log, projection dead letters. */
export const makeHandler = (deps: AppDeps) => apiHandler('admin-api', {
  'GET /v1/admin/pairing-requests': async ({ event, reply }) => {
    const { status = 'pending' } = queryOf(event, PairingListQuery);
    const all = await deps.readModels.list<PairingRequestSummary>(PAIRING_REQUESTS);
    const items = all.filter((r) => status === 'all' || r.status === status).sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
    return reply({ items });
  },
  'POST /v1/admin/pairing-requests/{id}/approve': async ({ event, params, caller, actor, reply }) => {
    const id = assertId('pairing request id', params['id']);
    const body = jsonBody(event, ApproveBody);
    return reply(await approvePairing(deps, id, body, caller.serial, actor));
  },
  'POST /v1/admin/pairing-requests/{id}/reject': async ({ event, params, caller, actor, reply }) => {
    const id = assertId('pairing request id', params['id']);
    const { reason } = jsonBody(event, RejectBody);
    return reply(await rejectPairing(deps, id, reason, caller.serial, actor));
  },
  'POST /v1/admin/pairing-requests/{id}/ignore': async ({ event, params, caller, actor, reply }) => {
    const id = assertId('pairing request id', params['id']);
    jsonBody(event, EmptyBody);
    return reply(await ignorePairing(deps, id, caller.serial, actor));
  },
  'GET /v1/admin/events': async ({ event, reply }) => {
    const q = queryOf(event, EventsQuery);
    if (q.stream) {
      const events = await deps.events.readStream(assertStreamId(q.stream), q.after ? Number.parseInt(q.after, 10) || 0 : 0);
      return reply({ items: events.slice(0, q.limit ?? 1000) });
    }
    const page = await deps.events.readAll(q.after, q.limit ?? 200);
    return reply({ items: page.events, next: page.next ?? null });
  },
  'GET /v1/admin/projection-dead-letters': async ({ reply }) => {
    return reply({ items: await listProjectionDeadLetters(deps.readModels) });
  },
  'GET /v1/admin/tenants': async ({ reply }) => {
    return reply({ items: await deps.readModels.list<TenantSummary>(TENANTS) });
  },
  'GET /v1/admin/tenants/{tenantId}': async ({ params, reply }) => {
    const tenantId = assertId('tenant id', params['tenantId']);
    const rm = deps.readModels;
    const tenant = await rm.get<TenantSummary>(TENANTS, tenantId);
    if (!tenant) throw notFound(`tenant ${tenantId} does not exist`);
    const certificates = (await rm.list<CertificateSummary>(CERTIFICATES)).filter((c) => c.tenantId === tenantId);
    const machines = (await rm.list<MachineSummary>(MACHINES, { prefix: tenantPrefix(tenantId) })).map(({ version: _v, tenantId: _t, ...m }) => m);
    return reply({ ...tenant, usage: tenant.usage ?? { storedBytes: 0, byMachine: {} }, machines, certificates });
  },
  'POST /v1/admin/tenants/{tenantId}/certificates/{serial}/revoke': async ({ event, params, caller, actor, reply }) => {
    const tenantId = assertId('tenant id', params['tenantId']);
    const serial = assertId('serial', params['serial']);
    const { reason } = jsonBody(event, RevokeBody);
    return reply(await revokeCertificate(deps, tenantId, serial, reason, caller.serial, actor));
  },
  'POST /v1/admin/certificates/{serial}/revoke': async ({ event, params, caller, actor, reply }) => {
    const serial = assertId('serial', params['serial']);
    const body = jsonBody(event, RevokeAnyBody);
    return reply(await revokeAnyCertificate(deps, serial, body, caller.serial, actor));
  },
});
