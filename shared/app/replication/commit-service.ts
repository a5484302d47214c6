/**
 * Commit (DESIGN §5): check the manifest and every chunk it references, the parent and the
 * quota (on the tenant's storage counter, ./storage-quota.ts), write the RP's index, then append
 * one `RecoveryPointCommitted` (naming the index's parts) to `rp:<tenantId>:<rpId>` at version 0.
 * A repeat of a committed RP with the same content returns it unchanged.
 */
import type { VolumeInfo } from '../../domain/machine.js';
import {
  checkCommit, recoveryPointDecider, type CommitRecoveryPoint, type ParentFacts, type RecoveryPointCommittedData, type RecoveryPointKind, type RecoveryPointSnapshot,
} from '../../domain/recovery-point.js';
import type { AppDeps } from '../deps.js';
import { recoveryPointHandler } from '../handlers.js';
import { requireActiveTenant, requireMachine } from './access.js';
import { scanManifest } from './manifest-scan.js';
import { writeIndex } from './rp-index-writer.js';
import { storageUsage } from './storage-quota.js';
import { recoveryPointView, type RecoveryPointView } from './recovery-point-views.js';

export interface CommitInput {
  kind: RecoveryPointKind; parentRpId?: string | undefined; manifest: string; volumes: VolumeInfo[]; createdAt?: string | undefined;
  snapshot?: RecoveryPointSnapshot | undefined;
}

/** An RP in the recycle bin is still a parent until this close to its purge (far above projection lag and commit time). */
const PARENT_BIN_MARGIN_MS = 60 * 60 * 1000;

async function parentFacts(deps: AppDeps, tenantId: string, parentRpId: string | undefined): Promise<ParentFacts | undefined> {
  if (parentRpId === undefined) return undefined;
  const { state } = await recoveryPointHandler.load(deps, { tenantId, rpId: parentRpId });
  // A purged parent is gone (its data may be freed), and one about to leave the recycle bin
  // would be purged under the new RP before a retention run sees it: an incremental rests on neither.
  const leaving = state.status === 'committed' && state.life?.bin !== undefined
    && Date.parse(state.life.bin.purgeAfter) - deps.clock().getTime() < PARENT_BIN_MARGIN_MS;
  return state.status === 'committed' && !state.life?.purgedAt && !leaving
    ? { rpId: parentRpId, status: 'committed', tenantId: state.rp.tenantId, machineId: state.rp.machineId }
    : { rpId: parentRpId, status: 'none' };
}

export async function commitRecoveryPoint(
  deps: AppDeps, tenantId: string, machineId: string, rpId: string, input: CommitInput, actor: string,
): Promise<{ view: RecoveryPointView; created: boolean }> {
  const tenant = await requireActiveTenant(deps, tenantId);
  await requireMachine(deps, tenantId, machineId, true);
  const key = { tenantId, rpId };
  const content: RecoveryPointCommittedData = {
    tenantId, machineId, rpId, kind: input.kind, manifest: input.manifest, volumes: input.volumes,
    ...(input.parentRpId !== undefined ? { parentRpId: input.parentRpId } : {}),
    ...(input.createdAt !== undefined ? { createdAt: input.createdAt } : {}),
    ...(input.snapshot !== undefined ? { snapshot: input.snapshot } : {}),
    chunkCount: 0, referencedBytes: 0, addedBytes: 0,
  };
  const parent = await parentFacts(deps, tenantId, input.parentRpId);

  // The stream is read once. The decider's rule first on what was read: a repeat (or a
  // conflicting reuse of the rpId) and a bad parent are decided before the manifest scan,
  // which reads every chunk record.
  const loaded = await recoveryPointHandler.load(deps, key);
  if (checkCommit({ data: content, parent }, loaded.state) === 'repeat' && loaded.state.status === 'committed') {
    return { view: recoveryPointView(loaded.state.rp, loaded.events), created: false };
  }

  const { entries, ...scan } = await scanManifest(deps, tenantId, rpId, input.manifest, input.kind, input.volumes, actor);
  // The storage counter already holds this RP's bytes (charged at upload): the rest of the usage is
  // the counter less them, so the check reads "the counter is within the quota" — it refuses only
  // when the quota was lowered below what is stored. Read from the log, not a projection.
  const { usedBytes } = await storageUsage(deps, tenantId);
  const quota = { quotaBytes: tenant.quotaBytes, usedBytes: Math.max(0, usedBytes - scan.addedBytes) };
  // The decider's rules first (pure, on the state read): a refusal writes no index part.
  const check: CommitRecoveryPoint = { type: 'CommitRecoveryPoint', data: { ...content, ...scan }, parent, quota };
  recoveryPointDecider.decide(check, loaded.state);
  const index = await writeIndex(deps, tenantId, rpId, entries);
  const data: RecoveryPointCommittedData = { ...check.data, index };
  const result = await recoveryPointHandler(deps, key, { ...check, data }, actor, { loaded });
  if (result.state.status !== 'committed') throw new Error('commit left no recovery point');
  return { view: recoveryPointView(result.state.rp, result.events), created: result.appended.length > 0 };
}
