/**
 * Pack uploads and the `missing` question (DESIGN §5). A pack is verified completely before
 * anything is stored, charged on the tenant's storage counter (refused past the quota), then
 * stored as one object, then its chunks are indexed: a chunk whose record a corrupt read removed
 * (chunk-reader.ts) is indexed again, in this pack. The charge is the one event an upload
 * appends, to `storage:<tenantId>`: a tenant's parallel uploads serialize on that one stream
 * version (docs/replication-protocol.md "Usage and quota" says what that costs).
 */
import { PackFormatError, verifyPack, type PackEntry, type VerifiedPack } from '../../format/index.js';
import { DomainError } from '../../domain/errors.js';
import { MAX_MISSING_BATCH } from '../../domain/recovery-point.js';
import { assertSha256 } from '../../ids.js';
import { BlobConflictError, NotFoundError } from '../../ports/errors.js';
import { commandMeta } from '../command-handler.js';
import type { AppDeps } from '../deps.js';
import { requireActiveTenant, requireMachine } from './access.js';
import { evictPack } from './chunk-reader.js';
import { chunkKey, encodeChunkRecord, mapLimit, packKey } from './storage.js';
import { chargePack, releaseLost } from './storage-quota.js';

const IO_PARALLELISM = 16;

export interface PackReceipt { packId: string; chunks: number; bytes: number; created: boolean }

/** verifyPack (structure, every chunk's SHA-256, the pack id): each byte hashed once per digest, before anything is stored. */
export function verifyUpload(bytes: Buffer, packId: string): VerifiedPack {
  try {
    return verifyPack(bytes, packId);
  } catch (err) {
    if (err instanceof PackFormatError) throw new DomainError('invalid', `pack ${packId} refused, nothing stored: ${err.detail}`, { reason: 'invalid-pack', cause: err });
    throw err;
  }
}

/**
 * Stores the verified pack (create-once). The pack id covers every byte, so a stored object of
 * that id with other bytes is a corrupt copy (a chunk read found it, or will): it is replaced by
 * the verified bytes, and chunks whose records still point at it read right again.
 */
async function storePack(deps: AppDeps, tenantId: string, packId: string, bytes: Buffer): Promise<{ created: boolean }> {
  const key = packKey(tenantId, packId);
  // Verified above: no `sha256` option, so the store does not hash the bytes a second time.
  const put = () => deps.blobs.put(key, bytes, { contentType: 'application/octet-stream' });
  try {
    return await put();
  } catch (err) {
    if (!(err instanceof BlobConflictError)) throw err;
  }
  // A concurrent upload of the same pack may have replaced the copy meanwhile: then the put
  // below is a same-bytes no-op (or, after its delete, a create).
  if (await isCorruptCopy(deps, key, packId)) {
    await deps.blobs.delete(key);
    evictPack(deps.blobs, tenantId, packId);
  }
  return put();
}

/** Whether the object under `key` is not the pack `packId` (undefined-safe: a gone object is not corrupt). */
async function isCorruptCopy(deps: AppDeps, key: string, packId: string): Promise<boolean> {
  try {
    verifyPack(await deps.blobs.get(key), packId);
    return false;
  } catch (err) {
    if (err instanceof PackFormatError) return true;
    if (err instanceof NotFoundError) return false;
    throw err;
  }
}

/**
 * Verifies the pack, charges the tenant's storage counter the bytes of its chunks the tenant does
 * not store yet (refused past the quota: nothing stored), stores the pack, indexes its chunks,
 * and releases the charge of chunks a concurrent pack indexed first (./storage-quota.ts).
 */
export async function uploadPack(
  deps: AppDeps, tenantId: string, machineId: string, rpId: string, packId: string, bytes: Buffer, actor: string,
): Promise<PackReceipt> {
  assertSha256(packId);
  const tenant = await requireActiveTenant(deps, tenantId);
  await requireMachine(deps, tenantId, machineId);
  const pack = verifyUpload(bytes, packId);
  const meta = commandMeta(deps, actor);
  const charge = await chargePack(deps, tenant.quotaBytes, { tenantId, machineId, rpId, packId }, pack.entries, meta);
  const { created } = await storePack(deps, tenantId, packId, bytes);
  const charged = new Set(charge.charged);
  const lost: PackEntry[] = [];
  await mapLimit(pack.entries, IO_PARALLELISM, async (e) => {
    try {
      await deps.blobs.put(chunkKey(tenantId, e.id), encodeChunkRecord({ pack: packId, offset: e.offset, length: e.length, machine: machineId, rp: rpId }));
    } catch (err) {
      if (!(err instanceof BlobConflictError)) throw err; // another pack already holds this chunk: keep its record
      if (charged.has(e)) lost.push(e); // …and was charged for it: this pack's charge for it goes back
    }
  });
  await releaseLost(deps, tenantId, packId, lost, meta);
  return { packId, chunks: pack.entries.length, bytes: bytes.length, created };
}

/** The ids among `chunkIds` this tenant does not store, in request order, each once. */
export async function missingChunks(deps: AppDeps, tenantId: string, machineId: string, chunkIds: readonly string[]): Promise<string[]> {
  if (chunkIds.length > MAX_MISSING_BATCH) {
    throw new DomainError('invalid', `ask about at most ${MAX_MISSING_BATCH} chunks at a time`);
  }
  const unique = [...new Set(chunkIds.map((id) => assertSha256(id)))];
  await requireActiveTenant(deps, tenantId);
  await requireMachine(deps, tenantId, machineId);
  const present = await mapLimit(unique, IO_PARALLELISM * 2, async (id) => (await deps.blobs.head(chunkKey(tenantId, id))) !== undefined);
  return unique.filter((_, i) => !present[i]);
}
