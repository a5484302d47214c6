/**
 * Pack format (DESIGN §5): one upload request body holding one or more chunks, stored as one
 * object. Layout, little-endian:
 *
 *   0  magic 'DRP1'   4 bytes
 *   4  version        u8 (PACK_VERSION = 1), then 3 reserved zero bytes
 *   8  count          u32, ≥ 1
 *  12  index          count × { sha256 32 bytes, offset u32, length u32 }
 *   …  chunk bytes    contiguous, in index order, nothing after the last one
 *
 * The layout is canonical (offsets follow from lengths), so any flipped byte or truncation is
 * detected: in the header or index by the structural checks, in chunk bytes by SHA-256.
 * Pack id = SHA-256 of the header and index (everything before the first chunk byte). The index
 * holds every chunk's SHA-256 and the layout is canonical, so the id commits to every byte of
 * the pack (a Merkle root of depth one) while each byte is hashed once, not twice: verifyPack
 * checks every chunk against its index entry and the id against the header and index.
 *
 * DECISION: the size limit. DESIGN says "at most 4 MiB" per pack, and a chunk holds at most one
 * 4 MiB extent; a FULL chunk of incompressible data is therefore 4 MiB + its 12-byte header and
 * could never travel if the limit were 4 MiB exactly. Splitting such extents in two chunks would
 * complicate every manifest entry and restore. Instead the limit is 4 MiB of chunk payload plus
 * a bounded framing allowance: MAX_PACK_BYTES = 4 MiB + 4 KiB = 4,198,400 bytes. Every chunk
 * (≤ MAX_CHUNK_BYTES = 4 MiB + 64) fits alone in one pack with its 52-byte pack framing.
 * Transport check: base64 of 4,198,400 bytes is 5,597,868 bytes — under API Gateway's 10 MB
 * payload limit and under Lambda's 6 MB (6,291,456 bytes) synchronous invocation payload with
 * ~690 KB left for the rest of the proxy event. Servers must enforce MAX_PACK_BYTES, not 4 MiB.
 */
import { readChunkHeader, MAX_CHUNK_BYTES, MIN_CHUNK_BYTES } from './chunk.js';
import { FormatError, PackFormatError } from './errors.js';
import { EXTENT_SIZE } from './geometry.js';
import { isSha256Hex, sha256Hex } from './hash.js';

export { PackFormatError } from './errors.js';

export const PACK_MAGIC = Buffer.from('DRP1', 'latin1');
export const PACK_VERSION = 1;
export const PACK_HEADER_BYTES = 12;
export const PACK_INDEX_ENTRY_BYTES = 40;
/** Framing allowance on top of 4 MiB of chunk bytes (see DECISION above). */
export const PACK_FRAMING_ALLOWANCE = 4 * 1024;
export const MAX_PACK_BYTES = EXTENT_SIZE + PACK_FRAMING_ALLOWANCE;
/** The most chunks a pack can hold (each at least a chunk header). */
export const MAX_PACK_CHUNKS = Math.floor((MAX_PACK_BYTES - PACK_HEADER_BYTES) / (PACK_INDEX_ENTRY_BYTES + MIN_CHUNK_BYTES));

/** A chunk given to the packer: its bytes, optionally with its already computed id. */
export type PackInput = Uint8Array | { readonly id: string; readonly bytes: Uint8Array };

export interface PackEntry {
  readonly id: string;
  readonly offset: number;
  readonly length: number;
  /** The chunk's bytes: a view into the pack buffer (no copy). */
  readonly bytes: Buffer;
}

export interface EncodedPack {
  readonly id: string;
  readonly bytes: Buffer;
  readonly chunkIds: readonly string[];
}

export interface VerifiedPack {
  readonly id: string;
  readonly entries: readonly PackEntry[];
}

/** Bytes a pack of these chunk lengths occupies. */
export const packSize = (chunkCount: number, chunkBytes: number): number =>
  PACK_HEADER_BYTES + chunkCount * PACK_INDEX_ENTRY_BYTES + chunkBytes;

const toBuffer = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** Builds one pack; throws PackFormatError if it would exceed MAX_PACK_BYTES or repeat a chunk. */
export function encodePack(chunks: readonly PackInput[]): EncodedPack {
  if (chunks.length === 0) throw new PackFormatError('a pack holds at least one chunk');
  const items = chunks.map((c) => (c instanceof Uint8Array ? { id: sha256Hex(c), bytes: toBuffer(c) } : { id: c.id, bytes: toBuffer(c.bytes) }));
  const total = packSize(items.length, items.reduce((n, c) => n + c.bytes.length, 0));
  if (total > MAX_PACK_BYTES) throw new PackFormatError(`pack of ${total} bytes exceeds ${MAX_PACK_BYTES}`);
  const out = Buffer.allocUnsafe(total);
  PACK_MAGIC.copy(out, 0);
  out.writeUInt32LE(PACK_VERSION, 4); // version byte + three zero reserved bytes
  out.writeUInt32LE(items.length, 8);
  const seen = new Set<string>();
  let at = PACK_HEADER_BYTES + items.length * PACK_INDEX_ENTRY_BYTES;
  items.forEach((c, i) => {
    if (seen.has(c.id)) throw new PackFormatError(`chunk ${c.id} appears twice`);
    seen.add(c.id);
    const slot = PACK_HEADER_BYTES + i * PACK_INDEX_ENTRY_BYTES;
    if (!isSha256Hex(c.id)) throw new PackFormatError(`bad chunk id ${JSON.stringify(c.id)}`);
    out.write(c.id, slot, 32, 'hex');
    out.writeUInt32LE(at, slot + 32);
    out.writeUInt32LE(c.bytes.length, slot + 36);
    at += c.bytes.copy(out, at);
  });
  return { id: packId(out), bytes: out, chunkIds: items.map((c) => c.id) };
}

