/**
 * Recovery-point index (DESIGN §5, docs/replication-protocol.md "Storage layout 2"): where each
 * chunk a recovery point references lives — its pack, offset and length — written by the server
 * once, at commit, so that no chunk needs an object or a lookup of its own (restic's index files
 * and PBS's .fidx are the models). An RP's index is one or more parts; each part is one object.
 * Layout, little-endian:
 *
 *   0  magic 'DRX1'   4 bytes
 *   4  version        u8 (RP_INDEX_VERSION = 1), then 3 reserved zero bytes
 *   8  packCount      u32
 *  12  entryCount     u32, ≥ 1
 *  16  packs          packCount × 32-byte pack id
 *   …  entries        entryCount × { chunk sha256 32 bytes, pack ordinal u32, offset u32, length u32 }
 *   …  checksum       SHA-256 of every byte before it (32 bytes)
 *
 * Entries are sorted by chunk id, strictly ascending (each chunk once), and across the parts of
 * one index too: part k holds ids greater than every id of part k-1, so a lookup picks the part by
 * its first id and bisects it. A part is at most RP_INDEX_PART_MAX_BYTES, so it travels in one
 * Lambda response (6 MB of base64) and one S3 GET. Every part carries its own checksum: a flipped
 * byte in an index is refused, never read as a wrong location.
 */
import { createHash } from 'node:crypto';
import { FormatError } from './errors.js';
import { isSha256Hex } from './hash.js';
import { MAX_PACK_BYTES } from './pack.js';

export const RP_INDEX_MAGIC = Buffer.from('DRX1', 'latin1');
export const RP_INDEX_VERSION = 1;
const HEADER = 16;
const PACK_ID = 32;
export const RP_INDEX_ENTRY_BYTES = 44;
const CHECKSUM = 32;
/** Entries per part: 65,536 × 44 bytes + up to as many pack ids ≤ 4.9 MB; cut at 48 Ki to stay ≤ 3.74 MB. */
export const RP_INDEX_PART_ENTRIES = 49_152;
export const RP_INDEX_PART_MAX_BYTES = HEADER + RP_INDEX_PART_ENTRIES * (RP_INDEX_ENTRY_BYTES + PACK_ID) + CHECKSUM;

/** A chunk's place: the pack holding it and its byte range there. */
export interface ChunkLocation { readonly pack: string; readonly offset: number; readonly length: number }
export interface IndexEntry extends ChunkLocation { readonly chunk: string }


export interface EncodedIndexPart { readonly bytes: Buffer; readonly firstChunk: string }

/** Splits entries (any order, each chunk once) into encoded parts, sorted by chunk id. */
export function encodeRpIndex(entries: readonly IndexEntry[], partEntries = RP_INDEX_PART_ENTRIES): EncodedIndexPart[] {
  if (entries.length === 0) throw new FormatError('an index holds at least one entry');
  const sorted = [...entries].sort((a, b) => (a.chunk < b.chunk ? -1 : a.chunk > b.chunk ? 1 : 0));
  const parts: EncodedIndexPart[] = [];
  for (let at = 0; at < sorted.length; at += partEntries) {
    const slice = sorted.slice(at, at + partEntries);
    parts.push({ bytes: encodePart(slice), firstChunk: (slice[0] as IndexEntry).chunk });
  }
  return parts;
}

function encodePart(entries: readonly IndexEntry[]): Buffer {
  const packs = new Map<string, number>();
  for (const e of entries) if (!packs.has(e.pack)) packs.set(e.pack, packs.size);
  const size = HEADER + packs.size * PACK_ID + entries.length * RP_INDEX_ENTRY_BYTES + CHECKSUM;
  const out = Buffer.alloc(size);
  RP_INDEX_MAGIC.copy(out, 0);
  out[4] = RP_INDEX_VERSION;
  out.writeUInt32LE(packs.size, 8);
  out.writeUInt32LE(entries.length, 12);
  let at = HEADER;
  for (const p of packs.keys()) {
    if (!isSha256Hex(p)) throw new FormatError(`pack id ${JSON.stringify(p)} is not a sha256`);
    out.write(p, at, 'hex');
    at += PACK_ID;
  }
  let previous = '';
  for (const e of entries) {
    if (!isSha256Hex(e.chunk)) throw new FormatError(`chunk id ${JSON.stringify(e.chunk)} is not a sha256`);
    if (e.chunk <= previous) throw new FormatError(`chunk ${e.chunk} appears twice`);
    checkRange(e);
    previous = e.chunk;
    out.write(e.chunk, at, 'hex');
    out.writeUInt32LE(packs.get(e.pack) as number, at + 32);
    out.writeUInt32LE(e.offset, at + 36);
    out.writeUInt32LE(e.length, at + 40);
    at += RP_INDEX_ENTRY_BYTES;
  }
  createHash('sha256').update(out.subarray(0, at)).digest().copy(out, at);
  return out;
}

