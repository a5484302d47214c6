import { assertNever, type Decider } from './decider.js';
import { DomainError, type REPLICATION_REFUSAL_REASONS } from './errors.js';
import { volumesProblem, type VolumeInfo } from './machine.js';
import { decideLifecycle, evolveLifecycle, isLifecycleCommand, type LifecycleCommand, type LifecycleEvent, type RecoveryPointLife } from './recovery-point-lifecycle.js';

/**
 * Recovery-point aggregate — stream `rp:<tenantId>:<rpId>` (DESIGN §4, §5). An RP exists only
 * once committed: one `RecoveryPointCommitted` event at version 1. Pack uploads are not
 * events (they are idempotent upload records, one per pack, folded into the RP's index at commit).
 * After its commit, its lifecycle (recycle bin, purge, roll-up) is recovery-point-lifecycle.ts's.
 */
export const RECOVERY_POINT_KINDS = ['base', 'incremental'] as const;
export type RecoveryPointKind = (typeof RECOVERY_POINT_KINDS)[number];

export const SNAPSHOT_METHODS = ['none', 'reflink', 'fsfreeze', 'lvm'] as const;
export type SnapshotMethod = (typeof SNAPSHOT_METHODS)[number];
export interface RecoveryPointSnapshot { method: SnapshotMethod; freezeMs: number }

export interface RecoveryPointCommittedData {
  tenantId: string; machineId: string; rpId: string; kind: RecoveryPointKind; parentRpId?: string;
  /** Id (SHA-256) of the manifest root chunk. */
  manifest: string;
  volumes: VolumeInfo[];
  /** When the source took it (informational, not compared for idempotency). */
  createdAt?: string;
  /** How the source made it consistent (issue 13): the snapshot method, and how long applications or the filesystem were frozen (informational). */
  snapshot?: RecoveryPointSnapshot;
  /** Chunks (data + manifest) the RP references, their stored bytes, and the bytes it adds to the tenant's usage. */
  chunkCount: number; referencedBytes: number; addedBytes: number;
  /**
   * Where the RP's chunks are (storage layout 2): its index, `parts` objects whose first chunk
   * ids are `firstChunks` (shared/format/rp-index.ts). Absent on RPs committed in layout 1
   * (one record object per chunk), which `drcore admin migrate-storage` indexes.
   */
  index?: RpIndexRef;
}

/**
 * An RP's index: the parts' first chunk ids, ascending (one per part). `generation` 0 (absent) is
 * the index the commit wrote; each roll-up, and each GC repack that moved chunks the index
 * locates (`RecoveryPointReindexed`), writes the next generation at its own keys.
 */
export interface RpIndexRef { firstChunks: string[]; generation?: number }

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

/** Storage migration (layout 1 → 2): the index written for an RP committed without one. */
export interface RecoveryPointIndexedData { tenantId: string; machineId: string; rpId: string; index: RpIndexRef }
export interface IndexRecoveryPoint { type: 'IndexRecoveryPoint'; data: RecoveryPointIndexedData }

/**
 * Garbage collection's repack (issue 11): the RP's chunks that lived in mostly dead packs were
 * copied to new packs, and the index was written again as its next generation (the same parts,
 * by first chunk id). `replaces` is the index the rewrite started from: if the RP's index changed
 * since (a roll-up), the rewrite is refused (the old packs stay referenced and are not deleted).
 */
export interface RecoveryPointReindexedData { tenantId: string; machineId: string; rpId: string; index: RpIndexRef; replaces: RpIndexRef; runId: string }
export interface ReindexRecoveryPoint { type: 'ReindexRecoveryPoint'; data: RecoveryPointReindexedData }

export type RecoveryPointCommand = CommitRecoveryPoint | IndexRecoveryPoint | ReindexRecoveryPoint | LifecycleCommand;
export type RecoveryPointEvent =
  | { type: 'RecoveryPointCommitted'; data: RecoveryPointCommittedData }
  | { type: 'RecoveryPointIndexed'; data: RecoveryPointIndexedData }
  | { type: 'RecoveryPointReindexed'; data: RecoveryPointReindexedData }
  | LifecycleEvent;

/** `rp` is the RP as it reads now (after any roll-up); `life` what happened to it after its commit (absent: live, never rolled up). */
export type RecoveryPointState =
  | { status: 'none' }
  | { status: 'committed'; rp: RecoveryPointCommittedData; life?: RecoveryPointLife<RecoveryPointCommittedData> };

/** At most this many chunk ids per `missing` question: the target refuses more, the source asks in batches of this. */
export const MAX_MISSING_BATCH = 512;

/** Why replication is refused, finer than the DomainError code: the edge turns `reason` into a problem type. */
export type RefusalReason = (typeof REPLICATION_REFUSAL_REASONS)[number];

/** A replication refusal is a DomainError with one of the RefusalReasons (shared/domain/errors.ts). */
export const ReplicationRefusal = DomainError;
export type ReplicationRefusal = DomainError;

/** An index's generation (0: the commit's). */
export const indexGeneration = (index: RpIndexRef): number => index.generation ?? 0;

/** Two index refs name the same parts. */
export function sameIndex(a: RpIndexRef, b: RpIndexRef): boolean {
  return indexGeneration(a) === indexGeneration(b) && a.firstChunks.length === b.firstChunks.length && a.firstChunks.every((c, i) => c === b.firstChunks[i]);
}

