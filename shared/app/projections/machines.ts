import type { StoredEvent } from '../../events/envelope.js';
import type { MachineEvent, VolumeInfo } from '../../domain/machine.js';
import type { RpoCompliance } from '../../domain/rpo-compliance.js';
import type { ReadModels } from '../../ports/read-models.js';
import { machineStats, type MachineRpStats } from './recovery-point-summaries.js';

/** Read model: a tenant's machines with their latest RP and stored bytes (`GET /v1/machines`, admin tenant view). */
export interface MachineSummary extends MachineRpStats {
  tenantId: string; machineId: string; name: string; volumes: VolumeInfo[]; registeredAt: string; updatedAt: string;
  /** Incoming replication paused by the operator (issue 13), and the RPO job's last finding. */
  replicationPausedReason?: string; rpoCompliance?: RpoCompliance;
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
        ...(doc?.replicationPausedReason !== undefined ? { replicationPausedReason: doc.replicationPausedReason } : {}),
        ...(doc?.rpoCompliance !== undefined ? { rpoCompliance: doc.rpoCompliance } : {}),
        tenantId, machineId, name: e.data.name, volumes: e.data.volumes,
        registeredAt: doc?.registeredAt ?? stored.at, updatedAt: stored.at,
        ...(await machineStats(rm, tenantId, machineId)), version: stored.version,
      });
      return;
    case 'MachineReplicationPaused':
      if (doc) await rm.put<MachineSummary>(MACHINES, id, { ...doc, replicationPausedReason: e.data.reason, updatedAt: stored.at, version: stored.version });
      return;
    case 'MachineReplicationResumed':
      if (doc) { const { replicationPausedReason: _r, ...rest } = doc; await rm.put<MachineSummary>(MACHINES, id, { ...rest, updatedAt: stored.at, version: stored.version }); }
      return;
    case 'MachineRpoExceeded':
    case 'MachineRpoRestored':
      if (doc) await rm.put<MachineSummary>(MACHINES, id, { ...doc, rpoCompliance: e.data.compliance, version: stored.version });
      return;
    default: { const never: never = e; throw new Error(`unknown machine event ${JSON.stringify(never)}`); }
  }
}
