import { DomainError } from './errors.js';
import { purgeAfter } from './retention-policy.js';

/**
 * What becomes of a committed recovery point after its commit (issue 11 items 1, 3, 4), on its
 * own stream `rp:<tenantId>:<rpId>` (recovery-point.ts folds these into its state):
 *
 *   live ──RecoveryPointExpired (retention) / RecoveryPointDeleted (operator, confirmed)──▶ binned
 *   binned ──RecoveryPointRestoredFromBin (its tenant, within the bin period)──▶ live, pinned
 *   binned ──RecoveryPointPurged (bin period over, no other RP's chain needs it)──▶ purged
 *   live ──RecoveryPointRolledUp──▶ live, with a new manifest and index resting on its nearest
 *                                    live ancestor (or none: a base), see docs/lifecycle.md
 *
 * A binned RP is still stored and restorable exactly as before; a purged one is gone for good:
 * from then on nothing reads its manifest or index, and garbage collection may free what only
 * it referenced. An RP is live for GC until it is purged. Time comes in the commands.
 */

/** The parts of an RP's commit the lifecycle reads and roll-up replaces (recovery-point.ts has the whole). */
export interface LifecycleRp {
  readonly tenantId: string; readonly machineId: string; readonly rpId: string;
  readonly kind: 'base' | 'incremental'; readonly parentRpId?: string; readonly manifest: string;
  readonly index?: { readonly firstChunks: readonly string[]; readonly generation?: number };
  readonly chunkCount: number; readonly referencedBytes: number; readonly addedBytes: number;
}

export type BinReason = 'retention' | 'deleted';
export interface BinEntry { readonly reason: BinReason; readonly binnedAt: string; readonly purgeAfter: string }

/** A manifest and index an RP had before a roll-up: reads of restores that began before it still find their chunks there. */
export interface SupersededLink {
  readonly manifest: string; readonly parentRpId?: string;
  readonly index: { readonly firstChunks: readonly string[]; readonly generation?: number };
}

export interface RecoveryPointLife<R extends LifecycleRp = LifecycleRp> {
  /** In the recycle bin (absent: live). */
  readonly bin?: BinEntry;
  readonly purgedAt?: string;
  /** Restored from the bin by its tenant: retention keeps it whatever the policy (PBS's "protected"). */
  readonly pinned?: boolean;
  /** The RP as committed, once a roll-up replaced its manifest (a repeated commit compares with this). */
  readonly original?: R;
  readonly superseded?: readonly SupersededLink[];
}

export type LifeStatus = 'live' | 'binned' | 'purged';
export const lifeStatus = (life: RecoveryPointLife | undefined): LifeStatus => (life?.purgedAt ? 'purged' : life?.bin ? 'binned' : 'live');
/** The generation of an RP's current index: 0 as committed, +1 per roll-up. */
export const indexGeneration = (rp: LifecycleRp): number => rp.index?.generation ?? 0;

interface RpRef { tenantId: string; machineId: string; rpId: string }
export interface RecoveryPointExpiredData extends RpRef, BinEntry { reason: 'retention'; binDays: number; policy: string }
export interface RecoveryPointDeletedData extends RpRef, BinEntry { reason: 'deleted'; binDays: number; note: string; adminSerial: string }
export interface RecoveryPointRestoredFromBinData extends RpRef { restoredAt: string }
export interface RecoveryPointPurgedData extends RpRef { purgedAt: string }
export interface RecoveryPointRolledUpData extends RpRef {
  /** The new index's generation (the previous + 1); its parts are at their own keys. */
  generation: number;
  kind: 'base' | 'incremental';
  /** The nearest live ancestor the new manifest rests on (absent: the RP is a base now). */
  parentRpId?: string;
  /** The parent it had: the roll-up folded the binned RPs from there down to `parentRpId`. */
  previousParentRpId: string;
  folded: string[];
  manifest: string;
  index: { firstChunks: string[]; generation: number };
  chunkCount: number; referencedBytes: number;
  /** Bytes of the packs this roll-up stored (materialized extents, the new manifest). */
  addedBytes: number;
  packs: string[];
}

export type LifecycleCommand =
  | { type: 'ExpireRecoveryPoint'; data: { tenantId: string; rpId: string; now: string; binDays: number; policy: string } }
  | { type: 'DeleteRecoveryPoint'; data: { tenantId: string; rpId: string; confirmRpId: string; note: string; adminSerial: string; now: string; binDays: number } }
  | { type: 'RestoreRecoveryPointFromBin'; data: { tenantId: string; rpId: string; now: string } }
  /** `neededBy`: the other unpurged RPs whose chains hold this one (the handler finds them). */
  | { type: 'PurgeRecoveryPoint'; data: { tenantId: string; rpId: string; now: string }; neededBy: readonly string[] }
  | { type: 'RollUpRecoveryPoint'; data: RecoveryPointRolledUpData };

