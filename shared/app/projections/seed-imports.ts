import type { StoredEvent } from '../../events/envelope.js';
import type { SeedImportEvent, SeedImportPhase, SeedProblem } from '../../domain/seed-import.js';
import type { ReadModels } from '../../ports/read-models.js';

/** Read model: each seed import's status (`drcore admin seed-imports`), doc id = import id. */
export interface SeedImportSummary {
  importId: string; tenantId: string; prefix: string; status: 'running' | 'completed' | 'failed';
  requestedAt: string; requestedBy: string; updatedAt: string;
  phase?: SeedImportPhase; filesDone?: number; filesTotal?: number; bytesDone?: number; bytesTotal?: number;
  seedId?: string; machineId?: string; rpIds?: string[]; storedBytes?: number;
  reason?: string; problems?: SeedProblem[];
  version: number;
}
export const SEED_IMPORTS = 'seed-imports';

export async function projectSeedImport(rm: ReadModels, stored: StoredEvent): Promise<void> {
  const e = stored as unknown as SeedImportEvent & StoredEvent;
  const id = e.data.importId;
  const doc = await rm.get<SeedImportSummary>(SEED_IMPORTS, id);
  if (doc && doc.version >= stored.version) return;
  switch (e.type) {
    case 'SeedImportRequested':
      await rm.put<SeedImportSummary>(SEED_IMPORTS, id, {
        importId: id, tenantId: e.data.tenantId, prefix: e.data.prefix, status: 'running', requestedAt: stored.at, requestedBy: e.data.requestedBy, updatedAt: stored.at, version: stored.version,
      });
      return;
    case 'SeedImportProgressed': {
      if (!doc) return;
      const { importId: _i, tenantId: _t, problems: _p, ...progress } = e.data;
      await rm.put<SeedImportSummary>(SEED_IMPORTS, id, { ...doc, ...progress, updatedAt: stored.at, version: stored.version });
      return;
    }
    case 'SeedImportCompleted':
      if (!doc) return;
      await rm.put<SeedImportSummary>(SEED_IMPORTS, id, {
        ...doc, status: 'completed', seedId: e.data.seedId, machineId: e.data.machineId, rpIds: e.data.rpIds, storedBytes: e.data.storedBytes, updatedAt: stored.at, version: stored.version,
      });
      return;
    case 'SeedImportFailed':
      if (!doc) return;
      await rm.put<SeedImportSummary>(SEED_IMPORTS, id, {
        ...doc, status: 'failed', reason: e.data.reason, problems: e.data.problems, ...(e.data.seedId ? { seedId: e.data.seedId } : {}), updatedAt: stored.at, version: stored.version,
      });
      return;
    default: { const never: never = e; throw new Error(`unknown seed import event ${JSON.stringify(never)}`); }
  }
}
