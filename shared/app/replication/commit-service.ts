/**
 * Commit (DESIGN §5): check the manifest and every chunk it references, the parent and the
 * quota, then append one `RecoveryPointCommitted` to `rp:<tenantId>:<rpId>` at version 0.
 * A repeat of a committed RP with the same content returns it unchanged.
 */
import { streams } from '../../ids.js';
import { DomainError } from '../../domain/decider.js';
import type { VolumeInfo } from '../../domain/machine.js';
import {
  recoveryPointDecider, sameContent, type ParentFacts, type RecoveryPointCommittedData, type RecoveryPointKind,
} from '../../domain/recovery-point.js';
import type { AppDeps } from '../deps.js';
import { handleCommand, loadState } from '../command-handler.js';
import { TENANTS, type TenantSummary } from '../projections/tenants.js';
import { requireActiveTenant, requireMachine } from './access.js';
import { scanManifest } from './manifest-scan.js';
import { recoveryPointView, type RecoveryPointView } from './recovery-point-views.js';

export interface CommitInput {
  kind: RecoveryPointKind; parentRpId?: string | undefined; manifest: string; volumes: VolumeInfo[]; createdAt?: string | undefined;
}

async function parentFacts(deps: AppDeps, tenantId: string, parentRpId: string | undefined): Promise<ParentFacts | undefined> {
  if (parentRpId === undefined) return undefined;
  const { state } = await loadState(deps.events, streams.rp(tenantId, parentRpId), recoveryPointDecider);
  return state.status === 'committed'
    ? { rpId: parentRpId, status: 'committed', tenantId: state.rp.tenantId, machineId: state.rp.machineId }
    : { rpId: parentRpId, status: 'none' };
}

export async function commitRecoveryPoint(
  deps: AppDeps, tenantId: string, machineId: string, rpId: string, input: CommitInput, actor: string,
): Promise<{ view: RecoveryPointView; created: boolean }> {
  const tenant = await requireActiveTenant(deps, tenantId);
  await requireMachine(deps, tenantId, machineId);
  const stream = streams.rp(tenantId, rpId);
  const content: RecoveryPointCommittedData = {
    tenantId, machineId, rpId, kind: input.kind, manifest: input.manifest, volumes: input.volumes,
    ...(input.parentRpId !== undefined ? { parentRpId: input.parentRpId } : {}),
    ...(input.createdAt !== undefined ? { createdAt: input.createdAt } : {}),
    chunkCount: 0, referencedBytes: 0, addedBytes: 0,
  };
  const parent = await parentFacts(deps, tenantId, input.parentRpId);
  const quota = { quotaBytes: tenant.quotaBytes, usedBytes: 0 };

  // Fast path and early refusals: a repeat (or a conflicting reuse of the rpId) and a bad
  // parent are decided before the manifest scan, which reads every chunk record.
  const before = await loadState(deps.events, stream, recoveryPointDecider);
  if (before.state.status === 'committed') {
    if (!sameContent(before.state.rp, content)) throw new DomainError('conflict', `recovery point ${rpId} is already committed with other content`);
    return { view: recoveryPointView(before.state.rp, before.events), created: false };
  }
  recoveryPointDecider.decide({ type: 'CommitRecoveryPoint', data: content, parent, quota: { quotaBytes: Number.MAX_SAFE_INTEGER, usedBytes: 0 } }, before.state);

  const scan = await scanManifest(deps, tenantId, rpId, input.manifest, input.kind, input.volumes);
  const usage = (await deps.readModels.get<TenantSummary>(TENANTS, tenantId))?.usage;
  quota.usedBytes = usage?.storedBytes ?? 0;
  const data: RecoveryPointCommittedData = { ...content, ...scan };
  const result = await handleCommand(deps.events, stream, recoveryPointDecider,
    { type: 'CommitRecoveryPoint', data, parent, quota }, { at: deps.clock().toISOString(), actor });
  if (result.state.status !== 'committed') throw new Error('commit left no recovery point');
  const { events } = await loadState(deps.events, stream, recoveryPointDecider);
  return { view: recoveryPointView(result.state.rp, events), created: result.appended.length > 0 };
}