export type LifecycleEvent =
  | { type: 'RecoveryPointExpired'; data: RecoveryPointExpiredData }
  | { type: 'RecoveryPointDeleted'; data: RecoveryPointDeletedData }
  | { type: 'RecoveryPointRestoredFromBin'; data: RecoveryPointRestoredFromBinData }
  | { type: 'RecoveryPointPurged'; data: RecoveryPointPurgedData }
  | { type: 'RecoveryPointRolledUp'; data: RecoveryPointRolledUpData };

export const LIFECYCLE_EVENT_TYPES: readonly LifecycleEvent['type'][] = [
  'RecoveryPointExpired', 'RecoveryPointDeleted', 'RecoveryPointRestoredFromBin', 'RecoveryPointPurged', 'RecoveryPointRolledUp',
];
export const isLifecycleCommand = (c: { type: string }): c is LifecycleCommand =>
  ['ExpireRecoveryPoint', 'DeleteRecoveryPoint', 'RestoreRecoveryPointFromBin', 'PurgeRecoveryPoint', 'RollUpRecoveryPoint'].includes(c.type);
export const isLifecycleEvent = (e: { type: string }): e is LifecycleEvent => (LIFECYCLE_EVENT_TYPES as readonly string[]).includes(e.type);

/** A committed RP as the lifecycle sees it (undefined: not committed). */
export interface Committed<R extends LifecycleRp> { readonly rp: R; readonly life?: RecoveryPointLife<R> }

const ref = (rp: LifecycleRp): RpRef => ({ tenantId: rp.tenantId, machineId: rp.machineId, rpId: rp.rpId });
const bad = (message: string) => new DomainError('invalid', message);
const iso = (at: string, what: string): string => {
  if (Number.isNaN(Date.parse(at))) throw bad(`${what} must be an ISO 8601 time`);
  return new Date(at).toISOString();
};

function existing<R extends LifecycleRp>(c: Committed<R> | undefined, rpId: string): Committed<R> {
  if (!c) throw new DomainError('not-found', `recovery point ${rpId} is not committed`);
  return c;
}

const binPeriodOver = (rpId: string, purgedOrUntil: string) => new DomainError('not-found',
  `recovery point ${rpId} left the recycle bin (${purgedOrUntil}): it cannot be restored`, { reason: 'bin-period-over' });