/**
 * Parses a pack and checks its structure (size, magic, version, canonical index, chunk headers)
 * without hashing. Throws PackFormatError. Use verifyPack for untrusted input.
 */
export function decodePack(pack: Uint8Array): PackEntry[] {
  const buf = toBuffer(pack);
  if (buf.length > MAX_PACK_BYTES) throw new PackFormatError(`pack is ${buf.length} bytes, over the ${MAX_PACK_BYTES}-byte limit`);
  if (buf.length < PACK_HEADER_BYTES) throw new PackFormatError(`pack is truncated: ${buf.length} bytes, shorter than its header`);
  if (!PACK_MAGIC.equals(buf.subarray(0, 4))) throw new PackFormatError('not a pack: bad magic');
  if (buf[4] !== PACK_VERSION) throw new PackFormatError(`unsupported pack version ${buf[4]}`);
  if (buf[5] !== 0 || buf[6] !== 0 || buf[7] !== 0) throw new PackFormatError('reserved pack header bytes are not zero');
  const count = buf.readUInt32LE(8);
  if (count === 0) throw new PackFormatError('pack holds no chunk');
  if (count > MAX_PACK_CHUNKS) throw new PackFormatError(`pack claims ${count} chunks, at most ${MAX_PACK_CHUNKS} fit`);
  const dataStart = PACK_HEADER_BYTES + count * PACK_INDEX_ENTRY_BYTES;
  if (buf.length < dataStart) throw new PackFormatError(`pack is truncated: its index of ${count} entries needs ${dataStart} bytes, got ${buf.length}`);
  const entries: PackEntry[] = [];
  const seen = new Set<string>();
  let expected = dataStart;
  for (let i = 0; i < count; i++) {
    const slot = PACK_HEADER_BYTES + i * PACK_INDEX_ENTRY_BYTES;
    const id = buf.toString('hex', slot, slot + 32);
    const offset = buf.readUInt32LE(slot + 32);
    const length = buf.readUInt32LE(slot + 36);
    if (seen.has(id)) throw new PackFormatError(`entry ${i}: chunk ${id} appears twice`);
    seen.add(id);
    if (offset < expected) throw new PackFormatError(`entry ${i}: offset ${offset} overlaps the index or the previous chunk (expected ${expected})`);
    if (offset > expected) throw new PackFormatError(`entry ${i}: gap before offset ${offset} (expected ${expected})`);
    if (length < MIN_CHUNK_BYTES || length > MAX_CHUNK_BYTES) throw new PackFormatError(`entry ${i}: chunk length ${length} out of ${MIN_CHUNK_BYTES}..${MAX_CHUNK_BYTES}`);
    if (offset + length > buf.length) throw new PackFormatError(`pack is truncated: entry ${i} ends at ${offset + length}, pack has ${buf.length} bytes`);
    const bytes = buf.subarray(offset, offset + length);
    try {
      readChunkHeader(bytes);
    } catch (err) {
      throw new PackFormatError(`entry ${i} (${id}): ${err instanceof FormatError ? err.detail : String(err)}`);
    }
    entries.push({ id, offset, length, bytes });
    expected = offset + length;
  }
  if (expected !== buf.length) throw new PackFormatError(`${buf.length - expected} unexpected bytes after the last chunk`);
  return entries;
}

/**
 * Full verification of an untrusted pack: structure (decodePack) and every chunk's SHA-256
 * against its index entry; optionally the pack id itself. Returns the pack id and entries.
 */
export function verifyPack(pack: Uint8Array, expectedId?: string): VerifiedPack {
  const entries = decodePack(pack);
  for (const [i, e] of entries.entries()) {
    const actual = sha256Hex(e.bytes);
    if (actual !== e.id) throw new PackFormatError(`entry ${i}: chunk bytes hash to ${actual}, index says ${e.id}`);
  }
  const id = packId(pack);
  if (expectedId !== undefined && id !== expectedId) throw new PackFormatError(`pack header and index hash to ${id}, expected ${expectedId}`);
  return { id, entries };
}

/** Pack id: SHA-256 (hex) of the header and index (see the file header for why that covers every byte). */
export function packId(pack: Uint8Array): string {
  const buf = toBuffer(pack);
  const count = buf.length >= PACK_HEADER_BYTES ? buf.readUInt32LE(8) : 0;
  return sha256Hex(buf.subarray(0, Math.min(buf.length, PACK_HEADER_BYTES + count * PACK_INDEX_ENTRY_BYTES)));
}
