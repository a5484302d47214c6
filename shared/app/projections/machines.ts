import type { StoredEvent } from '../../events/envelope.js';
import type { MachineEvent, VolumeInfo } from '../../domain/machine.js';
import type { ReadModels } from '../../ports/read-models.js';
import { machineStats, type MachineRpStats } from './recovery-point-summaries.js';

/** Read model: a tenant's machines with their latest RP and stored bytes (`GET /v1/machines`, admin tenant view). */
export interface MachineSummary extends MachineRpStats {
  tenantId: string; machineId: string; name: string; volumes: VolumeInfo[]; registeredAt: string; updatedAt: string;
  /** Version of the machine stream last applied. */
  version: number;
}
export const MACHINES = 'machines';

export const machineDocId = (tenantId: string, machineId: string): string => `${tenantId}/${machineId}`;

export async function projectMachine(rm: ReadModels, stored: StoredEvent): Promise<void> {
  const e = stored as unknown as MachineEvent & StoredEvent;
  const { tenantId, machineId } = e.data;
  const id = machineDocId(tenantId, machineId);
  const doc = await rm.get<MachineSummary>(MACHINES, id);
  if (doc && doc.version >= stored.version) return;
  switch (e.type) {
    case 'MachineRegistered':
    case 'MachineUpdated':
      await rm.put<MachineSummary>(MACHINES, id, {
        tenantId, machineId, name: e.data.name, volumes: e.data.volumes,
        registeredAt: doc?.registeredAt ?? stored.at, updatedAt: stored.at,
        ...(await machineStats(rm, tenantId, machineId)), version: stored.version,
      });
      return;
    default: { const never: never = e; throw new Error(`unknown machine event ${JSON.stringify(never)}`); }
  }
}
