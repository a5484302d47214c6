/**
 * An RP's upload records (storage.ts): one per pack stored under its rpId, in the
 * OperationalStore (16 collections per RP by the pack id's first hex digit), written after the
 * pack object and read in pages — by commit (which folds them into the RP's index, listing the
 * 16 shards in parallel), by `missing` and by the source's resume listing. One DynamoDB item per
 * pack, never one per chunk.
 */
import type { AppDeps } from '../deps.js';
import type { ChunkLocation } from '../../format/rp-index.js';
import { decodeEntries, UPLOAD_SHARDS, uploadsCollection, uploadShardOf, type UploadRecord } from './storage.js';

const PAGE = 1000;
type Ops = Pick<AppDeps, 'operational'>;

export async function putUploadRecord(deps: Ops, tenantId: string, rpId: string, record: UploadRecord): Promise<void> {
  await deps.operational.put(uploadsCollection(tenantId, rpId, uploadShardOf(record.packId)), record.packId, record);
}

export async function getUploadRecord(deps: Ops, tenantId: string, rpId: string, packId: string): Promise<UploadRecord | undefined> {
  return deps.operational.get<UploadRecord>(uploadsCollection(tenantId, rpId, uploadShardOf(packId)), packId);
}

/** Up to `limit` upload records of the RP with pack id > `after`, in pack id order, and where to go on (undefined: the end). */
export async function uploadPage(deps: Ops, tenantId: string, rpId: string, after: string | undefined, limit = PAGE): Promise<{ records: UploadRecord[]; next: string | undefined }> {
  const from = after === undefined ? 0 : UPLOAD_SHARDS.indexOf(uploadShardOf(after));
  for (let k = from; k < UPLOAD_SHARDS.length; k++) {
    const shardAfter = k === from ? after : undefined;
    const page = await deps.operational.listPage<UploadRecord>(uploadsCollection(tenantId, rpId, UPLOAD_SHARDS[k] as string), { ...(shardAfter !== undefined ? { after: shardAfter } : {}), limit });
    if (page.records.length === 0) continue;
    const records = page.records.map((r) => r.record);
    const last = (records[records.length - 1] as UploadRecord).packId;
    // More may follow in this shard (page.next) or in a later one.
    return { records, next: page.next !== undefined || k < UPLOAD_SHARDS.length - 1 ? last : undefined };
  }
  return { records: [], next: undefined };
}

/** Every upload record of one shard, page by page. */
async function shardRecords(deps: Ops, collection: string, each: (r: UploadRecord) => void): Promise<void> {
  let after: string | undefined;
  do {
    const page = await deps.operational.listPage<UploadRecord>(collection, { ...(after !== undefined ? { after } : {}), limit: PAGE });
    for (const r of page.records) each(r.record);
    after = page.next;
  } while (after !== undefined);
}

/** Calls `each` with every upload record of the RP; the 16 shards are listed in parallel (order between shards is not kept). */
export async function forEachUploadRecord(deps: Ops, tenantId: string, rpId: string, each: (r: UploadRecord) => void): Promise<void> {
  await Promise.all([...UPLOAD_SHARDS].map((shard) => shardRecords(deps, uploadsCollection(tenantId, rpId, shard), each)));
}

/** Where each chunk uploaded under the RP is (the smallest pack id wins for a chunk stored twice), and what the RP's uploads charged. */
export async function uploadedChunks(deps: Ops, tenantId: string, rpId: string): Promise<{ chunks: Map<string, ChunkLocation>; packs: number; chargedBytes: number }> {
  const chunks = new Map<string, ChunkLocation>();
  let packs = 0;
  let chargedBytes = 0;
  await forEachUploadRecord(deps, tenantId, rpId, (r) => {
    packs++;
    if (r.charged) chargedBytes += r.bytes;
    for (const { id, location } of decodeEntries(r)) {
      const known = chunks.get(id);
      if (!known || location.pack < known.pack) chunks.set(id, location);
    }
  });
  return { chunks, packs, chargedBytes };
}
