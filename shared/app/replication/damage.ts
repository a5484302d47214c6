/**
 * Damaged chunks and their healed copies (issue 10 item 4): a chunk read found corrupt gets a
 * damaged record (chunk-reader.ts); `missing` lists it again, and the next pack that carries it
 * — under any RP of the tenant — heals it: `ChunkHealed` is appended, a relocation record points
 * reads at the new copy, and the damaged record goes. Both are small per-tenant collections of
 * the OperationalStore, empty on a healthy tenant (an upload reads one empty page).
 */
import { assertId } from '../../ids.js';
import type { ChunkLocation } from '../../format/rp-index.js';
import type { CommandMeta } from '../command-handler.js';
import type { AppDeps } from '../deps.js';
import { chunkIntegrityHandler } from '../handlers.js';

export interface DamagedRecord extends ChunkLocation { readonly chunk: string }

export const damagedCollection = (tenantId: string): string => `damaged/${assertId('tenantId', tenantId)}`;
export const relocatedCollection = (tenantId: string): string => `relocated/${assertId('tenantId', tenantId)}`;

/** The tenant's damaged chunk ids (a handful at most on a healthy store: read in pages of 1000). */
export async function damagedChunks(deps: Pick<AppDeps, 'operational'>, tenantId: string): Promise<Set<string>> {
  const out = new Set<string>();
  let after: string | undefined;
  do {
    const page = await deps.operational.listPage<DamagedRecord>(damagedCollection(tenantId), { ...(after !== undefined ? { after } : {}), limit: 1000 });
    for (const r of page.records) out.add(r.id);
    after = page.next;
  } while (after !== undefined);
  return out;
}

/** Heals every damaged chunk that the verified pack `packId` carries. */
export async function healFrom(
  deps: Pick<AppDeps, 'operational' | 'events'>, tenantId: string, packId: string,
  entries: readonly { id: string; offset: number; length: number }[], meta: CommandMeta,
): Promise<string[]> {
  const damaged = await damagedChunks(deps, tenantId);
  if (damaged.size === 0) return [];
  const healed: string[] = [];
  for (const e of entries) {
    if (!damaged.has(e.id)) continue;
    const location: ChunkLocation = { pack: packId, offset: e.offset, length: e.length };
    await chunkIntegrityHandler(deps, { tenantId, chunkId: e.id }, { type: 'RecordChunkHealed', data: { tenantId, chunk: e.id, ...location } }, meta);
    await deps.operational.put(relocatedCollection(tenantId), e.id, location);
    await deps.operational.delete(damagedCollection(tenantId), e.id);
    healed.push(e.id);
  }
  return healed;
}
