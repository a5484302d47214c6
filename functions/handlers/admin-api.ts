import { apiHandler } from '../../shared/http/api-handler.js';
import { jsonBody, queryOf } from '../../shared/http/body.js';
import { notFound } from '../../shared/http/problem.js';
import { ApproveBody, EmptyBody, EventsQuery, GcCancelBody, GcStartBody, MigrateStorageBody, QuotaBody, SuspendBody, UsageQuery, PairingListQuery, RejectBody, RevokeAnyBody, RevokeBody } from '../../shared/http/schemas/pairing.js';
import { approvePairing, ignorePairing, rejectPairing } from '../../shared/app/pairing-service.js';
import { eventsPage, listPairingRequests, listTenants, projectionDeadLetters, tenantDetail } from '../../shared/app/admin-views.js';
import { revokeAnyCertificate, revokeCertificate } from '../../shared/app/certificate-service.js';
import { migrateStorageStep } from '../../shared/app/replication/migrate-storage.js';
import { usageReport } from '../../shared/app/usage-report.js';
import { changeQuota, deleteTenant, resumeTenant, suspendTenant } from '../../shared/app/tenant-service.js';
import { verifyStep } from '../../shared/app/lifecycle/verify/verify-job.js';
import { reportStatus, requestReport } from '../../shared/app/lifecycle/verify/verification-report.js';
import { VerificationReportBody, VerifyStepBody } from '../../shared/http/schemas/verification.js';
/** One step of `drcore admin verify` within API Gateway's 29 s (the answer follows the last pack of at most 4 MiB read after it). */
const VERIFY_STEP_BUDGET_MS = 20_000;

import { changeRetention, getRetention } from '../../shared/app/lifecycle/retention-settings.js';
import { deleteRecoveryPoint } from '../../shared/app/lifecycle/recycle-bin.js';
import { DeleteRecoveryPointBody, DeleteTenantBody, RetentionBody, RetentionQuery } from '../../shared/http/schemas/lifecycle.js';
import { assertId, assertStreamId } from '../../shared/ids.js';
import { cancelGcRun, gcStatus, startGcRun } from '../../shared/app/lifecycle/gc/gc-service.js';
import { listSeedImports, requestSeedImport, seedImportStatus } from '../../shared/app/seed/seed-import-job.js';
import { SeedImportBody, SeedImportListQuery } from '../../shared/http/schemas/seed.js';
import type { AppDeps } from '../../shared/app/deps.js';
import { listRecoveryPoints } from '../../shared/app/replication/recovery-point-views.js';
import { listBin } from '../../shared/app/lifecycle/recycle-bin.js';
import { verifyLog } from '../../shared/app/verify-log.js';
import { NoQuery } from '../../shared/http/schemas/console.js';
import { replicationControlRoutes } from './replication-control-routes.js';