export function decideLifecycle<R extends LifecycleRp>(command: LifecycleCommand, committed: Committed<R> | undefined): LifecycleEvent[] {
  switch (command.type) {
    case 'ExpireRecoveryPoint': {
      const d = command.data;
      const { rp, life } = existing(committed, d.rpId);
      if (lifeStatus(life) !== 'live') return []; // binned or purged already: idempotent
      if (life?.pinned) throw new DomainError('conflict', `recovery point ${d.rpId} was restored from the recycle bin by its tenant: retention keeps it`);
      const binnedAt = iso(d.now, 'now');
      return [{ type: 'RecoveryPointExpired', data: { ...ref(rp), reason: 'retention', binnedAt, purgeAfter: purgeAfter(binnedAt, d.binDays), binDays: d.binDays, policy: d.policy } }];
    }
    case 'DeleteRecoveryPoint': {
      const d = command.data;
      if (d.confirmRpId !== d.rpId) {
        throw new DomainError('invalid', `deleting recovery point ${d.rpId} needs its id typed again as the confirmation; got ${JSON.stringify(d.confirmRpId)}: nothing deleted`,
          { reason: 'confirmation-mismatch', details: { rpId: d.rpId } });
      }
      const { rp, life } = existing(committed, d.rpId);
      const status = lifeStatus(life);
      if (status === 'purged') throw new DomainError('not-found', `recovery point ${d.rpId} was purged`);
      if (status === 'binned') return []; // in the bin already
      const binnedAt = iso(d.now, 'now');
      return [{ type: 'RecoveryPointDeleted', data: { ...ref(rp), reason: 'deleted', binnedAt, purgeAfter: purgeAfter(binnedAt, d.binDays), binDays: d.binDays, note: d.note, adminSerial: d.adminSerial } }];
    }
    case 'RestoreRecoveryPointFromBin': {
      const d = command.data;
      const { rp, life } = existing(committed, d.rpId);
      if (life?.purgedAt) throw binPeriodOver(d.rpId, `purged at ${life.purgedAt}`);
      if (!life?.bin) throw new DomainError('conflict', `recovery point ${d.rpId} is not in the recycle bin`);
      const now = iso(d.now, 'now');
      if (Date.parse(now) >= Date.parse(life.bin.purgeAfter)) throw binPeriodOver(d.rpId, `its bin period ended at ${life.bin.purgeAfter}`);
      return [{ type: 'RecoveryPointRestoredFromBin', data: { ...ref(rp), restoredAt: now } }];
    }
    case 'PurgeRecoveryPoint': {
      const d = command.data;
      const { rp, life } = existing(committed, d.rpId);
      if (life?.purgedAt) return [];
      if (!life?.bin) throw new DomainError('conflict', `recovery point ${d.rpId} is not in the recycle bin: only a binned RP is purged`);
      const now = iso(d.now, 'now');
      if (Date.parse(now) < Date.parse(life.bin.purgeAfter)) throw new DomainError('conflict', `recovery point ${d.rpId} stays in the recycle bin until ${life.bin.purgeAfter}`);
      if (command.neededBy.length > 0) {
        throw new DomainError('conflict', `recovery point ${d.rpId} is still needed by the chain of ${command.neededBy.join(', ')}: not purged`);
      }
      return [{ type: 'RecoveryPointPurged', data: { ...ref(rp), purgedAt: now } }];
    }
    case 'RollUpRecoveryPoint': {
      const d = command.data;
      const { rp, life } = existing(committed, d.rpId);
      if (lifeStatus(life) !== 'live') throw new DomainError('conflict', `recovery point ${d.rpId} is not live: only a live RP is rolled up`);
      if (rp.parentRpId !== d.previousParentRpId) throw new DomainError('conflict', `recovery point ${d.rpId} rests on ${rp.parentRpId ?? 'nothing'} now, not ${d.previousParentRpId}: roll it up again`);
      if (d.generation !== indexGeneration(rp) + 1 || d.index.generation !== d.generation) {
        throw new DomainError('conflict', `recovery point ${d.rpId} has index generation ${indexGeneration(rp)}: the roll-up must write ${indexGeneration(rp) + 1}`);
      }
      if ((d.kind === 'base') !== (d.parentRpId === undefined)) throw bad('a rolled-up base has no parent, a rolled-up incremental has one');
      if (d.parentRpId === d.rpId || d.folded.length === 0 || d.folded.includes(d.rpId)) throw bad('a roll-up folds at least one other RP into this one');
      if (d.index.firstChunks.length === 0) throw bad('an index has at least one part');
      return [{ type: 'RecoveryPointRolledUp', data: d }];
    }
    default: {
      const never: never = command;
      throw new Error(`unhandled lifecycle command ${JSON.stringify(never)}`);
    }
  }
}

/** The committed RP after a lifecycle event (the caller keeps the commit's own fields in `rp`). */
export function evolveLifecycle<R extends LifecycleRp>(c: Committed<R>, event: LifecycleEvent): Committed<R> {
  const life: RecoveryPointLife<R> = c.life ?? {};
  switch (event.type) {
    case 'RecoveryPointExpired':
    case 'RecoveryPointDeleted': {
      const { reason, binnedAt, purgeAfter: until } = event.data;
      const { pinned: _unpinned, ...rest } = life;
      return { rp: c.rp, life: { ...rest, bin: { reason, binnedAt, purgeAfter: until } } };
    }
    case 'RecoveryPointRestoredFromBin': {
      const { bin: _out, ...rest } = life;
      return { rp: c.rp, life: { ...rest, pinned: true } };
    }
    case 'RecoveryPointPurged':
      return { rp: c.rp, life: { ...life, purgedAt: event.data.purgedAt } };
    case 'RecoveryPointRolledUp': {
      const d = event.data;
      const { parentRpId: _old, ...without } = c.rp;
      const was: SupersededLink = { manifest: c.rp.manifest, ...(c.rp.parentRpId !== undefined ? { parentRpId: c.rp.parentRpId } : {}), index: c.rp.index ?? { firstChunks: [] } };
      const rp = {
        ...without, kind: d.kind, ...(d.parentRpId !== undefined ? { parentRpId: d.parentRpId } : {}), manifest: d.manifest, index: d.index,
        chunkCount: d.chunkCount, referencedBytes: d.referencedBytes, addedBytes: c.rp.addedBytes + d.addedBytes,
      } as unknown as R; // R's other fields are kept as they are
      return { rp, life: { ...life, original: life.original ?? c.rp, superseded: [...(life.superseded ?? []), was] } };
    }
    default: {
      const never: never = event;
      throw new Error(`unhandled lifecycle event ${JSON.stringify(never)}`);
    }
  }
}