function checkRange(e: ChunkLocation): void {
  if (!Number.isSafeInteger(e.offset) || !Number.isSafeInteger(e.length) || e.offset < 0 || e.length <= 0 || e.offset + e.length > MAX_PACK_BYTES) {
    throw new FormatError(`location ${e.offset}+${e.length} is outside a pack`);
  }
}

/** One decoded part: lookups bisect its entries without materialising them. */
export class RpIndexPart {
  private constructor(private readonly bytes: Buffer, private readonly packs: readonly string[], private readonly entriesAt: number, readonly count: number) {}

  /** Decodes and checks a part (magic, version, sizes, checksum, order); FormatError otherwise. */
  static decode(bytes: Buffer): RpIndexPart {
    if (bytes.length < HEADER + CHECKSUM) throw new FormatError(`index part of ${bytes.length} bytes is truncated`);
    if (!bytes.subarray(0, 4).equals(RP_INDEX_MAGIC)) throw new FormatError('not an index part (bad magic)');
    if (bytes[4] !== RP_INDEX_VERSION) throw new FormatError(`index version ${bytes[4]} is not supported`);
    const packCount = bytes.readUInt32LE(8);
    const count = bytes.readUInt32LE(12);
    if (count === 0) throw new FormatError('an index part holds no entry');
    const expected = HEADER + packCount * PACK_ID + count * RP_INDEX_ENTRY_BYTES + CHECKSUM;
    if (bytes.length !== expected) throw new FormatError(`index part is ${bytes.length} bytes, its header says ${expected}`);
    const body = bytes.subarray(0, expected - CHECKSUM);
    if (!createHash('sha256').update(body).digest().equals(bytes.subarray(expected - CHECKSUM))) throw new FormatError('index part checksum mismatch');
    const packs: string[] = [];
    for (let i = 0; i < packCount; i++) packs.push(bytes.toString('hex', HEADER + i * PACK_ID, HEADER + (i + 1) * PACK_ID));
    const part = new RpIndexPart(bytes, packs, HEADER + packCount * PACK_ID, count);
    let previous: Buffer | undefined;
    for (let i = 0; i < count; i++) {
      const at = part.entriesAt + i * RP_INDEX_ENTRY_BYTES;
      const id = bytes.subarray(at, at + 32);
      if (previous && Buffer.compare(previous, id) >= 0) throw new FormatError('index entries are not strictly ascending');
      if (bytes.readUInt32LE(at + 32) >= packCount) throw new FormatError('index entry names a pack outside the table');
      checkRange({ pack: '', offset: bytes.readUInt32LE(at + 36), length: bytes.readUInt32LE(at + 40) });
      previous = id;
    }
    return part;
  }

  /** The first chunk id of the part (parts of one index are ordered by it). */
  get firstChunk(): string {
    return this.bytes.toString('hex', this.entriesAt, this.entriesAt + 32);
  }

  entry(i: number): IndexEntry {
    const at = this.entriesAt + i * RP_INDEX_ENTRY_BYTES;
    return {
      chunk: this.bytes.toString('hex', at, at + 32),
      pack: this.packs[this.bytes.readUInt32LE(at + 32)] as string,
      offset: this.bytes.readUInt32LE(at + 36),
      length: this.bytes.readUInt32LE(at + 40),
    };
  }

  /** Entry i's place without making strings (a view of its pack id's 32 bytes): for scans of many entries. */
  placeAt(i: number): { pack: Buffer; offset: number; length: number } {
    const at = this.entriesAt + i * RP_INDEX_ENTRY_BYTES;
    const p = HEADER + this.bytes.readUInt32LE(at + 32) * PACK_ID;
    return { pack: this.bytes.subarray(p, p + PACK_ID), offset: this.bytes.readUInt32LE(at + 36), length: this.bytes.readUInt32LE(at + 40) };
  }

  /** The chunk's location, or undefined when this part does not hold it. */
  find(chunk: string): ChunkLocation | undefined {
    const key = Buffer.from(chunk, 'hex');
    if (key.length !== 32) return undefined;
    let lo = 0;
    let hi = this.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const at = this.entriesAt + mid * RP_INDEX_ENTRY_BYTES;
      const c = Buffer.compare(this.bytes.subarray(at, at + 32), key);
      if (c === 0) {
        const { pack, offset, length } = this.entry(mid);
        return { pack, offset, length };
      }
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  *entries(): Generator<IndexEntry> {
    for (let i = 0; i < this.count; i++) yield this.entry(i);
  }
}

/** Which of the parts (given by their first ids, ascending) may hold `chunk`, or -1. */
export function partFor(firstChunks: readonly string[], chunk: string): number {
  let lo = 0;
  let hi = firstChunks.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if ((firstChunks[mid] as string) <= chunk) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return found;
}
