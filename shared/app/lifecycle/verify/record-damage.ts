/**
 * A bad chunk the verify job found: `ChunkCorrupted` on the chunk's integrity stream (naming
 * the RPs it breaks), then the damaged record that `missing`, uploads and the source's
 * damaged-extents question read — the same record a read's finding makes (chunk-reader.ts),
 * so the next pack that carries the chunk heals it (damage.ts). Event first: a failed append
 * leaves no record, and the next run finds the chunk again.
 */
import type { ChunkProblem } from '../../../domain/chunk-integrity.js';
import type { ChunkLocation } from '../../../format/rp-index.js';
import type { CommandMeta } from '../../command-handler.js';
import type { AppDeps } from '../../deps.js';
import { chunkIntegrityHandler } from '../../handlers.js';
import { damagedCollection, relocatedCollection, type DamagedRecord } from '../../replication/damage.js';

export interface Finding {
  readonly chunk: string;
  readonly location: ChunkLocation;
  readonly problem: ChunkProblem;
  readonly actualSha256?: string;
}

export async function recordDamage(
  deps: Pick<AppDeps, 'events' | 'operational'>, tenantId: string, f: Finding, holder: { rpId: string; rps: readonly string[] }, runId: string, meta: CommandMeta,
): Promise<boolean> {
  const { pack, offset, length } = f.location;
  const result = await chunkIntegrityHandler(deps, { tenantId, chunkId: f.chunk }, {
    type: 'RecordChunkCorrupted',
    data: {
      tenantId, chunk: f.chunk, pack, offset, length, problem: f.problem, ...(f.actualSha256 !== undefined ? { actualSha256: f.actualSha256 } : {}),
      rpId: holder.rpId, rps: [...holder.rps], runId,
    },
  }, meta);
  const record: DamagedRecord = { chunk: f.chunk, pack, offset, length };
  await deps.operational.put(damagedCollection(tenantId), f.chunk, record);
  await deps.operational.delete(relocatedCollection(tenantId), f.chunk);
  return result.appended.length > 0;
}
