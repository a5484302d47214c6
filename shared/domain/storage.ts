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
 * appended since (commandHandler's `cacheState`), and a process without it reads the last event
 * only (`stateFromLast`): a charge costs O(1) reads, not O(packs), warm or cold.
 */
export interface StorageChargedData { tenantId: string; packId: string; bytes: number; rpId: string; machineId: string }
export interface StorageReleasedData { tenantId: string; packId: string; bytes: number }

export type StorageCommand =
  /** `quotaBytes` is the tenant's (its stream: approval and ChangeQuota set it), read by the caller. */
  | { type: 'ChargeStorage'; data: StorageChargedData; quotaBytes: number }
  | { type: 'ReleaseStorage'; data: StorageReleasedData };

/**
 * Each event carries the counter's total after it (`usedBytes`), so the last event alone is the
 * state: a process with no cached state reads one event, not the stream (`stateFromLast`).
 * Events written before the total was carried lack it; the stream is then folded whole.
 */
export type StorageEvent =
  | { type: 'StorageCharged'; data: StorageChargedData & { usedBytes?: number } }
  | { type: 'StorageReleased'; data: StorageReleasedData & { usedBytes?: number } }
  | { type: 'StorageQuotaWarning'; data: StorageQuotaWarningData };

/** Soft warning levels, in percent of the quota (issue 11 item 5): crossing one raises a warning before the hard stop. */
export const QUOTA_WARNING_LEVELS = [80, 90] as const;
export interface StorageQuotaWarningData { tenantId: string; level: (typeof QUOTA_WARNING_LEVELS)[number]; usedBytes: number; quotaBytes: number }

export interface StorageState { readonly usedBytes: number }

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
        .map((level) => ({ type: 'StorageQuotaWarning', data: { tenantId: d.tenantId, level, usedBytes: after, quotaBytes } }));
      return [{ type: 'StorageCharged', data: { ...d, usedBytes: after } }, ...warnings];
    }
    case 'ReleaseStorage': {
      const d = command.data;
      byteCount('bytes', d.bytes);
      if (d.bytes === 0) return [];
      if (d.bytes > state.usedBytes) throw new DomainError('conflict', `releasing ${d.bytes} bytes of pack ${d.packId} would take the counter below zero`);
      return [{ type: 'StorageReleased', data: { ...d, usedBytes: state.usedBytes - d.bytes } }];
    }
    default:
      return assertNever(command);
  }
}

export function evolve(state: StorageState, event: StorageEvent): StorageState {
  switch (event.type) {
    case 'StorageCharged':
      return { usedBytes: event.data.usedBytes ?? state.usedBytes + event.data.bytes };
    case 'StorageReleased':
      return { usedBytes: event.data.usedBytes ?? state.usedBytes - event.data.bytes };
    case 'StorageQuotaWarning':
      return state;
    default:
      return assertNever(event);
  }
}

export const initialState = (): StorageState => ({ usedBytes: 0 });

/** The state after `last` when it carries the total, else undefined (fold the stream). */
export function stateFromLast(last: StorageEvent): StorageState | undefined {
  return typeof last.data.usedBytes === 'number' ? { usedBytes: last.data.usedBytes } : undefined;
}
export const storageDecider: Decider<StorageCommand, StorageEvent, StorageState> = { decide, evolve, initialState };
