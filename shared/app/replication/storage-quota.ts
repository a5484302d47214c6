/**
 * The tenant's storage counter at pack upload (DESIGN §5 "Quota", docs/replication-protocol.md
 * "Usage and quota"): a pack is charged, before it is stored, the bytes of its chunks the tenant
 * does not store yet; after its chunks are indexed, the chunks another pack indexed first in the
 * meantime are released, so every stored chunk counts once. The counter is the aggregate
 * `storage:<tenantId>` (shared/domain/storage.ts): an optimistic append, so concurrent uploads
 * re-decide on each other's totals and never overshoot the quota.
 */
import type { PackEntry } from '../../format/index.js';
import type { StorageState } from '../../domain/storage.js';
import type { AppDeps } from '../deps.js';
import type { CommandMeta } from '../command-handler.js';
import { storageHandler } from '../handlers.js';
import { chunkKey, mapLimit } from './storage.js';

const IO_PARALLELISM = 16;
/** Every upload of a tenant appends to one stream: under many parallel uploads a decision may need many tries. */
const CHARGE_ATTEMPTS = 64;

export interface PackCharge {
  /** The entries charged (new to the tenant when the upload looked); empty for a repeat. */
  readonly charged: readonly PackEntry[];
  /** Whether this call appended the charge (false: the pack was charged by an earlier try). */
  readonly appended: boolean;
}

/** The entries whose chunk this tenant does not store (no chunk record), each once. */
export async function newEntries(deps: AppDeps, tenantId: string, entries: readonly PackEntry[]): Promise<PackEntry[]> {
  const present = await mapLimit(entries, IO_PARALLELISM, async (e) => (await deps.blobs.head(chunkKey(tenantId, e.id))) !== undefined);
  return entries.filter((_, i) => !present[i]);
}

/** Charges the pack its new chunks' bytes, or refuses with quota-exceeded (nothing charged). */
export async function chargePack(
  deps: AppDeps, quotaBytes: number, at: { tenantId: string; machineId: string; rpId: string; packId: string }, entries: readonly PackEntry[], meta: CommandMeta,
): Promise<PackCharge> {
  const fresh = await newEntries(deps, at.tenantId, entries);
  const bytes = fresh.reduce((n, e) => n + e.length, 0);
  const result = await storageHandler(deps, at.tenantId, { type: 'ChargeStorage', data: { ...at, bytes }, quotaBytes }, meta, { attempts: CHARGE_ATTEMPTS });
  return { charged: result.appended.length > 0 ? fresh : [], appended: result.appended.length > 0 };
}

/** Releases the charged entries whose chunk record another pack wrote first (`lost`): they were counted there. */
export async function releaseLost(deps: AppDeps, tenantId: string, packId: string, lost: readonly PackEntry[], meta: CommandMeta): Promise<void> {
  const bytes = lost.reduce((n, e) => n + e.length, 0);
  if (bytes === 0) return;
  await storageHandler(deps, tenantId, { type: 'ReleaseStorage', data: { tenantId, packId, bytes } }, meta, { attempts: CHARGE_ATTEMPTS });
}

/** The tenant's storage counter as the log holds it now. */
export async function storageUsage(deps: AppDeps, tenantId: string): Promise<StorageState> {
  return (await storageHandler.load(deps, tenantId)).state;
}
