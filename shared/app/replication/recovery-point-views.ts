import { DomainError } from '../../domain/errors.js';
import type { RecoveryPointCommittedData } from '../../domain/recovery-point.js';
import type { StoredEvent } from '../../events/envelope.js';
import type { AppDeps } from '../deps.js';
import { recoveryPointHandler } from '../handlers.js';
import { RECOVERY_POINTS, recoveryPointSummary, rpPrefix, type RecoveryPointSummary } from '../projections/recovery-point-summaries.js';
import { requireMachine } from './access.js';

/** A committed RP as the API shows it (the tenant is the caller's own, so it is left out). */
export type RecoveryPointView = RecoveryPointSummary;

export function recoveryPointView(rp: RecoveryPointCommittedData, events: readonly StoredEvent[]): RecoveryPointView {
  return recoveryPointSummary(rp, events[0]?.at ?? '');
}

/** From the log: consistent right after commit. 404 unless committed on this machine. */
export async function getRecoveryPoint(deps: AppDeps, tenantId: string, machineId: string, rpId: string): Promise<RecoveryPointView> {
  const { state, events } = await recoveryPointHandler.load(deps, { tenantId, rpId });
  if (state.status !== 'committed' || state.rp.machineId !== machineId) {
    throw new DomainError('not-found', `machine ${machineId} has no committed recovery point ${rpId}`);
  }
  return recoveryPointView(state.rp, events);
}

/** A machine's committed RPs, oldest first (projection). */
export async function listRecoveryPoints(deps: AppDeps, tenantId: string, machineId: string): Promise<RecoveryPointSummary[]> {
  await requireMachine(deps, tenantId, machineId);
  const items = await deps.readModels.list<RecoveryPointSummary>(RECOVERY_POINTS, { prefix: rpPrefix(tenantId, machineId) });
  return items.sort((a, b) => a.committedAt.localeCompare(b.committedAt) || a.rpId.localeCompare(b.rpId));
}
