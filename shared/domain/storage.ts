import { assertNever, type Decider } from './decider.js';
import { DomainError } from './errors.js';

/**
 * Storage counter aggregate — stream `storage:<tenantId>` (DESIGN §5 "Quota"): the bytes a
 * tenant stores, charged at pack upload before the pack is stored (a reservation), so the quota
 * is a conditional counter, not a projection. Appends are optimistic: two uploads deciding on
 * the same version conflict and one re-decides on the other's total, so concurrent uploads
 * never overshoot. A pack is charged once (a retried upload of a charged pack is free), for the
 * bytes of its chunks that were new to the tenant; the chunks a concurrent pack indexed first
 * are released again by the upload that lost the race, so each stored chunk counts once.
 */
export interface StorageChargedData { tenantId: string; packId: string; bytes: number; rpId: string; machineId: string }
export interface StorageReleasedData { tenantId: string; packId: string; bytes: number }

export type StorageCommand =
  /** `quotaBytes` is the tenant's (its stream: approval and ChangeQuota set it), read by the caller. */
  | { type: 'ChargeStorage'; data: StorageChargedData; quotaBytes: number }
  | { type: 'ReleaseStorage'; data: StorageReleasedData };

export type StorageEvent =
  | { type: 'StorageCharged'; data: StorageChargedData }
  | { type: 'StorageReleased'; data: StorageReleasedData };

/** The packs charged so far, newest first: a persistent list, so evolve is O(1) and stays pure. */
export interface ChargedPack { readonly packId: string; readonly bytes: number; readonly released: number; readonly next: ChargedPack | undefined }

export interface StorageState { readonly usedBytes: number; readonly packs: ChargedPack | undefined }

export function chargedPack(state: StorageState, packId: string): ChargedPack | undefined {
  for (let p = state.packs; p; p = p.next) if (p.packId === packId) return p;
  return undefined;
}

function byteCount(name: string, bytes: number): void {
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new DomainError('invalid', `${name} must be a non-negative integer`);
}

export function decide(command: StorageCommand, state: StorageState): StorageEvent[] {
  switch (command.type) {
    case 'ChargeStorage': {
      const d = command.data;
      byteCount('bytes', d.bytes);
      if (chargedPack(state, d.packId)) return []; // a retried upload: charged once
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
      const p = chargedPack(state, d.packId);
      if (!p) throw new DomainError('conflict', `pack ${d.packId} was never charged`);
      if (p.released + d.bytes > p.bytes) throw new DomainError('conflict', `pack ${d.packId} cannot release more bytes than it was charged`);
      return [{ type: 'StorageReleased', data: d }];
    }
    default:
      return assertNever(command);
  }
}

export function evolve(state: StorageState, event: StorageEvent): StorageState {
  switch (event.type) {
    case 'StorageCharged':
      return { usedBytes: state.usedBytes + event.data.bytes, packs: { packId: event.data.packId, bytes: event.data.bytes, released: 0, next: state.packs } };
    case 'StorageReleased': {
      // A release follows its charge closely (the same upload), so the list is copied only down to that pack.
      const rebuild = (p: ChargedPack | undefined): ChargedPack | undefined => {
        if (!p) return undefined;
        if (p.packId === event.data.packId) return { ...p, released: p.released + event.data.bytes };
        return { ...p, next: rebuild(p.next) };
      };
      return { usedBytes: state.usedBytes - event.data.bytes, packs: rebuild(state.packs) };
    }
    default:
      return assertNever(event);
  }
}

export const initialState = (): StorageState => ({ usedBytes: 0, packs: undefined });
export const storageDecider: Decider<StorageCommand, StorageEvent, StorageState> = { decide, evolve, initialState };
