/**
 * A committed RP's manifest, read through the RP's own index (its root and parts are chunks it
 * uploaded), every chunk verified by the chunk reader. For the verify job's questions about
 * extents: which extents use a damaged chunk, and which later RPs still resolve through it.
 * A manifest chunk that is corrupt, gone with its pack, or malformed makes it ManifestUnreadable.
 */
import { DomainError } from '../../../domain/errors.js';
import type { RecoveryPointCommittedData } from '../../../domain/recovery-point.js';
import { FormatError, ManifestReader } from '../../../format/index.js';
import { NotFoundError } from '../../../ports/errors.js';
import type { AppDeps } from '../../deps.js';
import { readLocated } from '../../replication/chunk-reader.js';
import { locate } from '../../replication/rp-chunks.js';

/** The RP's manifest cannot be read: a root or part chunk is damaged, missing or malformed. */
export class ManifestUnreadable extends Error {
  constructor(readonly rpId: string, message: string, options?: { cause?: unknown }) {
    super(`the manifest of ${rpId} cannot be read: ${message}`, options);
  }
}

/** Turns what a manifest read throws on damage into ManifestUnreadable (anything else passes). */
export async function manifestRead<T>(rpId: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof ManifestUnreadable) throw err;
    if (err instanceof FormatError) throw new ManifestUnreadable(rpId, err.detail, { cause: err });
    if (err instanceof NotFoundError) throw new ManifestUnreadable(rpId, `a pack of it is gone (${err.message})`, { cause: err });
    if (err instanceof DomainError && (err.reason === 'stored-chunk-corrupt' || err.code === 'not-found')) throw new ManifestUnreadable(rpId, err.message, { cause: err });
    throw err;
  }
}

/** A reader of `rp`'s manifest; reads throw ManifestUnreadable when its chunks are damaged (wrap them in manifestRead). */
export async function openManifest(deps: AppDeps, tenantId: string, rp: RecoveryPointCommittedData, actor: string): Promise<ManifestReader> {
  const getChunk = async (id: string): Promise<Buffer> => {
    const location = await locate(deps, tenantId, [rp], id);
    if (!location) throw new ManifestUnreadable(rp.rpId, `chunk ${id} is not in its index`);
    return (await readLocated(deps, tenantId, [{ id, location }], actor))[0] as Buffer;
  };
  return manifestRead(rp.rpId, async () => ManifestReader.open(await getChunk(rp.manifest), getChunk, { cacheParts: 2 }));
}
