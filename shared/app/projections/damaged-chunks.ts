import type { StoredEvent } from '../../events/envelope.js';
import type { ChunkIntegrityEvent, ChunkProblem } from '../../domain/chunk-integrity.js';
import type { ReadModels } from '../../ports/read-models.js';

/**
 * Read model: a tenant's chunks found bad (by a read or by the verify job) and whether they
 * healed since, from the chunk integrity streams; doc id `tenant/chunk`. What the operator's
 * tenant view and the source's status show (the damaged records of the OperationalStore are
 * what the data plane acts on; this is their history, rebuilt from the log).
 */
export interface DamagedChunkSummary {
  tenantId: string; chunk: string; pack: string; problem: ChunkProblem;
  /** RPs the verify job named broken by it (empty when only a read found it). */
  rps: string[];
  detectedAt: string; status: 'damaged' | 'healed'; healedAt?: string;
  version: number;
}
export const DAMAGED_CHUNKS = 'damaged-chunks';
export const damagedChunkDocId = (tenantId: string, chunk: string): string => `${tenantId}/${chunk}`;

export async function projectChunkIntegrity(rm: ReadModels, stored: StoredEvent): Promise<void> {
  const e = stored as unknown as ChunkIntegrityEvent & StoredEvent;
  const { tenantId, chunk } = e.data;
  const id = damagedChunkDocId(tenantId, chunk);
  const doc = await rm.get<DamagedChunkSummary>(DAMAGED_CHUNKS, id);
  if (doc && doc.version >= stored.version) return;
  const fresh = !doc || doc.status === 'healed';
  switch (e.type) {
    case 'ChunkCorruptionDetected':
      await rm.put<DamagedChunkSummary>(DAMAGED_CHUNKS, id, {
        tenantId, chunk, pack: e.data.pack, problem: 'corrupt', rps: fresh ? [] : doc.rps, detectedAt: fresh ? stored.at : doc.detectedAt, status: 'damaged', version: stored.version,
      });
      return;
    case 'ChunkCorrupted':
      await rm.put<DamagedChunkSummary>(DAMAGED_CHUNKS, id, {
        tenantId, chunk, pack: e.data.pack, problem: e.data.problem, rps: [...new Set([...(fresh ? [] : doc.rps), ...e.data.rps])],
        detectedAt: fresh ? stored.at : doc.detectedAt, status: 'damaged', version: stored.version,
      });
      return;
    case 'ChunkHealed':
      if (doc) await rm.put<DamagedChunkSummary>(DAMAGED_CHUNKS, id, { ...doc, status: 'healed', healedAt: stored.at, version: stored.version });
      return;
    default: { const never: never = e; throw new Error(`unknown chunk integrity event ${JSON.stringify((never as { type: unknown }).type)}`); }
  }
}
