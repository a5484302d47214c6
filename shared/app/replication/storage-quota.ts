/**
 * The tenant's storage counter at pack upload (DESIGN §5 "Quota", docs/replication-protocol.md
 * "Usage and quota"): a pack is charged its stored size before it is stored, and released when
 * the upload finds the pack already stored by a concurrent one, so every stored pack counts
 * once. The counter is the aggregate `storage:<tenantId>` (shared/domain/storage.ts): an
 * optimistic append, so concurrent uploads re-decide on each other's totals and never overshoot
 * the quota; its state is cached per process, so a charge reads only the events since.
 */
import type { StorageState } from '../../domain/storage.js';
import type { AppDeps } from '../deps.js';
import type { CommandMeta } from '../command-handler.js';
import { storageHandler } from '../handlers.js';

/** Every upload of a tenant appends to one stream: under many parallel uploads a decision may need many tries. */
const CHARGE_ATTEMPTS = 64;

export interface PackAt { tenantId: string; machineId: string; rpId: string; packId: string }

/** Charges the pack's stored bytes, or refuses with quota-exceeded (nothing charged). */
export async function chargePack(deps: Pick<AppDeps, 'events'>, quotaBytes: number, at: PackAt, bytes: number, meta: CommandMeta): Promise<void> {
  await storageHandler(deps, at.tenantId, { type: 'ChargeStorage', data: { ...at, bytes }, quotaBytes }, meta, { attempts: CHARGE_ATTEMPTS });
}

/** Gives a pack's charge back (a concurrent upload stored the same pack first and was charged for it). */
export async function releasePack(deps: Pick<AppDeps, 'events'>, tenantId: string, packId: string, bytes: number, meta: CommandMeta): Promise<void> {
  await storageHandler(deps, tenantId, { type: 'ReleaseStorage', data: { tenantId, packId, bytes } }, meta, { attempts: CHARGE_ATTEMPTS });
}

/** The tenant's storage counter as the log holds it now. */
export async function storageUsage(deps: Pick<AppDeps, 'events'>, tenantId: string): Promise<StorageState> {
  return (await storageHandler.load(deps, tenantId)).state;
}
