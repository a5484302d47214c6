/**
 * Where replication data lives in the BlobStore (DESIGN §5). Every key is built from the
 * caller's tenant (from its certificate) and validated ids, never from raw request text:
 *
 *   tenants/<tenantId>/packs/<packId>                    the pack, as uploaded (create-once)
 *   tenants/<tenantId>/chunks/<sha[0:2]>/<sha256>        ChunkRecord JSON (create-once)
 *
 * A chunk record is written after its pack, so a record always points at a stored pack. The
 * first pack to store a chunk owns it; later packs holding the same chunk leave it alone.
 */
import { assertId, assertSha256 } from '../../ids.js';

export interface ChunkRecord {
  /** Pack id holding the chunk, and the chunk's place in it. */
  readonly pack: string;
  readonly offset: number;
  readonly length: number;
  /** The machine and RP whose upload stored it first (usage accounting at commit). */
  readonly machine: string;
  readonly rp: string;
}

export const packKey = (tenantId: string, packId: string): string =>
  `tenants/${assertId('tenantId', tenantId)}/packs/${assertSha256(packId)}`;

export const chunkKey = (tenantId: string, chunkId: string): string =>
  `tenants/${assertId('tenantId', tenantId)}/chunks/${assertSha256(chunkId).slice(0, 2)}/${chunkId}`;

export function encodeChunkRecord(r: ChunkRecord): Buffer {
  return Buffer.from(JSON.stringify({ pack: r.pack, offset: r.offset, length: r.length, machine: r.machine, rp: r.rp }), 'utf8');
}

/** Parses a stored record; throws if it is not one (a corrupt store is a 500, not a client error). */
export function decodeChunkRecord(bytes: Buffer, key: string): ChunkRecord {
  const r = JSON.parse(bytes.toString('utf8')) as Partial<ChunkRecord>;
  if (typeof r.pack !== 'string' || !Number.isSafeInteger(r.offset) || !Number.isSafeInteger(r.length)
    || typeof r.machine !== 'string' || typeof r.rp !== 'string') {
    throw new Error(`corrupt chunk record ${key}`);
  }
  return r as ChunkRecord;
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
