import { DomainError } from '../../domain/errors.js';
import type { RecoveryPointCommittedData } from '../../domain/recovery-point.js';
import type { RecoveryPointLife } from '../../domain/recovery-point-lifecycle.js';
import type { StoredEvent } from '../../events/envelope.js';
import type { AppDeps } from '../deps.js';
import { recoveryPointHandler } from '../handlers.js';
import { RECOVERY_POINTS, recoveryPointSummary, rpPrefix, summaryOf, type RecoveryPointDoc, type RecoveryPointSummary } from '../projections/recovery-point-summaries.js';
import { requireMachine } from './access.js';

/** A committed RP as the API shows it (the tenant is the caller's own, so it is left out). */
export type RecoveryPointView = RecoveryPointSummary;

export function recoveryPointView(rp: RecoveryPointCommittedData, events: readonly StoredEvent[], life?: RecoveryPointLife): RecoveryPointView {
  return recoveryPointSummary(rp, events[0]?.at ?? '', life);
}

/** From the log: consistent right after commit (its `bin` says it is in the recycle bin). 404 unless committed on this machine and not purged. */
export async function getRecoveryPoint(deps: AppDeps, tenantId: string, machineId: string, rpId: string): Promise<RecoveryPointView> {
  const { state, events } = await recoveryPointHandler.load(deps, { tenantId, rpId });
  if (state.status !== 'committed' || state.rp.machineId !== machineId || state.life?.purgedAt) {
    throw new DomainError('not-found', `machine ${machineId} has no committed recovery point ${rpId}`);
  }
  return recoveryPointView(state.rp, events, state.life);
}

/** A machine's committed RPs, oldest first (projection). */
export async function listRecoveryPoints(deps: AppDeps, tenantId: string, machineId: string): Promise<RecoveryPointSummary[]> {
  await requireMachine(deps, tenantId, machineId);
  const items = (await deps.readModels.list<RecoveryPointDoc>(RECOVERY_POINTS, { prefix: rpPrefix(tenantId, machineId) })).map(summaryOf);
  return items.sort((a, b) => a.committedAt.localeCompare(b.committedAt) || a.rpId.localeCompare(b.rpId));
}
