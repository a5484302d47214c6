/**
 * Writes a recovery point's index (shared/format/rp-index.ts) as its parts, before the event
 * that makes them readable (commit's `RecoveryPointCommitted`, migration's `RecoveryPointIndexed`,
 * a roll-up's `RecoveryPointRolledUp`: generation > 0, docs/lifecycle.md).
 */
import type { RpIndexRef } from '../../domain/recovery-point.js';
import { encodeRpIndex, type IndexEntry } from '../../format/rp-index.js';
import { BlobConflictError } from '../../ports/errors.js';
import type { AppDeps } from '../deps.js';
import { mapLimit, rpIndexKey } from './storage.js';

const PUT_PARALLELISM = 4;

/**
 * Writes the parts (create-once). Until the event nothing reads them, so a part left by an
 * earlier try with other content (the RP's uploads changed in between) is replaced.
 */
export async function writeIndex(deps: Pick<AppDeps, 'blobs'>, tenantId: string, rpId: string, entries: readonly IndexEntry[], generation = 0): Promise<RpIndexRef> {
  const parts = encodeRpIndex(entries);
  await mapLimit(parts, PUT_PARALLELISM, async ({ bytes }, n) => {
    const key = rpIndexKey(tenantId, rpId, n, generation);
    try {
      await deps.blobs.put(key, bytes, { contentType: 'application/octet-stream' });
    } catch (err) {
      if (!(err instanceof BlobConflictError)) throw err;
      await deps.blobs.delete(key);
      await deps.blobs.put(key, bytes, { contentType: 'application/octet-stream' });
    }
  });
  const firstChunks = parts.map((p) => p.firstChunk);
  return generation === 0 ? { firstChunks } : { firstChunks, generation };
}