/** The MSP's API: review and decide pairing requests, tenants, certificates, the event log, projection dead letters, the storage migration, verification, retention, RP deletion and garbage collection. */
export const makeHandler = (deps: AppDeps) => apiHandler('admin-api', {
  ...replicationControlRoutes(deps),
  'GET /v1/admin/pairing-requests': async ({ event, reply }) => {
    const { status = 'pending' } = queryOf(event, PairingListQuery);
    return reply({ items: await listPairingRequests(deps, status) });
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
    const stream = q.stream === undefined ? undefined : assertStreamId(q.stream);
    return reply(await eventsPage(deps, { ...q, stream }));
  },
  'GET /v1/admin/projection-dead-letters': async ({ reply }) => {
    return reply({ items: await projectionDeadLetters(deps) });
  },
  'GET /v1/admin/tenants': async ({ reply }) => {
    return reply({ items: await listTenants(deps) });
  },
  'GET /v1/admin/tenants/{tenantId}': async ({ params, reply }) => {
    const tenantId = assertId('tenant id', params['tenantId']);
    const detail = await tenantDetail(deps, tenantId);
    if (!detail) throw notFound(`tenant ${tenantId} does not exist`);
    return reply(detail);
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
  'POST /v1/admin/tenants/{tenantId}/delete': async ({ event, params, caller, actor, reply }) => {
    const tenantId = assertId('tenant id', params['tenantId']);
    const { confirmTenantId, reason } = jsonBody(event, DeleteTenantBody);
    return reply(await deleteTenant(deps, tenantId, { confirmTenantId, reason }, caller.serial, actor));
  },
  'POST /v1/admin/tenants/{tenantId}/suspend': async ({ event, params, caller, actor, reply }) => {
    const tenantId = assertId('tenant id', params['tenantId']);
    const { reason } = jsonBody(event, SuspendBody);
    return reply(await suspendTenant(deps, tenantId, reason, caller.serial, actor));
  },
  'POST /v1/admin/tenants/{tenantId}/resume': async ({ event, params, caller, actor, reply }) => {
    const tenantId = assertId('tenant id', params['tenantId']);
    jsonBody(event, EmptyBody);
    return reply(await resumeTenant(deps, tenantId, caller.serial, actor));
  },
  'POST /v1/admin/tenants/{tenantId}/quota': async ({ event, params, caller, actor, reply }) => {
    const tenantId = assertId('tenant id', params['tenantId']);
    const { quotaBytes } = jsonBody(event, QuotaBody);
    return reply(await changeQuota(deps, tenantId, quotaBytes, caller.serial, actor));
  },
  'GET /v1/admin/usage': async ({ event, reply }) => {
    const q = queryOf(event, UsageQuery);
    return reply(await usageReport(deps, { from: q.from, to: q.to, tenantId: q.tenant }));
  },
  'POST /v1/admin/storage-migration': async ({ event, actor, reply }) => {
    const { after, limit = 20 } = jsonBody(event, MigrateStorageBody);
    return reply(await migrateStorageStep(deps, { after, limit }, actor));
  },
  'POST /v1/admin/verification': async ({ event, actor, reply }) => {
    const body = jsonBody(event, VerifyStepBody);
    const runId = body.runId ?? deps.newId('verify');
    return reply(await verifyStep(deps, { ...body, runId, budgetMs: VERIFY_STEP_BUDGET_MS }, actor));
  },
  'POST /v1/admin/tenants/{tenantId}/verification-reports': async ({ event, params, actor, reply }) => {
    const tenantId = assertId('tenant id', params['tenantId']);
    jsonBody(event, VerificationReportBody);
    const record = await requestReport(deps, tenantId, actor);
    return reply(record, { headers: { location: `/v1/admin/tenants/${tenantId}/verification-reports/${record.reportId}` } });
  },
  'GET /v1/admin/tenants/{tenantId}/verification-reports/{reportId}': async ({ params, reply }) => {
    const tenantId = assertId('tenant id', params['tenantId']);
    return reply(await reportStatus(deps, tenantId, assertId('report id', params['reportId'])));
  },
  'GET /v1/admin/tenants/{tenantId}/retention': async ({ event, params, reply }) => {
    const tenantId = assertId('tenant id', params['tenantId']);
    const { dryRun } = queryOf(event, RetentionQuery);
    return reply(await getRetention(deps, tenantId, { dryRun: dryRun === 'true' }));
  },
  'PUT /v1/admin/tenants/{tenantId}/retention': async ({ event, params, caller, actor, reply }) => {
    const tenantId = assertId('tenant id', params['tenantId']);
    const body = jsonBody(event, RetentionBody);
    return reply(await changeRetention(deps, tenantId, body, caller.serial, actor));
  },
  'POST /v1/admin/tenants/{tenantId}/recovery-points/{rpId}/delete': async ({ event, params, caller, actor, reply }) => {
    const tenantId = assertId('tenant id', params['tenantId']);
    const rpId = assertId('recovery point id', params['rpId']);
    const { confirmRpId, reason } = jsonBody(event, DeleteRecoveryPointBody);
    return reply(await deleteRecoveryPoint(deps, tenantId, rpId, { confirmRpId, note: reason }, caller.serial, actor));
  },
  'POST /v1/admin/tenants/{tenantId}/gc': async ({ event, params, actor, reply }) => {
    const tenantId = assertId('tenant id', params['tenantId']);
    const body = jsonBody(event, GcStartBody);
    return reply(await startGcRun(deps, tenantId, body, actor));
  },
  'GET /v1/admin/tenants/{tenantId}/gc': async ({ params, reply }) => {
    return reply(await gcStatus(deps, assertId('tenant id', params['tenantId'])));
  },
  'POST /v1/admin/tenants/{tenantId}/gc/cancel': async ({ event, params, actor, reply }) => {
    const tenantId = assertId('tenant id', params['tenantId']);
    const { runId, reason } = jsonBody(event, GcCancelBody);
    return reply(await cancelGcRun(deps, tenantId, runId, reason, actor));
  },
  'GET /v1/admin/tenants/{tenantId}/machines/{machineId}/recovery-points': async ({ event, params, reply }) => {
    queryOf(event, NoQuery);
    const tenantId = assertId('tenant id', params['tenantId']);
    const machineId = assertId('machine id', params['machineId']);
    return reply({ items: await listRecoveryPoints(deps, tenantId, machineId) });
  },
  'GET /v1/admin/tenants/{tenantId}/recycle-bin': async ({ event, params, reply }) => {
    queryOf(event, NoQuery);
    return reply({ items: await listBin(deps, assertId('tenant id', params['tenantId'])) });
  },
  'GET /v1/admin/log-verification': async ({ event, reply }) => {
    queryOf(event, NoQuery);
    return reply(await verifyLog(deps.events));
  },
  'POST /v1/admin/seed-imports': async ({ event, actor, reply }) => {
    const { tenantId, prefix } = jsonBody(event, SeedImportBody);
    const view = await requestSeedImport(deps, { tenantId, from: prefix }, actor);
    return reply(view, { headers: { location: `/v1/admin/seed-imports/${view.importId}` } });
  },
  'GET /v1/admin/seed-imports': async ({ event, reply }) => {
    const { tenantId } = queryOf(event, SeedImportListQuery);
    return reply({ items: await listSeedImports(deps, tenantId) });
  },
  'GET /v1/admin/seed-imports/{importId}': async ({ params, reply }) => reply(await seedImportStatus(deps, assertId('import id', params['importId']))),
});
