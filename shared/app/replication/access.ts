/**
 * The two facts every replication call checks first, read from the log (not a projection):
 * the caller's tenant (active for writes) and the machine (registered in that tenant).
 */
import { streams } from '../../ids.js';
import { DomainError } from '../../domain/decider.js';
import { machineDecider, type MachineData } from '../../domain/machine.js';
import { ReplicationRefusal } from '../../domain/recovery-point.js';
import { tenantDecider, type TenantState } from '../../domain/tenant.js';
import type { StoredEvent } from '../../events/envelope.js';
import type { AppDeps } from '../deps.js';
import { loadState } from '../command-handler.js';

export type ExistingTenant = Exclude<TenantState, { status: 'none' }>;

export async function loadTenant(deps: AppDeps, tenantId: string): Promise<ExistingTenant> {
  const { state } = await loadState(deps.events, streams.tenant(tenantId), tenantDecider);
  if (state.status === 'none') throw new DomainError('forbidden', `tenant ${tenantId} does not exist`);
  return state;
}

/** Writes (register, missing, packs, commit) need an active tenant; reads (restore) do not. */
export async function requireActiveTenant(deps: AppDeps, tenantId: string): Promise<ExistingTenant> {
  const tenant = await loadTenant(deps, tenantId);
  if (tenant.status === 'suspended') {
    throw new ReplicationRefusal('forbidden', 'tenant-suspended', `tenant ${tenantId} is suspended: replication is paused until the service provider resumes it`);
  }
  return tenant;
}

export interface MachineRecord { machine: MachineData; events: StoredEvent[] }

export async function requireMachine(deps: AppDeps, tenantId: string, machineId: string): Promise<MachineRecord> {
  const { state, events } = await loadState(deps.events, streams.machine(tenantId, machineId), machineDecider);
  if (state.status === 'none') throw new DomainError('not-found', `machine ${machineId} is not registered`);
  return { machine: state.machine, events };
}
