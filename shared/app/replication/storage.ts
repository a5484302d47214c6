/**
 * Where replication data lives (DESIGN §5, docs/replication-protocol.md "Storage layout 2").
 * Every key is built from the caller's tenant (from its certificate) and validated ids, never
 * from raw request text:
 *
 *   BlobStore  tenants/<tenantId>/packs/<packId>              the pack, as uploaded (create-once)
 *   BlobStore  tenants/<tenantId>/rps/<rpId>/index/<n>        part n of a committed RP's index (create-once)
 *   BlobStore  tenants/<tenantId>/rps/<rpId>/index-<g>/<n>    part n of generation g ≥ 1 of its index (a roll-up's or GC's reindex; create-once)
 *   Operational uploads/<tenantId>/<rpId>/<h>  id <packId>     UploadRecord: a pack stored under that rpId
 *                                                           (h = the pack id's first hex digit: 16 shards)
 *
 * No object or record per chunk: a pack's upload record holds its chunks' places, and commit
 * folds an RP's upload records into its index (shared/format/rp-index.ts).
 */
import { assertId, assertSha256 } from '../../ids.js';
import type { ChunkLocation } from '../../format/rp-index.js';

export const packKey = (tenantId: string, packId: string): string =>
  `tenants/${assertId('tenantId', tenantId)}/packs/${assertSha256(packId)}`;

/**
 * Part n of an RP's index of generation g: 0 (the commit's) at `…/index/<n>`, a roll-up's or a
 * GC reindex's (docs/lifecycle.md, docs/garbage-collection.md) at `…/index-<g>/<n>`. Read an
 * RP's CURRENT index with its RpIndexRef's generation (rp.index.generation): after a roll-up or a
 * reindex, the commit's index is no longer the RP's.
 */
export const rpIndexKey = (tenantId: string, rpId: string, part: number, generation = 0): string => {
  if (!Number.isSafeInteger(generation) || generation < 0) throw new Error(`index generation ${generation} is not a non-negative integer`);
  return `tenants/${assertId('tenantId', tenantId)}/rps/${assertId('rpId', rpId)}/${generation === 0 ? 'index' : `index-${generation}`}/${String(part).padStart(6, '0')}`;
};

/**
 * The OperationalStore collection of an RP's upload records of packs whose id starts with
 * `shard` (one hex digit). Sixteen collections (DynamoDB partitions) per RP, so a commit lists
 * them in parallel; shard k holds only pack ids starting with k, so listing the shards in order
 * lists every record in pack id order.
 */
export const UPLOAD_SHARDS = '0123456789abcdef';
export const uploadsCollection = (tenantId: string, rpId: string, shard: string): string => {
  if (shard.length !== 1 || !UPLOAD_SHARDS.includes(shard)) throw new Error(`upload shard ${JSON.stringify(shard)} is not a hex digit`);
  return `uploads/${assertId('tenantId', tenantId)}/${assertId('rpId', rpId)}/${shard}`;
};
export const uploadShardOf = (packId: string): string => assertSha256(packId)[0] as string;

/** A pack stored under an rpId: its size, whether this upload charged it, and its chunks' places. */
export interface UploadRecord {
  readonly packId: string;
  readonly machineId: string;
  readonly bytes: number;
  /** True when this upload stored the pack and charged the tenant for it (false: already stored). */
  readonly charged: boolean;
  /** base64 of count × { chunk sha256 32 bytes, offset u32 LE, length u32 LE }. */
  readonly entries: string;
  /** When the record was written (the deps clock); absent on records written before GC existed. */
  readonly storedAt?: string;
}

const ENTRY = 40;

export interface ChunkPlace { readonly id: string; readonly offset: number; readonly length: number }

export function encodeEntries(entries: readonly ChunkPlace[]): string {
  const out = Buffer.alloc(entries.length * ENTRY);
  entries.forEach((e, i) => {
    out.write(e.id, i * ENTRY, 'hex');
    out.writeUInt32LE(e.offset, i * ENTRY + 32);
    out.writeUInt32LE(e.length, i * ENTRY + 36);
  });
  return out.toString('base64');
}

/** The record's chunks; throws on a record that is not one (a corrupt store is a 500, not a client error). */
export function decodeEntries(r: UploadRecord): { id: string; location: ChunkLocation }[] {
  const bytes = Buffer.from(r.entries, 'base64');
  if (bytes.length % ENTRY !== 0 || typeof r.packId !== 'string') throw new Error(`corrupt upload record of pack ${String(r.packId)}`);
  const out: { id: string; location: ChunkLocation }[] = [];
  for (let at = 0; at < bytes.length; at += ENTRY) {
    out.push({ id: bytes.toString('hex', at, at + 32), location: { pack: r.packId, offset: bytes.readUInt32LE(at + 32), length: bytes.readUInt32LE(at + 36) } });
  }
  return out;
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
