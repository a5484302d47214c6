/**
 * The tenant's storage counter at pack upload (DESIGN §5 "Quota", docs/replication-protocol.md
 * "Usage and quota"): a pack is charged its stored size before it is stored, and released when
 * the upload finds the pack already stored by a concurrent one, so every stored pack counts
 * once. The counter is the aggregate `storage:<tenantId>` (shared/domain/storage.ts): an
 * optimistic append, so concurrent uploads re-decide on each other's totals and never overshoot
 * the quota; its state is cached per process, so a charge reads only the events since.
 */
import type { StorageQuotaWarningData, StorageState } from '../../domain/storage.js';
import { logger } from '../../runtime/logger.js';
import type { AppDeps } from '../deps.js';
import type { CommandMeta } from '../command-handler.js';
import { storageHandler } from '../handlers.js';

/** Every upload of a tenant appends to one stream: under many parallel uploads a decision may need many tries. */
const CHARGE_ATTEMPTS = 64;

export interface PackAt { tenantId: string; machineId: string; rpId: string; packId: string }

/**
 * Charges the pack's stored bytes, or refuses with quota-exceeded (nothing charged). A charge
 * that crosses a soft warning level (80 %, 90 %) appends `StorageQuotaWarning` with it, and the
 * operator is notified (best effort: the event is the record, a failed notification is logged).
 */
export async function chargePack(deps: Pick<AppDeps, 'events' | 'notifier'>, quotaBytes: number, at: PackAt, bytes: number, meta: CommandMeta): Promise<void> {
  const result = await storageHandler(deps, at.tenantId, { type: 'ChargeStorage', data: { ...at, bytes }, quotaBytes }, meta, { attempts: CHARGE_ATTEMPTS });
  for (const e of result.appended) {
    if (e.type !== 'StorageQuotaWarning') continue;
    const w = e.data as StorageQuotaWarningData;
    try {
      await deps.notifier.notify({
        id: `quota-warning-${w.tenantId}-${e.version}`, at: meta.at, kind: 'quota-warning',
        subject: `Tenant ${w.tenantId} passed ${w.level} % of its quota`,
        body: `Tenant ${w.tenantId} stores ${w.usedBytes} of its ${w.quotaBytes} bytes (${w.level} % warning level). Uploads past the quota are refused. See drcore admin tenant ${w.tenantId}; raise it with the quota API.`,
      });
    } catch (err) {
      logger.warn('quota warning notification failed (the StorageQuotaWarning event is recorded)', { tenantId: w.tenantId, error: err as Error });
    }
  }
}

/** Gives a pack's charge back (a concurrent upload stored the same pack first and was charged for it). */
export async function releasePack(deps: Pick<AppDeps, 'events'>, tenantId: string, packId: string, bytes: number, meta: CommandMeta): Promise<void> {
  await storageHandler(deps, tenantId, { type: 'ReleaseStorage', data: { tenantId, packId, bytes } }, meta, { attempts: CHARGE_ATTEMPTS });
}

/** The tenant's storage counter as the log holds it now. */
export async function storageUsage(deps: Pick<AppDeps, 'events'>, tenantId: string): Promise<StorageState> {
  return (await storageHandler.load(deps, tenantId)).state;
}
