import { DomainError, assertNever, type Decider, type DomainErrorCode } from './decider.js';
import { volumesProblem, type VolumeInfo } from './machine.js';

/**
 * Recovery-point aggregate — stream `rp:<tenantId>:<rpId>` (DESIGN §4, §5). An RP exists only
 * once committed: one `RecoveryPointCommitted` event at version 1. Pack uploads are not
 * events (they are idempotent records keyed by pack and chunk id, folded at commit).
 */
export const RECOVERY_POINT_KINDS = ['base', 'incremental'] as const;
export type RecoveryPointKind = (typeof RECOVERY_POINT_KINDS)[number];

export interface RecoveryPointCommittedData {
  tenantId: string; machineId: string; rpId: string; kind: RecoveryPointKind; parentRpId?: string;
  /** Id (SHA-256) of the manifest root chunk. */
  manifest: string;
  volumes: VolumeInfo[];
  /** When the source took it (informational, not compared for idempotency). */
  createdAt?: string;
  /** Chunks (data + manifest) the RP references, their stored bytes, and the bytes it adds to the tenant's usage. */
  chunkCount: number; referencedBytes: number; addedBytes: number;
}

/** What the command handler found about the parent RP (the decider does no I/O). */
export type ParentFacts =
  | { rpId: string; status: 'none' }
  | { rpId: string; status: 'committed'; tenantId: string; machineId: string };

export interface CommitRecoveryPoint {
  type: 'CommitRecoveryPoint';
  data: RecoveryPointCommittedData;
  parent?: ParentFacts;
  quota: { quotaBytes: number; usedBytes: number };
}

export type RecoveryPointCommand = CommitRecoveryPoint;
export type RecoveryPointEvent = { type: 'RecoveryPointCommitted'; data: RecoveryPointCommittedData };

export type RecoveryPointState =
  | { status: 'none' }
  | { status: 'committed'; rp: RecoveryPointCommittedData };

/** Why a replication command is refused, finer than DomainErrorCode: the edge turns `reason` into a problem type. */
export type RefusalReason = 'invalid-parent' | 'quota-exceeded' | 'invalid-manifest' | 'missing-chunks' | 'tenant-suspended' | 'invalid-pack';

export class ReplicationRefusal extends DomainError {
  constructor(code: DomainErrorCode, readonly reason: RefusalReason, message: string, readonly details: Record<string, unknown> = {}) {
    super(code, message);
  }
}

/** The fields that identify an RP's content: a repeat with these equal is the same commit. */
export function sameContent(a: RecoveryPointCommittedData, b: RecoveryPointCommittedData): boolean {
  return a.tenantId === b.tenantId && a.machineId === b.machineId && a.rpId === b.rpId && a.kind === b.kind
    && (a.parentRpId ?? null) === (b.parentRpId ?? null) && a.manifest === b.manifest
    && a.volumes.length === b.volumes.length
    && a.volumes.every((v, i) => v.name === b.volumes[i]?.name && v.sizeBytes === b.volumes[i]?.sizeBytes);
}

const invalidParent = (message: string) => new ReplicationRefusal('invalid', 'invalid-parent', message);

function checkParent(d: RecoveryPointCommittedData, parent: ParentFacts | undefined): void {
  if (d.kind === 'base') {
    if (d.parentRpId !== undefined) throw invalidParent('a base recovery point has no parent');
    return;
  }
  if (d.parentRpId === undefined) throw invalidParent('an incremental recovery point needs parentRpId');
  if (d.parentRpId === d.rpId) throw invalidParent('a recovery point cannot be its own parent');
  if (!parent || parent.rpId !== d.parentRpId) throw new Error('the command handler did not load the parent'); // a bug, not bad input
  if (parent.status !== 'committed' || parent.tenantId !== d.tenantId) {
    throw invalidParent(`parent ${d.parentRpId} is not a committed recovery point of this tenant`);
  }
  if (parent.machineId !== d.machineId) {
    throw invalidParent(`parent ${d.parentRpId} belongs to another machine, not ${d.machineId}`);
  }
}

/** The volumes mirror the manifest root's; their names become file names at restore. */
function checkVolumes(d: RecoveryPointCommittedData): void {
  const problem = d.volumes.length === 0 ? 'a recovery point has at least one volume' : volumesProblem(d.volumes);
  if (problem !== undefined) throw new ReplicationRefusal('invalid', 'invalid-manifest', problem);
}

function checkCounts(d: RecoveryPointCommittedData): void {
  for (const k of ['chunkCount', 'referencedBytes', 'addedBytes'] as const) {
    if (!Number.isSafeInteger(d[k]) || d[k] < 0) throw new DomainError('invalid', `${k} must be a non-negative integer`);
  }
  if (d.addedBytes > d.referencedBytes) throw new DomainError('invalid', 'an RP cannot add more bytes than it references');
}

export function decide(command: RecoveryPointCommand, state: RecoveryPointState): RecoveryPointEvent[] {
  switch (command.type) {
    case 'CommitRecoveryPoint': {
      const d = command.data;
      if (state.status === 'committed') {
        if (sameContent(state.rp, d)) return []; // a repeated commit: idempotent
        throw new DomainError('conflict', `recovery point ${d.rpId} is already committed with other content`);
      }
      checkVolumes(d);
      checkParent(d, command.parent);
      checkCounts(d);
      const { quotaBytes, usedBytes } = command.quota;
      if (usedBytes + d.addedBytes > quotaBytes) {
        throw new ReplicationRefusal('invalid', 'quota-exceeded',
          `committing ${d.rpId} would store ${usedBytes + d.addedBytes} bytes, over the quota of ${quotaBytes} bytes`,
          { quotaBytes, usedBytes, addedBytes: d.addedBytes });
      }
      return [{ type: 'RecoveryPointCommitted', data: d }];
    }
    default:
      return assertNever(command.type);
  }
}

export function evolve(state: RecoveryPointState, event: RecoveryPointEvent): RecoveryPointState {
  switch (event.type) {
    case 'RecoveryPointCommitted':
      return state.status === 'none' ? { status: 'committed', rp: event.data } : state;
    default:
      return assertNever(event.type);
  }
}

export const initialState = (): RecoveryPointState => ({ status: 'none' });
export const recoveryPointDecider: Decider<RecoveryPointCommand, RecoveryPointEvent, RecoveryPointState> = { decide, evolve, initialState };
