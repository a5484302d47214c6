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
 * The state is small (a number and a GC marker), so the handler keeps it per process and reads only the events
 * appended since (commandHandler's `cacheState`), and a process without it reads the last event
 * only (`stateFromLast`): a charge costs O(1) reads, not O(packs), warm or cold.
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

/**
 * Each event carries the counter's total after it (`usedBytes`), so the last event alone is the
 * state: a process with no cached state reads one event, not the stream (`stateFromLast`).
 * Events written before the total was carried lack it; the stream is then folded whole.
 */
export type StorageEvent =
  | { type: 'StorageCharged'; data: (StorageChargedData | GcStorageChargedData) & CounterAfter }
  | { type: 'StorageReleased'; data: StorageReleasedData & CounterAfter }
  | { type: 'StorageQuotaWarning'; data: StorageQuotaWarningData & Pick<CounterAfter, 'lastGc'> };

/**
 * The counter after an event: its total and the last GC step applied. Both are carried so that
 * the last event alone is the state (a GC step's idempotence must survive a cold start too).
 */
export interface CounterAfter { usedBytes?: number; lastGc?: GcStepRef }

/** Soft warning levels, in percent of the quota (issue 11 item 5): crossing one raises a warning before the hard stop. */
export const QUOTA_WARNING_LEVELS = [80, 90] as const;
export interface StorageQuotaWarningData { tenantId: string; level: (typeof QUOTA_WARNING_LEVELS)[number]; usedBytes: number; quotaBytes: number }

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
      const after = usedBytes + d.bytes;
      // A charge that crosses a warning level raises it in the same append (once per crossing).
      const warnings: StorageEvent[] = QUOTA_WARNING_LEVELS
        .filter((level) => usedBytes * 100 < level * quotaBytes && after * 100 >= level * quotaBytes)
        .map((level) => ({ type: 'StorageQuotaWarning', data: { tenantId: d.tenantId, level, usedBytes: after, quotaBytes, ...gcMark(state) } }));
      return [{ type: 'StorageCharged', data: { ...d, usedBytes: after, ...gcMark(state) } }, ...warnings];
    }
    case 'ReleaseStorage': {
      const d = command.data;
      byteCount('bytes', d.bytes);
      if (d.bytes === 0) return [];
      if (d.bytes > state.usedBytes) throw new DomainError('conflict', `releasing ${d.bytes} bytes of pack ${d.packId} would take the counter below zero`);
      return [{ type: 'StorageReleased', data: { ...d, usedBytes: state.usedBytes - d.bytes, ...gcMark(state) } }];
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
      // Charges first, then releases, each carrying the running total after it.
      let used = state.usedBytes;
      return [
        ...charge.filter((p) => p.bytes > 0).map((p): StorageEvent => ({ type: 'StorageCharged', data: { tenantId, packId: p.packId, bytes: p.bytes, gc, usedBytes: used += p.bytes } })),
        ...release.filter((p) => p.bytes > 0).map((p): StorageEvent => ({ type: 'StorageReleased', data: { tenantId, packId: p.packId, bytes: p.bytes, gc, usedBytes: used -= p.bytes } })),
      ];
    }
    default:
      return assertNever(command);
  }
}

export function evolve(state: StorageState, event: StorageEvent): StorageState {
  switch (event.type) {
    case 'StorageCharged':
      return withGc({ usedBytes: event.data.usedBytes ?? state.usedBytes + event.data.bytes }, state, 'gc' in event.data ? event.data.gc : event.data.lastGc);
    case 'StorageReleased':
      return withGc({ usedBytes: event.data.usedBytes ?? state.usedBytes - event.data.bytes }, state, event.data.gc ?? event.data.lastGc);
    case 'StorageQuotaWarning':
      return state;
    default:
      return assertNever(event);
  }
}

/** The last GC step applied, for an event that is not a GC step's (spread into its data). */
function gcMark(state: StorageState): Pick<CounterAfter, 'lastGc'> {
  return state.lastGc === undefined ? {} : { lastGc: state.lastGc };
}

function withGc(next: { usedBytes: number }, state: StorageState, gc: GcStepRef | undefined): StorageState {
  const lastGc = gc ?? state.lastGc;
  return lastGc === undefined ? next : { ...next, lastGc };
}

export const initialState = (): StorageState => ({ usedBytes: 0 });

/** The state after `last` when it carries the total, else undefined (fold the stream). */
export function stateFromLast(last: StorageEvent): StorageState | undefined {
  if (typeof last.data.usedBytes !== 'number') return undefined;
  const lastGc = last.type === 'StorageQuotaWarning' ? last.data.lastGc : ('gc' in last.data && last.data.gc !== undefined ? last.data.gc : last.data.lastGc);
  // A warning's usedBytes is the total after the charge it follows, which is the counter's.
  return lastGc === undefined ? { usedBytes: last.data.usedBytes } : { usedBytes: last.data.usedBytes, lastGc };
}
export const storageDecider: Decider<StorageCommand, StorageEvent, StorageState> = { decide, evolve, initialState };
