/**
 * The two facts every replication call checks first, read from the log (not a projection):
 * the caller's tenant (active for writes) and the machine (registered in that tenant).
 */
import { DomainError } from '../../domain/errors.js';
import type { MachineData } from '../../domain/machine.js';
import type { TenantState } from '../../domain/tenant.js';
import type { StoredEvent } from '../../events/envelope.js';
import type { AppDeps } from '../deps.js';
import { machineHandler, tenantHandler } from '../handlers.js';
import { refuseMachineWrites, refuseTenantWrites } from './write-gate.js';

export type ExistingTenant = Exclude<TenantState, { status: 'none' }>;

export async function loadTenant(deps: AppDeps, tenantId: string): Promise<ExistingTenant> {
  const { state } = await tenantHandler.load(deps, tenantId);
  if (state.status === 'none') throw new DomainError('forbidden', `tenant ${tenantId} does not exist`);
  return state;
}

/** Writes (register, missing, packs, commit) need an active tenant, not paused, within its lease; reads (restore) do not. */
export async function requireActiveTenant(deps: AppDeps, tenantId: string): Promise<ExistingTenant> {
  const tenant = await loadTenant(deps, tenantId);
  if (tenant.status === 'suspended') {
    const why = tenant.suspendedReason ? ` (${tenant.suspendedReason})` : '';
    throw new DomainError('forbidden', `tenant ${tenantId} is suspended${why}: replication is paused until the service provider resumes it`,
      { reason: 'tenant-suspended', details: { suspendedReason: tenant.suspendedReason ?? null } });
  }
  refuseTenantWrites(tenantId, tenant, deps.clock());
  return tenant;
}

export interface MachineRecord { machine: MachineData; events: StoredEvent[] }

/** The registered machine; for a write (`write`), one whose replication is not paused. */
export async function requireMachine(deps: AppDeps, tenantId: string, machineId: string, write = false): Promise<MachineRecord> {
  const { state, events } = await machineHandler.load(deps, { tenantId, machineId });
  if (state.status === 'none') throw new DomainError('not-found', `machine ${machineId} is not registered`);
  if (write) refuseMachineWrites(machineId, state.pausedReason);
  return { machine: state.machine, events };
}
