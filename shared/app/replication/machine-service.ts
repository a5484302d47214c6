import type { MachineData, VolumeInfo } from '../../domain/machine.js';
import type { StoredEvent } from '../../events/envelope.js';
import type { AppDeps } from '../deps.js';
import { machineHandler } from '../handlers.js';
import { MACHINES, machineDocId, type MachineSummary } from '../projections/machines.js';
import { requireActiveTenant, requireMachine } from './access.js';

export interface MachineView {
  machineId: string; name: string; volumes: VolumeInfo[]; registeredAt: string; updatedAt: string;
}

export function machineView(machine: MachineData, events: readonly StoredEvent[]): MachineView {
  return {
    machineId: machine.machineId, name: machine.name, volumes: machine.volumes,
    registeredAt: events[0]?.at ?? '', updatedAt: events.at(-1)?.at ?? '',
  };
}

/** `PUT /v1/machines/{machineId}`: registers, or replaces the description (idempotent). */
export async function registerMachine(
  deps: AppDeps, tenantId: string, machineId: string, input: { name?: string | undefined; volumes?: VolumeInfo[] | undefined }, actor: string,
): Promise<{ view: MachineView; created: boolean }> {
  await requireActiveTenant(deps, tenantId);
  const data: MachineData = { tenantId, machineId, name: input.name ?? machineId, volumes: input.volumes ?? [] };
  const result = await machineHandler(deps, { tenantId, machineId }, { type: 'RegisterMachine', data }, actor);
  if (result.state.status === 'none') throw new Error('registering left no machine');
  const created = result.appended.some((e) => e.type === 'MachineRegistered');
  return { view: machineView(result.state.machine, result.events), created };
}

export async function getMachine(deps: AppDeps, tenantId: string, machineId: string): Promise<MachineView> {
  const { machine, events } = await requireMachine(deps, tenantId, machineId);
  return machineView(machine, events);
}

/** The tenant's machines with their latest RP (projection). */
export async function listMachines(deps: AppDeps, tenantId: string): Promise<MachineSummary[]> {
  return deps.readModels.list<MachineSummary>(MACHINES, { prefix: machineDocId(tenantId, '') });
}
