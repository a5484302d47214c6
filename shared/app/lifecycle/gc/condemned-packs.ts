/**
 * Packs GC is about to delete (issue 11 item 2). Before it deletes unreferenced packs, GC records
 * them here, waits longer than any upload or commit handler runs (the settle), looks again at
 * what was referenced meanwhile, and only then deletes. An upload that finds such a pack already
 * stored (its bytes are the same: pack ids are content addresses) must not count on it: it is
 * refused with a retryable 429 until GC is done with the pack, and then stores it anew. Of the
 * upload (record written after the condemned set is read) and GC (condemned set written, then,
 * after the settle, the records read), one always sees the other, so a pack an upload counts on
 * is never deleted.
 *
 * The set is kept in 256 records per tenant (`gc-condemned/<tenantId>`, id = the pack ids' first
 * two hex digits), each listing its packs: a run writes and deletes at most 256 records whatever
 * it condemns (the local store commits each write to disk), and an upload reads one.
 */
import { DomainError } from '../../../domain/errors.js';
import { assertId, assertSha256 } from '../../../ids.js';
import type { AppDeps } from '../../deps.js';

/** One bucket of condemned packs: `ids` the pack ids concatenated (64 hex each), `bytes` their sizes, in the same order (ascending ids). */
export interface CondemnedBucket { readonly runId: string; readonly at: string; readonly ids: string; readonly bytes: number[] }

/** Packs one bucket lists at most (≈ 300 KB of record: DynamoDB items stop at 400 KB). */
export const MAX_BUCKET_PACKS = 4096;

export const condemnedCollection = (tenantId: string): string => `gc-condemned/${assertId('tenantId', tenantId)}`;
export const bucketOf = (packId: string): string => assertSha256(packId).slice(0, 2);

/** Whether the bucket lists the pack. */
export function bucketHas(bucket: CondemnedBucket, packId: string): boolean {
  for (let at = bucket.ids.indexOf(packId); at >= 0; at = bucket.ids.indexOf(packId, at + 1)) if (at % 64 === 0) return true;
  return false;
}

/** The bucket's packs, in order. */
export function bucketPacks(bucket: CondemnedBucket): { packId: string; bytes: number }[] {
  return bucket.bytes.map((bytes, i) => ({ packId: bucket.ids.slice(i * 64, (i + 1) * 64), bytes }));
}

/** How long an upload refused for a condemned pack is told to wait (the source's retry honours Retry-After). */
export const CONDEMNED_RETRY_SECONDS = 60;

/** Refuses (429, retry later) an upload that would count on a pack GC is deleting. */
export async function refuseIfCondemned(deps: Pick<AppDeps, 'operational'>, tenantId: string, packId: string): Promise<void> {
  const bucket = await deps.operational.get<CondemnedBucket>(condemnedCollection(tenantId), bucketOf(packId));
  if (bucket === undefined || !bucketHas(bucket, packId)) return;
  throw new DomainError('rate-limited', `pack ${packId} is being garbage-collected; nothing was stored: upload it again in ${CONDEMNED_RETRY_SECONDS} s`,
    { details: { retryAfterSeconds: CONDEMNED_RETRY_SECONDS } });
}
