/**
 * The operator's tenant commands (admin API): suspend with a reason, resume, change the quota, delete.
 * Each is one event on `tenant:<tenantId>`, with the admin certificate's serial; a suspended
 * tenant's writes are refused 403 `Tenant Suspended` naming the reason (replication/access.ts),
 * its reads (restores) keep working.
 */
import type { AppDeps } from './deps.js';
import { tenantHandler } from './handlers.js';

export interface TenantStatusView { tenantId: string; status: 'active' | 'suspended'; quotaBytes: number; suspendedReason?: string; deletedAt?: string; version: number }

async function run(deps: AppDeps, tenantId: string, command: Parameters<typeof tenantHandler>[2], actor: string): Promise<TenantStatusView> {
  const r = await tenantHandler(deps, tenantId, command, actor);
  if (r.state.status === 'none') throw new Error('a tenant command left no tenant');
  return {
    tenantId, status: r.state.status, quotaBytes: r.state.quotaBytes,
    ...(r.state.suspendedReason !== undefined ? { suspendedReason: r.state.suspendedReason } : {}),
    ...(r.state.deleted ? { deletedAt: r.state.deleted.deletedAt } : {}), version: r.version,
  };
}

export const suspendTenant = (deps: AppDeps, tenantId: string, reason: string, adminSerial: string, actor: string) =>
  run(deps, tenantId, { type: 'SuspendTenant', data: { tenantId, reason, adminSerial } }, actor);

export const resumeTenant = (deps: AppDeps, tenantId: string, adminSerial: string, actor: string) =>
  run(deps, tenantId, { type: 'ResumeTenant', data: { tenantId, adminSerial } }, actor);

export const changeQuota = (deps: AppDeps, tenantId: string, quotaBytes: number, adminSerial: string, actor: string) =>
  run(deps, tenantId, { type: 'ChangeQuota', data: { tenantId, quotaBytes, adminSerial } }, actor);

/**
 * Deletes a tenant (its id typed again as `confirmTenantId`, else 422 and nothing appended): one
 * `TenantDeleted`. The retention job then moves each of its RPs into the recycle bin and purges
 * them when the bin period ends; GC frees their packs (docs/lifecycle.md "Deleting a tenant").
 */
export const deleteTenant = (deps: AppDeps, tenantId: string, input: { confirmTenantId: string; reason: string }, adminSerial: string, actor: string) =>
  run(deps, tenantId, { type: 'DeleteTenant', data: { tenantId, confirmTenantId: input.confirmTenantId, reason: input.reason, adminSerial, deletedAt: deps.clock().toISOString() } }, actor);
