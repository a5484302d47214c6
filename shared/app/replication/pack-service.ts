/**
 * Pack uploads and the `missing` question (DESIGN §5, docs/replication-protocol.md "Storage
 * layout 2"). A pack is verified completely before anything is stored, charged on the tenant's
 * storage counter if it is new (refused past the quota), stored as one object, then recorded
 * under the uploading rpId with its chunks' places (one upload record per pack, no object or
 * record per chunk). A pack that carries a chunk a read found corrupt heals it (damage.ts).
 * Garbage collection (../lifecycle/gc): the RP is registered for the day before its first record,
 * each record carries its time, and an upload that would count on a stored pack GC is deleting
 * is refused with a retryable 429 (condemned-packs.ts).
 */
import { PackFormatError, verifyPack, type VerifiedPack } from '../../format/index.js';
import { DomainError } from '../../domain/errors.js';
import { MAX_MISSING_BATCH } from '../../domain/recovery-point.js';
import { assertSha256 } from '../../ids.js';
import { BlobConflictError, NotFoundError } from '../../ports/errors.js';
import { commandMeta } from '../command-handler.js';
import type { AppDeps } from '../deps.js';
import { refuseIfCondemned } from '../lifecycle/gc/condemned-packs.js';
import { registerUpload } from '../lifecycle/gc/upload-registry.js';
import { requireActiveTenant, requireMachine, type ExistingTenant } from './access.js';
import { damagedChunks, healFrom } from './damage.js';
import { decodeEntries, encodeEntries, packKey } from './storage.js';
import { chargePack, releasePack } from './storage-quota.js';
import { forEachUploadRecord, getUploadRecord, putUploadRecord, uploadPage } from './upload-records.js';

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
 * that id with other bytes is a corrupt copy: it is replaced by the verified bytes.
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
  if (await isCorruptCopy(deps, key, packId)) await deps.blobs.delete(key);
  return put();
}

/** Whether the object under `key` is not the pack `packId` (a gone object is not corrupt). */
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
 * Verifies the pack; if the tenant does not store it yet, charges its size (refused past the
 * quota: nothing stored) and stores it, releasing the charge if a concurrent upload stored it
 * first; then records it under `rpId`. A repeat (same pack, same RP) changes nothing.
 */
export async function uploadPack(
  deps: AppDeps, tenantId: string, machineId: string, rpId: string, packId: string, bytes: Buffer, actor: string,
  /** Told the tenant as loaded (the route answers its bandwidth limit from it, issue 13). */
  onTenant?: (tenant: ExistingTenant) => void,
): Promise<PackReceipt> {
  assertSha256(packId);
  const tenant = await requireActiveTenant(deps, tenantId);
  onTenant?.(tenant);
  await requireMachine(deps, tenantId, machineId, true);
  const pack = verifyUpload(bytes, packId);
  const meta = commandMeta(deps, actor);
  const receipt = (created: boolean): PackReceipt => ({ packId, chunks: pack.entries.length, bytes: bytes.length, created });

  const entries = pack.entries.map((e) => ({ id: e.id, offset: e.offset, length: e.length }));
  const record = (charged: boolean) => ({ packId, machineId, bytes: bytes.length, charged, entries: encodeEntries(entries), storedAt: meta.at });
  await registerUpload(deps, tenantId, rpId, machineId);
  const stored = await deps.blobs.head(packKey(tenantId, packId));
  let created: boolean;
  if (stored === undefined) {
    await chargePack(deps, tenant.quotaBytes, { tenantId, machineId, rpId, packId }, bytes.length, meta);
    created = (await storePack(deps, tenantId, packId, bytes)).created;
    if (!created) await releasePack(deps, tenantId, packId, bytes.length, meta); // a concurrent upload stored it, and was charged
    await putUploadRecord(deps, tenantId, rpId, record(created));
  } else {
    // Stored (and charged) before: by this RP's earlier try, or another RP's. A corrupt copy is replaced.
    const known = await getUploadRecord(deps, tenantId, rpId, packId);
    await refuseIfCondemned(deps, tenantId, packId);
    created = (await storePack(deps, tenantId, packId, bytes)).created;
    // Gone since the head (GC deleted it): stored anew, so charged as any new pack.
    if (created) await chargePack(deps, tenant.quotaBytes, { tenantId, machineId, rpId, packId }, bytes.length, meta);
    if (!known) await putUploadRecord(deps, tenantId, rpId, record(created));
  }
  // Chunks a read found corrupt that this verified pack carries (in a new pack, or in the corrupt pack's replaced object).
  await healFrom(deps, tenantId, packId, entries, meta);
  return receipt(created);
}

/**
 * The ids among `chunkIds` not uploaded under this rpId yet (or found damaged since), in request
 * order, each once. Reads the RP's upload records: O(packs of the RP) per question — the source
 * asks once per run (`GET …/uploads`), this route stays for small RPs and older sources.
 */
export async function missingChunks(deps: AppDeps, tenantId: string, machineId: string, rpId: string, chunkIds: readonly string[]): Promise<string[]> {
  if (chunkIds.length > MAX_MISSING_BATCH) {
    throw new DomainError('invalid', `ask about at most ${MAX_MISSING_BATCH} chunks at a time`);
  }
  const unique = [...new Set(chunkIds.map((id) => assertSha256(id)))];
  await requireActiveTenant(deps, tenantId);
  await requireMachine(deps, tenantId, machineId, true);
  const wanted = new Set(unique);
  const present = new Set<string>();
  await forEachUploadRecord(deps, tenantId, rpId, (r) => { for (const { id } of decodeEntries(r)) if (wanted.has(id)) present.add(id); });
  const damaged = await damagedChunks(deps, tenantId);
  return unique.filter((id) => !present.has(id) || damaged.has(id));
}

/** A page of listed chunk ids at most about this many (≈ 1.1 MB of JSON), and at least one pack. */
const LISTED_CHUNKS = 16_384;

/** The packs stored under this rpId so far, with their chunk ids, by pack id (the source's resume question). */
export async function listUploads(
  deps: AppDeps, tenantId: string, machineId: string, rpId: string, after: string | undefined,
): Promise<{ packs: { packId: string; chunks: string[] }[]; next?: string }> {
  await requireMachine(deps, tenantId, machineId);
  const page = await uploadPage(deps, tenantId, rpId, after, 100);
  const packs: { packId: string; chunks: string[] }[] = [];
  let listed = 0;
  for (const r of page.records) {
    if (packs.length > 0 && listed >= LISTED_CHUNKS) return { packs, next: packs[packs.length - 1]?.packId as string };
    const chunks = decodeEntries(r).map((e) => e.id);
    packs.push({ packId: r.packId, chunks });
    listed += chunks.length;
  }
  return page.next !== undefined ? { packs, next: page.next } : { packs };
}
