/**
 * The target's per-tenant limit of pack uploads in flight (issue 13, item 3;
 * docs/replication-protocol.md "Concurrent uploads"). Each pack PUT holds one of the tenant's
 * upload slots for as long as it runs; past the limit the upload is refused before anything is
 * read or stored, with 429 Too Many Uploads and a Retry-After, and the source sends it again
 * after that plus jitter (source/client.ts). The operator sets the limit for the core with
 * DRCORE_UPLOAD_CONCURRENCY_PER_TENANT (default 16; 0 turns it off).
 */
import { DomainError } from '../../domain/errors.js';
import type { UploadSlots } from '../../ports/upload-slots.js';

export const DEFAULT_UPLOAD_CONCURRENCY_PER_TENANT = 16;
/** How long a refused source waits before it asks again (an upload of a 4 MiB pack takes well under it). */
export const UPLOAD_BUSY_RETRY_AFTER_SECONDS = 1;
/** A slot's lease where slots are shared state (AWS): past the longest upload (the function's 29 s timeout). */
export const UPLOAD_SLOT_LEASE_MS = 60_000;

/** The limit from its environment value: a whole number ≥ 0 (0: no limit), else the default; anything else is a configuration error. */
export function uploadConcurrencyFrom(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_UPLOAD_CONCURRENCY_PER_TENANT;
  const text = value.trim();
  if (!/^\d{1,6}$/.test(text)) throw new Error(`DRCORE_UPLOAD_CONCURRENCY_PER_TENANT must be a whole number ≥ 0 (0: no limit), got ${JSON.stringify(value)}`);
  return Number(text);
}

/**
 * Runs `upload` in one of the tenant's slots, or refuses (429 Too Many Uploads) when `limit` are
 * in flight. A slot that cannot be given back is free once its lease expires: the upload's answer
 * stands, and the failure goes to `onReleaseFailed` (the caller logs it).
 */
export async function withUploadSlot<T>(slots: UploadSlots, tenantId: string, limit: number, upload: () => Promise<T>, onReleaseFailed: (err: unknown) => void): Promise<T> {
  if (limit === 0) return upload();
  const slot = await slots.acquire(tenantId, limit, UPLOAD_SLOT_LEASE_MS);
  if (!slot) {
    throw new DomainError('rate-limited', `tenant ${tenantId} has ${limit} uploads in flight, its limit on this core: nothing was stored; send this pack again after the Retry-After`, {
      reason: 'too-many-uploads', details: { limit, retryAfterSeconds: UPLOAD_BUSY_RETRY_AFTER_SECONDS },
    });
  }
  try {
    return await upload();
  } finally {
    await slot.release().catch(onReleaseFailed);
  }
}
