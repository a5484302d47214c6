/**
 * The admin API's routes of the operator's control of incoming replication (issue 13): pause
 * and resume per tenant or machine with a reason, the lease end, the RPO target, the lag report.
 * Spread into the admin-api handler (functions/handlers/admin-api.ts).
 */
import type { RouteHandler } from '../../shared/http/api-handler.js';
import { jsonBody, queryOf } from '../../shared/http/body.js';
import { EmptyBody } from '../../shared/http/schemas/pairing.js';
import { BandwidthBody, LagQuery, LeaseBody, PauseBody, RpoTargetBody } from '../../shared/http/schemas/replication-control.js';
import { assertId } from '../../shared/ids.js';
import {
  changeBandwidthLimit, changeLease, changeRpoTarget, pauseMachineReplication, pauseTenantReplication, resumeMachineReplication, resumeTenantReplication,
} from '../../shared/app/replication-control-service.js';
import { lagReport } from '../../shared/app/lifecycle/rpo-lag.js';
import type { AppDeps } from '../../shared/app/deps.js';

const tenantOf = (params: Record<string, string>) => assertId('tenant id', params['tenantId']);
const machineOf = (params: Record<string, string>) => assertId('machine id', params['machineId']);

export const replicationControlRoutes = (deps: AppDeps): {
  'POST /v1/admin/tenants/{tenantId}/replication/pause': RouteHandler<'POST /v1/admin/tenants/{tenantId}/replication/pause'>;
  'POST /v1/admin/tenants/{tenantId}/replication/resume': RouteHandler<'POST /v1/admin/tenants/{tenantId}/replication/resume'>;
  'POST /v1/admin/tenants/{tenantId}/machines/{machineId}/replication/pause': RouteHandler<'POST /v1/admin/tenants/{tenantId}/machines/{machineId}/replication/pause'>;
  'POST /v1/admin/tenants/{tenantId}/machines/{machineId}/replication/resume': RouteHandler<'POST /v1/admin/tenants/{tenantId}/machines/{machineId}/replication/resume'>;
  'PUT /v1/admin/tenants/{tenantId}/lease': RouteHandler<'PUT /v1/admin/tenants/{tenantId}/lease'>;
  'PUT /v1/admin/tenants/{tenantId}/rpo': RouteHandler<'PUT /v1/admin/tenants/{tenantId}/rpo'>;
  'PUT /v1/admin/tenants/{tenantId}/bandwidth': RouteHandler<'PUT /v1/admin/tenants/{tenantId}/bandwidth'>;
  'GET /v1/admin/lag': RouteHandler<'GET /v1/admin/lag'>;
} => ({
  'PUT /v1/admin/tenants/{tenantId}/bandwidth': async ({ event, params, caller, actor, reply }) => {
    const tenantId = tenantOf(params);
    const { bytesPerSecond } = jsonBody(event, BandwidthBody);
    return reply(await changeBandwidthLimit(deps, tenantId, bytesPerSecond, caller.serial, actor));
  },
  'POST /v1/admin/tenants/{tenantId}/replication/pause': async ({ event, params, caller, actor, reply }) => {
    const tenantId = tenantOf(params);
    const { reason } = jsonBody(event, PauseBody);
    return reply(await pauseTenantReplication(deps, tenantId, reason, caller.serial, actor));
  },
  'POST /v1/admin/tenants/{tenantId}/replication/resume': async ({ event, params, caller, actor, reply }) => {
    const tenantId = tenantOf(params);
    jsonBody(event, EmptyBody);
    return reply(await resumeTenantReplication(deps, tenantId, caller.serial, actor));
  },
  'POST /v1/admin/tenants/{tenantId}/machines/{machineId}/replication/pause': async ({ event, params, caller, actor, reply }) => {
    const tenantId = tenantOf(params);
    const machineId = machineOf(params);
    const { reason } = jsonBody(event, PauseBody);
    return reply(await pauseMachineReplication(deps, tenantId, machineId, reason, caller.serial, actor));
  },
  'POST /v1/admin/tenants/{tenantId}/machines/{machineId}/replication/resume': async ({ event, params, caller, actor, reply }) => {
    const tenantId = tenantOf(params);
    const machineId = machineOf(params);
    jsonBody(event, EmptyBody);
    return reply(await resumeMachineReplication(deps, tenantId, machineId, caller.serial, actor));
  },
  'PUT /v1/admin/tenants/{tenantId}/lease': async ({ event, params, caller, actor, reply }) => {
    const tenantId = tenantOf(params);
    const { leaseEndsAt } = jsonBody(event, LeaseBody);
    return reply(await changeLease(deps, tenantId, leaseEndsAt, caller.serial, actor));
  },
  'PUT /v1/admin/tenants/{tenantId}/rpo': async ({ event, params, caller, actor, reply }) => {
    const tenantId = tenantOf(params);
    const { rpoTargetSeconds } = jsonBody(event, RpoTargetBody);
    return reply(await changeRpoTarget(deps, tenantId, rpoTargetSeconds, caller.serial, actor));
  },
  'GET /v1/admin/lag': async ({ event, reply }) => {
    const { tenant } = queryOf(event, LagQuery);
    return reply(await lagReport(deps, tenant === undefined ? undefined : assertId('tenant id', tenant)));
  },
});
