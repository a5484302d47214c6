/**
 * What a core stores, split into chunk payload and metadata. DEFINITION (the report's):
 *
 *   payload  = the bytes of FULL and DELTA chunks after their chunk header — the volume data
 *              itself, as stored (compressed where that saved space);
 *   metadata = everything else that is stored: chunk headers, pack headers and indexes,
 *              manifest chunks (roots and parts), the RP indexes (one object per 49,152
 *              chunks), the upload records (one DynamoDB item per pack), any other object, and the DynamoDB items of the event log (with its `$log`
 *              entries) and of the read models, each item with DynamoDB's 100 bytes of
 *              per-item storage overhead.
 *
 * Blob bytes are the objects' sizes (the file sizes under DATA/blobs, one per S3 object);
 * DynamoDB bytes are the AWS item sizes of the rows in DATA/events.db and DATA/read-models.db.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { storedEventToItem } from '../shared/adapters/aws/dynamodb-event-item.js';
import { logEntryToItem } from '../shared/adapters/aws/dynamodb-event-log.js';
import { documentBytes } from '../shared/adapters/counting/counting-read-models.js';
import { itemBytes } from '../shared/adapters/counting/dynamodb-units.js';
import { CHECKPOINT_COLLECTION, OPERATIONAL_COLLECTION_PREFIX } from '../shared/adapters/aws/table-schemas.js';
import { decodePack, readChunkHeader } from '../shared/format/index.js';

/** DynamoDB bills 100 bytes of overhead per stored item. */
export const DYNAMODB_ITEM_OVERHEAD = 100;

export interface PackBytes { payload: number; chunkHeaders: number; manifests: number; framing: number }

/** One pack, split: data payload, chunk headers, manifest chunks, pack header and index. */
export function classifyPack(pack: Buffer): PackBytes {
  const out: PackBytes = { payload: 0, chunkHeaders: 0, manifests: 0, framing: pack.length };
  for (const e of decodePack(pack)) {
    out.framing -= e.length;
    const h = readChunkHeader(e.bytes);
    if (h.kind === 'MANIFEST') out.manifests += e.length;
    else { out.payload += e.length - h.headerLength; out.chunkHeaders += h.headerLength; }
  }
  return out;
}

export interface StoredBytes extends PackBytes {
  rpIndexes: number; uploadRecords: number; otherObjects: number; objects: number;
  events: number; readModels: number;
  total: number; metadata: number;
}

export function emptyStoredBytes(): StoredBytes {
  return { payload: 0, chunkHeaders: 0, manifests: 0, framing: 0, rpIndexes: 0, uploadRecords: 0, otherObjects: 0, objects: 0, events: 0, readModels: 0, total: 0, metadata: 0 };
}

/** Adds metadata and total from the parts. */
export function withTotals(s: StoredBytes): StoredBytes {
  const metadata = s.chunkHeaders + s.manifests + s.framing + s.rpIndexes + s.uploadRecords + s.otherObjects + s.events + s.readModels;
  return { ...s, metadata, total: s.payload + metadata };
}

function walk(dir: string, visit: (path: string, rel: string[]) => void, rel: string[] = []): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, visit, [...rel, e.name]);
    else if (!e.name.includes('~')) visit(p, [...rel, e.name]); // '~': the file store's temp files
  }
}

/** Sums a core's data dir (the core stopped, or idle). */
export async function storedBytesOf(dataDir: string): Promise<StoredBytes> {
  const s = emptyStoredBytes();
  walk(join(dataDir, 'blobs'), (path, rel) => {
    s.objects += 1;
    const kind = rel[0] === 'tenants' ? rel[2] : undefined;
    if (kind === 'packs') {
      const p = classifyPack(readFileSync(path));
      s.payload += p.payload; s.chunkHeaders += p.chunkHeaders; s.manifests += p.manifests; s.framing += p.framing;
    } else if (kind === 'rps') s.rpIndexes += statSync(path).size;
    else s.otherObjects += statSync(path).size;
  });
  const { DatabaseSync } = await import('node:sqlite');
  const events = new DatabaseSync(join(dataDir, 'events.db'), { readOnly: true });
  try {
    type EventRow = { stream_id: string; version: number; type: string; data: string; at: string; actor: string; prev_hash: string; hash: string };
    let seq = 0;
    for (const r of events.prepare('SELECT stream_id, version, type, data, at, actor, prev_hash, hash FROM events ORDER BY position').iterate() as Iterable<EventRow>) {
      const item = storedEventToItem({ streamId: r.stream_id, version: r.version, type: r.type, data: JSON.parse(r.data) as unknown, at: r.at, actor: r.actor, prevHash: r.prev_hash, hash: r.hash });
      // On DynamoDB every append also writes one `$log` entry; counted here as one per event (appends are mostly of one event).
      const entry = logEntryToItem({ seq: ++seq, streamId: r.stream_id, from: r.version, count: 1 });
      s.events += itemBytes(item) + itemBytes(entry) + 2 * DYNAMODB_ITEM_OVERHEAD;
    }
  } finally { events.close(); }
  const models = new DatabaseSync(join(dataDir, 'read-models.db'), { readOnly: true });
  try {
    for (const r of models.prepare('SELECT collection, id, doc FROM documents').iterate() as Iterable<{ collection: string; id: string; doc: string }>) {
      s.readModels += documentBytes(r.collection, r.id, JSON.parse(r.doc) as unknown) + DYNAMODB_ITEM_OVERHEAD;
    }
  } finally { models.close(); }
  // The operational store (notifications, checkpoints, projection dead letters) shares the
  // read-model table on AWS: counted with the read models.
  const operationalFile = join(dataDir, 'operational.db');
  if (existsSync(operationalFile)) {
    const operational = new DatabaseSync(operationalFile, { readOnly: true });
    try {
      for (const r of operational.prepare('SELECT collection, id, doc FROM records').iterate() as Iterable<{ collection: string; id: string; doc: string }>) {
        const bytes = documentBytes(`${OPERATIONAL_COLLECTION_PREFIX}ops/${r.collection}`, r.id, JSON.parse(r.doc) as unknown) + DYNAMODB_ITEM_OVERHEAD;
        if (r.collection.startsWith('uploads/')) s.uploadRecords += bytes;
        else s.readModels += bytes;
      }
      for (const r of operational.prepare('SELECT name, cursor FROM checkpoints').iterate() as Iterable<{ name: string; cursor: string }>) {
        s.readModels += documentBytes(CHECKPOINT_COLLECTION, r.name, r.cursor) + DYNAMODB_ITEM_OVERHEAD;
      }
    } finally { operational.close(); }
  }
  return withTotals(s);
}
