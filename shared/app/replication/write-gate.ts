/**
 * What the operator's control of incoming replication refuses (issue 13), checked by every
 * replication write after the tenant and the machine are loaded (access.ts): a paused tenant or
 * machine gets 423 Replication Paused with the reason and a Retry-After (the source waits and
 * goes on once resumed: nothing of the refused request was stored); a tenant whose lease is over
 * gets 403 Lease Ended (its reads keep working, so the customer can take its data home).
 */
import { DomainError } from '../../domain/errors.js';
import { leaseOver } from '../../domain/replication-control.js';
import type { TenantState } from '../../domain/tenant.js';

/** How long a paused source waits before it asks again. */
export const PAUSED_RETRY_AFTER_SECONDS = 30;

type Existing = Exclude<TenantState, { status: 'none' }>;

export function refuseTenantWrites(tenantId: string, tenant: Existing, now: Date): void {
  if (leaseOver(tenant.leaseEndsAt, now)) {
    throw new DomainError('forbidden', `the lease of tenant ${tenantId} ended at ${tenant.leaseEndsAt}: replication is refused; restores keep working`,
      { reason: 'lease-ended', details: { leaseEndsAt: tenant.leaseEndsAt } });
  }
  if (tenant.pausedReason !== undefined) paused(`tenant ${tenantId}`, 'tenant', tenant.pausedReason);
}

export function refuseMachineWrites(machineId: string, pausedReason: string | undefined): void {
  if (pausedReason !== undefined) paused(`machine ${machineId}`, 'machine', pausedReason);
}

function paused(what: string, scope: 'tenant' | 'machine', reason: string): never {
  throw new DomainError('forbidden', `replication of ${what} is paused by the service provider (${reason}): wait, it goes on once resumed`, {
    reason: 'replication-paused', details: { pausedReason: reason, scope, retryAfterSeconds: PAUSED_RETRY_AFTER_SECONDS },
  });
}
