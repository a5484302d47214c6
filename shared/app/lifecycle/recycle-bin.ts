/**
 * The tenant's recycle bin (issue 11 item 4, docs/lifecycle.md): RPs that retention expired or
 * the operator deleted stay there, stored and restorable, until their bin period ends.
 *
 * - The tenant's own source core lists it and restores from it (`drcore source bin …`):
 *   `RecoveryPointRestoredFromBin` makes the RP a normal RP again, pinned so that retention
 *   keeps it. Refused (410) once the bin period is over, even before the purge has run.
 * - The operator deletes an RP with a second step, its id typed again as the confirmation:
 *   `RecoveryPointDeleted` moves it to the bin for the tenant's bin days. There is no operator
 *   route that empties the bin or shortens an RP's stay.
 */
import { DomainError } from '../../domain/errors.js';
import type { BinEntry } from '../../domain/recovery-point-lifecycle.js';
import type { VolumeInfo } from '../../domain/machine.js';
import type { AppDeps } from '../deps.js';
import { recoveryPointHandler, tenantHandler } from '../handlers.js';
import { RECOVERY_POINTS, tenantPrefix, type RecoveryPointDoc } from '../projections/recovery-point-summaries.js';
import { loadTenant } from '../replication/access.js';
import { recoveryPointView, type RecoveryPointView } from '../replication/recovery-point-views.js';

export interface BinItem {
  rpId: string; machineId: string; kind: 'base' | 'incremental'; committedAt: string; volumes: VolumeInfo[];
  /** What it added to the tenant's usage: its share of the bin's bytes. */
  addedBytes: number;
  bin: BinEntry;
}

/** The tenant's recycle bin, by when each RP leaves it (projection: may lag a moment). */
export async function listBin(deps: AppDeps, tenantId: string): Promise<BinItem[]> {
  await loadTenant(deps, tenantId);
  const docs = await deps.readModels.list<RecoveryPointDoc>(RECOVERY_POINTS, { prefix: tenantPrefix(tenantId) });
  return docs.flatMap((d) => (d.bin ? [{
    rpId: d.rpId, machineId: d.machineId, kind: d.kind, committedAt: d.committedAt, volumes: d.volumes, addedBytes: d.addedBytes, bin: d.bin,
  }] : [])).sort((a, b) => a.bin.purgeAfter.localeCompare(b.bin.purgeAfter) || a.rpId.localeCompare(b.rpId));
}

/** The tenant takes an RP back out of its bin (a suspended tenant too: it loses nothing by waiting). */
export async function restoreFromBin(deps: AppDeps, tenantId: string, rpId: string, actor: string): Promise<RecoveryPointView> {
  await loadTenant(deps, tenantId);
  const now = deps.clock().toISOString();
  const r = await recoveryPointHandler(deps, { tenantId, rpId }, { type: 'RestoreRecoveryPointFromBin', data: { tenantId, rpId, now } }, actor);
  if (r.state.status !== 'committed') throw new Error('restoring from the bin left no recovery point');
  return recoveryPointView(r.state.rp, r.events, r.state.life);
}

/** The operator's deletion: into the bin for the tenant's bin days, once `confirmRpId` repeats the rpId. */
export async function deleteRecoveryPoint(
  deps: AppDeps, tenantId: string, rpId: string, input: { confirmRpId: string; note: string }, adminSerial: string, actor: string,
): Promise<RecoveryPointView> {
  const { state: tenant } = await tenantHandler.load(deps, tenantId);
  if (tenant.status === 'none') throw new DomainError('not-found', `tenant ${tenantId} does not exist`);
  const now = deps.clock().toISOString();
  const r = await recoveryPointHandler(deps, { tenantId, rpId }, {
    type: 'DeleteRecoveryPoint', data: { tenantId, rpId, confirmRpId: input.confirmRpId, note: input.note, adminSerial, now, binDays: tenant.retention.binDays },
  }, actor);
  if (r.state.status !== 'committed') throw new Error('deleting left no recovery point');
  return recoveryPointView(r.state.rp, r.events, r.state.life);
}
