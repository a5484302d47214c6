import { assertNever, type Decider } from './decider.js';
import { DomainError } from './errors.js';

/**
 * Storage counter aggregate — stream `storage:<tenantId>` (DESIGN §5 "Quota"): the bytes a
 * tenant stores, charged at pack upload before the pack is stored (a reservation), so the quota
 * is a conditional counter, not a projection. Appends are optimistic: two uploads deciding on
 * the same version conflict and one re-decides on the other's total, so concurrent uploads
 * never overshoot. What is charged is the pack's stored size (what the object store bills); an
 * upload charges only when it stores the pack, and one that finds a concurrent upload stored
 * the same pack first releases its charge, so every stored pack counts once (the caller keeps
 * that rule, with the pack's create-once object: ../app/replication/pack-service.ts).
 *
 * The state is one number, so the handler keeps it per process and reads only the events
 * appended since (commandHandler's `cacheState`): a charge costs O(1) reads, not O(packs).
 *
 * Garbage collection (../app/lifecycle/gc) charges the packs its repack writes and releases
 * the packs it deletes with `CollectStorage`, one command per GC step: its events name the step
 * (`gc: { runId, seq }`), and the state keeps the last step applied, so a step that runs again
 * (a crash after its append, a duplicate queue delivery running at the same time) changes the
 * counter once. Run ids sort by their start time and seq grows within a run.
 */
export interface StorageChargedData { tenantId: string; packId: string; bytes: number; rpId: string; machineId: string }
/** A GC step: the run and the step's sequence number within it. */
export interface GcStepRef { readonly runId: string; readonly seq: number }
/** A pack written by a GC repack (under no RP). */
export interface GcStorageChargedData { tenantId: string; packId: string; bytes: number; gc: GcStepRef }
export interface StorageReleasedData { tenantId: string; packId: string; bytes: number; gc?: GcStepRef }
export interface PackBytes { readonly packId: string; readonly bytes: number }
export interface CollectStorageData { tenantId: string; gc: GcStepRef; charge: readonly PackBytes[]; release: readonly PackBytes[] }

/** Packs one CollectStorage may name (one atomic append: DynamoDB takes 99 events). */
export const MAX_COLLECT_PACKS = 96;

export type StorageCommand =
  /** `quotaBytes` is the tenant's (its stream: approval and ChangeQuota set it), read by the caller. */
  | { type: 'ChargeStorage'; data: StorageChargedData; quotaBytes: number }
  | { type: 'ReleaseStorage'; data: StorageReleasedData }
  | { type: 'CollectStorage'; data: CollectStorageData; quotaBytes: number };

export type StorageEvent =
  | { type: 'StorageCharged'; data: StorageChargedData | GcStorageChargedData }
  | { type: 'StorageReleased'; data: StorageReleasedData };

export interface StorageState {
  readonly usedBytes: number;
  /** The last GC step applied (absent until GC first changed the counter). */
  readonly lastGc?: GcStepRef;
}

/** Whether step `gc` was applied already (or belongs to a run older than the last one applied). */
export function gcStepApplied(state: StorageState, gc: GcStepRef): boolean {
  const last = state.lastGc;
  return last !== undefined && (gc.runId < last.runId || (gc.runId === last.runId && gc.seq <= last.seq));
}

function byteCount(name: string, bytes: number): void {
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new DomainError('invalid', `${name} must be a non-negative integer`);
}

export function decide(command: StorageCommand, state: StorageState): StorageEvent[] {
  switch (command.type) {
    case 'ChargeStorage': {
      const d = command.data;
      byteCount('bytes', d.bytes);
      if (d.bytes === 0) return [];
      const { quotaBytes } = command;
      const usedBytes = state.usedBytes;
      if (usedBytes + d.bytes > quotaBytes) {
        throw new DomainError('invalid', `pack ${d.packId} refused, nothing stored: it would store ${usedBytes + d.bytes} bytes, over the quota of ${quotaBytes} bytes`,
          { reason: 'quota-exceeded', details: { quotaBytes, usedBytes, addedBytes: d.bytes } });
      }
      return [{ type: 'StorageCharged', data: d }];
    }
    case 'ReleaseStorage': {
      const d = command.data;
      byteCount('bytes', d.bytes);
      if (d.bytes === 0) return [];
      if (d.bytes > state.usedBytes) throw new DomainError('conflict', `releasing ${d.bytes} bytes of pack ${d.packId} would take the counter below zero`);
      return [{ type: 'StorageReleased', data: d }];
    }
    case 'CollectStorage': {
      const { tenantId, gc, charge, release } = command.data;
      if (!Number.isSafeInteger(gc.seq) || gc.seq < 1) throw new DomainError('invalid', 'a GC step sequence number is a positive integer');
      if (gcStepApplied(state, gc)) return [];
      if (charge.length + release.length > MAX_COLLECT_PACKS) throw new DomainError('invalid', `one GC step charges and releases at most ${MAX_COLLECT_PACKS} packs`);
      for (const p of [...charge, ...release]) byteCount('bytes', p.bytes);
      const charged = charge.reduce((n, p) => n + p.bytes, 0);
      const after = state.usedBytes + charged - release.reduce((n, p) => n + p.bytes, 0);
      if (charged > 0 && after > command.quotaBytes) {
        throw new DomainError('invalid', `repacking would store ${after} bytes, over the quota of ${command.quotaBytes} bytes`,
          { reason: 'quota-exceeded', details: { quotaBytes: command.quotaBytes, usedBytes: state.usedBytes, addedBytes: charged } });
      }
      if (after < 0) throw new DomainError('conflict', `GC step ${gc.runId}/${gc.seq} would take the counter below zero`);
      return [
        ...charge.filter((p) => p.bytes > 0).map((p): StorageEvent => ({ type: 'StorageCharged', data: { tenantId, packId: p.packId, bytes: p.bytes, gc } })),
        ...release.filter((p) => p.bytes > 0).map((p): StorageEvent => ({ type: 'StorageReleased', data: { tenantId, packId: p.packId, bytes: p.bytes, gc } })),
      ];
    }
    default:
      return assertNever(command);
  }
}

export function evolve(state: StorageState, event: StorageEvent): StorageState {
  switch (event.type) {
    case 'StorageCharged':
      return withGc({ usedBytes: state.usedBytes + event.data.bytes }, state, 'gc' in event.data ? event.data.gc : undefined);
    case 'StorageReleased':
      return withGc({ usedBytes: state.usedBytes - event.data.bytes }, state, event.data.gc);
    default:
      return assertNever(event);
  }
}

function withGc(next: { usedBytes: number }, state: StorageState, gc: GcStepRef | undefined): StorageState {
  const lastGc = gc ?? state.lastGc;
  return lastGc === undefined ? next : { ...next, lastGc };
}

export const initialState = (): StorageState => ({ usedBytes: 0 });
export const storageDecider: Decider<StorageCommand, StorageEvent, StorageState> = { decide, evolve, initialState };
