/**
 * Packs GC is about to delete (issue 11 item 2). Before it deletes unreferenced packs, GC records
 * each one here (`gc-condemned/<tenantId>`, id = pack id), waits longer than any upload or
 * commit handler runs (the settle), looks again at what was referenced meanwhile, and only then
 * deletes. An upload that finds such a pack already stored (its bytes are the same: pack ids
 * are content addresses) must not count on it: it is refused with a retryable 429 until GC is
 * done with the pack, and then stores it anew. Of the upload (record written, then this marker
 * read) and GC (marker written, then, after the settle, the records read), one always sees the
 * other, so a pack that an upload counts on is never deleted.
 */
import { DomainError } from '../../../domain/errors.js';
import { assertId, assertSha256 } from '../../../ids.js';
import type { AppDeps } from '../../deps.js';

export interface CondemnedPack { readonly runId: string; readonly bytes: number; readonly at: string }

export const condemnedCollection = (tenantId: string): string => `gc-condemned/${assertId('tenantId', tenantId)}`;

/** How long an upload refused for a condemned pack is told to wait (the source's retry honours Retry-After). */
export const CONDEMNED_RETRY_SECONDS = 60;

/** Refuses (429, retry later) an upload that would count on a pack GC is deleting. */
export async function refuseIfCondemned(deps: Pick<AppDeps, 'operational'>, tenantId: string, packId: string): Promise<void> {
  const marker = await deps.operational.get<CondemnedPack>(condemnedCollection(tenantId), assertSha256(packId));
  if (marker === undefined) return;
  throw new DomainError('rate-limited', `pack ${packId} is being garbage-collected; nothing was stored: upload it again in ${CONDEMNED_RETRY_SECONDS} s`,
    { details: { retryAfterSeconds: CONDEMNED_RETRY_SECONDS } });
}
