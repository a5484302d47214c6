import type { StoredEvent } from '../../events/envelope.js';
import type { MachineEvent, VolumeInfo } from '../../domain/machine.js';
import type { RecoveryPointKind } from '../../domain/recovery-point.js';
import type { ReadModels } from '../../ports/read-models.js';
import { RECOVERY_POINTS, rpPrefix, type RecoveryPointSummary } from './recovery-points.js';

/** Read model: a tenant's machines with their latest RP and stored bytes (`GET /v1/machines`, admin tenant view). */
export interface MachineSummary {
  tenantId: string; machineId: string; name: string; volumes: VolumeInfo[]; registeredAt: string; updatedAt: string;
  rpCount: number; storedBytes: number;
  latestRp: { rpId: string; kind: RecoveryPointKind; committedAt: string; manifest: string } | null;
  /** Version of the machine stream last applied. */
  version: number;
}
export const MACHINES = 'machines';

export const tenantPrefix = (tenantId: string): string => `${tenantId}/`;
export const machineDocId = (tenantId: string, machineId: string): string => `${tenantId}/${machineId}`;

/** The RP-derived fields of a machine, recomputed from the RP documents (idempotent, order-independent). */
export async function machineStats(rm: ReadModels, tenantId: string, machineId: string): Promise<Pick<MachineSummary, 'rpCount' | 'storedBytes' | 'latestRp'>> {
  const rps = await rm.list<RecoveryPointSummary>(RECOVERY_POINTS, { prefix: rpPrefix(tenantId, machineId) });
  let latest: RecoveryPointSummary | undefined;
  let storedBytes = 0;
  for (const rp of rps) {
    storedBytes += rp.addedBytes;
    if (!latest || rp.committedAt > latest.committedAt || (rp.committedAt === latest.committedAt && rp.rpId > latest.rpId)) latest = rp;
  }
  return {
    rpCount: rps.length, storedBytes,
    latestRp: latest ? { rpId: latest.rpId, kind: latest.kind, committedAt: latest.committedAt, manifest: latest.manifest } : null,
  };
}

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