function checkReindex(d: RecoveryPointReindexedData): void {
  if (d.index.firstChunks.length === 0 || d.index.firstChunks.length !== d.replaces.firstChunks.length || d.index.firstChunks.some((c, i) => c !== d.replaces.firstChunks[i])) {
    throw new DomainError('invalid', 'a reindex keeps the parts (the same first chunk ids) and changes only the generation');
  }
  const g = indexGeneration(d.index);
  if (!Number.isSafeInteger(g) || g <= indexGeneration(d.replaces)) throw new DomainError('invalid', 'a reindex writes a newer generation than the one it replaces');
}

/** The fields that identify an RP's content: a repeat with these equal is the same commit. */
export function sameContent(a: RecoveryPointCommittedData, b: RecoveryPointCommittedData): boolean {
  return a.tenantId === b.tenantId && a.machineId === b.machineId && a.rpId === b.rpId && a.kind === b.kind
    && (a.parentRpId ?? null) === (b.parentRpId ?? null) && a.manifest === b.manifest
    && a.volumes.length === b.volumes.length
    && a.volumes.every((v, i) => v.name === b.volumes[i]?.name && v.sizeBytes === b.volumes[i]?.sizeBytes);
}

const invalidParent = (message: string) => new DomainError('invalid', message, { reason: 'invalid-parent' });

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
  if (problem !== undefined) throw new DomainError('invalid', problem, { reason: 'invalid-manifest' });
}

function checkCounts(d: RecoveryPointCommittedData): void {
  for (const k of ['chunkCount', 'referencedBytes', 'addedBytes'] as const) {
    if (!Number.isSafeInteger(d[k]) || d[k] < 0) throw new DomainError('invalid', `${k} must be a non-negative integer`);
  }
}

/**
 * The commit rule that needs no chunk read: the same content under a committed rpId is a
 * `'repeat'` (nothing to do, `createdAt` not compared), other content a conflict; a new commit's
 * volumes and parent are checked (`'new'`). decide() applies it first; the commit service applies
 * it to the state it loaded before it scans the manifest, so a repeat or a refusal reads no chunk.
 */
export function checkCommit(command: Pick<CommitRecoveryPoint, 'data' | 'parent'>, state: RecoveryPointState): 'repeat' | 'new' {
  const d = command.data;
  if (state.status === 'committed') {
    if (sameContent(state.life?.original ?? state.rp, d)) return 'repeat';
    throw new DomainError('conflict', `recovery point ${d.rpId} is already committed with other content`);
  }
  checkVolumes(d);
  checkParent(d, command.parent);
  return 'new';
}

export function decide(command: RecoveryPointCommand, state: RecoveryPointState): RecoveryPointEvent[] {
  if (isLifecycleCommand(command)) return decideLifecycle(command, state.status === 'committed' ? state : undefined);
  switch (command.type) {
    case 'CommitRecoveryPoint': {
      const d = command.data;
      if (checkCommit(command, state) === 'repeat') return []; // a repeated commit: idempotent
      checkCounts(d);
      const { quotaBytes, usedBytes } = command.quota;
      if (usedBytes + d.addedBytes > quotaBytes) {
        throw new DomainError('invalid', `committing ${d.rpId} would store ${usedBytes + d.addedBytes} bytes, over the quota of ${quotaBytes} bytes`,
          { reason: 'quota-exceeded', details: { quotaBytes, usedBytes, addedBytes: d.addedBytes } });
      }
      return [{ type: 'RecoveryPointCommitted', data: d }];
    }
    case 'IndexRecoveryPoint': {
      if (state.status !== 'committed') throw new DomainError('not-found', `recovery point ${command.data.rpId} is not committed`);
      if (state.rp.index) return []; // indexed already (committed in layout 2, or migrated): idempotent
      if (command.data.index.firstChunks.length === 0) throw new DomainError('invalid', 'an index has at least one part');
      return [{ type: 'RecoveryPointIndexed', data: command.data }];
    }
    case 'ReindexRecoveryPoint': {
      const d = command.data;
      if (state.status !== 'committed') throw new DomainError('not-found', `recovery point ${d.rpId} is not committed`);
      checkReindex(d);
      const current = state.rp.index;
      if (current && sameIndex(current, d.index)) return []; // rewritten already: idempotent
      if (!current || !sameIndex(current, d.replaces)) throw new DomainError('conflict', `the index of recovery point ${d.rpId} changed since the rewrite began`);
      return [{ type: 'RecoveryPointReindexed', data: d }];
    }
    default:
      return assertNever(command);
  }
}

export function evolve(state: RecoveryPointState, event: RecoveryPointEvent): RecoveryPointState {
  switch (event.type) {
    case 'RecoveryPointCommitted':
      return state.status === 'none' ? { status: 'committed', rp: event.data } : state;
    case 'RecoveryPointIndexed':
    case 'RecoveryPointReindexed':
      return state.status === 'committed' ? { ...state, rp: { ...state.rp, index: event.data.index } } : state;
    case 'RecoveryPointExpired':
    case 'RecoveryPointDeleted':
    case 'RecoveryPointRestoredFromBin':
    case 'RecoveryPointPurged':
    case 'RecoveryPointRolledUp':
      return state.status === 'committed' ? { status: 'committed', ...evolveLifecycle(state, event) } : state;
    default:
      return assertNever(event);
  }
}

export const initialState = (): RecoveryPointState => ({ status: 'none' });
export const recoveryPointDecider: Decider<RecoveryPointCommand, RecoveryPointEvent, RecoveryPointState> = { decide, evolve, initialState };
