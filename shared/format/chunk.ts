/**
 * Chunk format (DESIGN §5). A chunk is content-addressed: its id is the SHA-256 of the stored
 * bytes below (see `chunkId` in hash.ts). Layout, little-endian:
 *
 *   0  magic 'DRC1'            4 bytes
 *   4  version                 u8  (CHUNK_VERSION = 1)
 *   5  kind                    u8  FULL = 1, DELTA of sub-blocks = 2, MANIFEST = 3, DELTA of blocks = 4
 *   6  codec                   u8  0 = none, 1 = zstd (codec.ts)
 *   7  reserved                u8  0
 *   8  raw length              u32 decoded payload length, ≤ MAX_CHUNK_RAW (4 MiB)
 *  kind 2 (written before blocks existed; read, never written by the source any more):
 *  12  bitmap                  u64 bit j set = sub-block j of the extent is in the payload
 *  kind 4:
 *  12  block size              u32 1..MAX_CHUNK_RAW (4 KiB for the default geometry)
 *  16  bitmap words            u8  w = 1..16
 *  17  reserved                3 × u8 0
 *  20  block bitmap            8 × w bytes, canonical (block-delta.ts): bit j = block j is in the payload
 *  payload                     stored (possibly compressed) bytes, after the header (12, 20 or 20 + 8w)
 *
 * FULL: the whole extent. DELTA (kind 2): the changed sub-blocks (the manifest geometry's
 * sub-block size) concatenated in ascending order. DELTA (kind 4): the changed blocks of the
 * block size it names, concatenated in ascending order, all of them whole but the last (which
 * may be the short last block of a short extent). Both decode to kind 'DELTA' (the manifest
 * does not tell them apart); `form` does. MANIFEST: a manifest root or part (manifest-codec.ts).
 * ZERO extents have no chunk. A payload is kept compressed only when smaller than raw, and a
 * header plus its raw payload never exceeds MAX_CHUNK_BYTES = 4 MiB + 64, so no chunk does — a
 * FULL chunk of incompressible data is 4 MiB + 12; a kind 4 DELTA carries at most
 * 4 MiB − 80 bytes of blocks, which the source never approaches (it sends FULL when more than
 * half an extent changed).
 */
import { decodePayload, encodePayload, isCodec, type Codec, type EncodeOptions } from './codec.js';
import { blockCount, checkBlockBitmap } from './block-delta.js';
import { ChunkFormatError, FormatError } from './errors.js';
import { MAX_CHUNK_RAW } from './geometry.js';

export const CHUNK_MAGIC = Buffer.from('DRC1', 'latin1');
export const CHUNK_VERSION = 1;
export const KIND_FULL = 1;
export const KIND_DELTA = 2;
export const KIND_MANIFEST = 3;
export const KIND_BLOCK_DELTA = 4;
const BASE_HEADER = 12;
const DELTA_HEADER = 20;
const BLOCK_DELTA_FIXED = 20;
/** Room beyond MAX_CHUNK_RAW for a header: MAX_CHUNK_BYTES = MAX_CHUNK_RAW + this ≥ any header + its raw payload. */
export const CHUNK_HEADER_MAX = 64;
export const MAX_CHUNK_BYTES = MAX_CHUNK_RAW + CHUNK_HEADER_MAX;
/** The smallest well-formed chunk (a header with an empty payload). */
export const MIN_CHUNK_BYTES = BASE_HEADER;

export type ChunkKind = 'FULL' | 'DELTA' | 'MANIFEST';

interface ChunkBase {
  readonly codec: Codec;
  /** Decoded payload; may share memory with the chunk buffer (codec none): do not mutate. */
  readonly data: Buffer;
}
export interface FullChunk extends ChunkBase { readonly kind: 'FULL' }
/** Kind 2: the payload is the sub-blocks (of the manifest geometry's size) set in `bitmap`. */
export interface SubBlockDeltaChunk extends ChunkBase { readonly kind: 'DELTA'; readonly form: 'sub-blocks'; readonly bitmap: bigint }
/** Kind 4: the payload is the blocks of `blockSize` bytes set in the block bitmap `blocks`. */
export interface BlockDeltaChunk extends ChunkBase { readonly kind: 'DELTA'; readonly form: 'blocks'; readonly blockSize: number; readonly blocks: Buffer }
export type DeltaChunk = SubBlockDeltaChunk | BlockDeltaChunk;
export interface ManifestChunk extends ChunkBase { readonly kind: 'MANIFEST' }
export type DecodedChunk = FullChunk | DeltaChunk | ManifestChunk;

export interface ChunkHeader {
  readonly kind: ChunkKind;
  readonly codec: Codec;
  readonly rawLength: number;
  readonly headerLength: number;
  /** DELTA only: which of the two forms. */
  readonly form?: DeltaChunk['form'];
  /** Kind 2 only. */
  readonly bitmap?: bigint;
  /** Kind 4 only. */
  readonly blockSize?: number;
  readonly blocks?: Buffer;
}

const KIND_NAMES: Record<number, ChunkKind> = { [KIND_FULL]: 'FULL', [KIND_DELTA]: 'DELTA', [KIND_MANIFEST]: 'MANIFEST', [KIND_BLOCK_DELTA]: 'DELTA' };
const U64 = (1n << 64n) - 1n;

/** A chunk: the base header, then `extra` (the rest of a DELTA header), then the payload. */
function encode(kindCode: number, raw: Uint8Array, options: EncodeOptions, extra?: Buffer): Buffer {
  if (raw.length > MAX_CHUNK_RAW) {
    throw new ChunkFormatError(`a chunk holds at most ${MAX_CHUNK_RAW} raw bytes, got ${raw.length}`);
  }
  const headerLength = BASE_HEADER + (extra?.length ?? 0);
  if (headerLength + raw.length > MAX_CHUNK_BYTES) {
    throw new ChunkFormatError(`a chunk with a ${headerLength}-byte header holds at most ${MAX_CHUNK_BYTES - headerLength} raw bytes, got ${raw.length}`);
  }
  const { codec, data } = encodePayload(raw, options);
  const out = Buffer.allocUnsafe(headerLength + data.length);
  CHUNK_MAGIC.copy(out, 0);
  out[4] = CHUNK_VERSION;
  out[5] = kindCode;
  out[6] = codec;
  out[7] = 0;
  out.writeUInt32LE(raw.length, 8);
  extra?.copy(out, BASE_HEADER);
  data.copy(out, headerLength);
  return out;
}

/** A FULL chunk holding a whole extent (≤ 4 MiB). */
export function encodeFullChunk(extentBytes: Uint8Array, options: EncodeOptions = {}): Buffer {
  return encode(KIND_FULL, extentBytes, options);
}

/**
 * A DELTA chunk of kind 2: `bitmap` of the changed sub-blocks and those sub-blocks concatenated
 * in ascending order (see delta.ts `extractSubBlocks`). The bitmap must be non-zero. The source
 * writes block deltas (encodeBlockDeltaChunk); this stays for reading and testing older chains.
 */
export function encodeDeltaChunk(bitmap: bigint, subBlocks: Uint8Array, options: EncodeOptions = {}): Buffer {
  if (bitmap <= 0n || bitmap > U64) throw new ChunkFormatError('a delta bitmap must be a non-zero 64-bit value');
  const extra = Buffer.allocUnsafe(DELTA_HEADER - BASE_HEADER);
  extra.writeBigUInt64LE(bitmap, 0);
  return encode(KIND_DELTA, subBlocks, options, extra);
}

/** Throws a ChunkFormatError unless `rawLength` bytes can be the blocks `blocks` selects. */
function checkBlockPayload(blocks: Uint8Array, blockSize: number, rawLength: number): void {
  const n = blockCount(blocks);
  if (rawLength > n * blockSize || rawLength <= (n - 1) * blockSize) {
    throw new ChunkFormatError(`a delta of ${n} blocks of ${blockSize} bytes cannot carry ${rawLength} bytes`);
  }
}

function checkedBlockBitmap(blocks: Uint8Array): void {
  try {
    checkBlockBitmap(blocks);
  } catch (err) {
    throw new ChunkFormatError(err instanceof FormatError ? err.detail : String(err));
  }
}

/**
 * A DELTA chunk of kind 4: the canonical block bitmap `blocks` (block-delta.ts) of the changed
 * blocks of `blockSize` bytes, and those blocks concatenated in ascending order (extractBlocks).
 */
export function encodeBlockDeltaChunk(blockSize: number, blocks: Uint8Array, payload: Uint8Array, options: EncodeOptions = {}): Buffer {
  if (!Number.isSafeInteger(blockSize) || blockSize <= 0 || blockSize > MAX_CHUNK_RAW) {
    throw new ChunkFormatError(`a block size must be an integer in 1..${MAX_CHUNK_RAW}, got ${blockSize}`);
  }
  checkedBlockBitmap(blocks);
  checkBlockPayload(blocks, blockSize, payload.length);
  const extra = Buffer.alloc(BLOCK_DELTA_FIXED - BASE_HEADER + blocks.length);
  extra.writeUInt32LE(blockSize, 0);
  extra[4] = blocks.length / 8;
  extra.set(blocks, BLOCK_DELTA_FIXED - BASE_HEADER);
  return encode(KIND_BLOCK_DELTA, payload, options, extra);
}

/** A MANIFEST chunk (manifest root or part). */
export function encodeManifestChunk(payload: Uint8Array, options: EncodeOptions = {}): Buffer {
  return encode(KIND_MANIFEST, payload, options);
}

function readBlockDeltaHeader(b: Buffer, codec: Codec, rawLength: number): ChunkHeader {
  if (b.length < BLOCK_DELTA_FIXED) throw new ChunkFormatError('delta chunk shorter than its header');
  const blockSize = b.readUInt32LE(12);
  if (blockSize === 0 || blockSize > MAX_CHUNK_RAW) throw new ChunkFormatError(`delta block size ${blockSize} out of 1..${MAX_CHUNK_RAW}`);
  const words = b[16] ?? 0;
  if (words === 0 || words > 16) throw new ChunkFormatError(`delta bitmap of ${words} words, not 1..16`);
  if (b[17] !== 0 || b[18] !== 0 || b[19] !== 0) throw new ChunkFormatError('reserved delta header bytes are not zero');
  const headerLength = BLOCK_DELTA_FIXED + words * 8;
  if (b.length < headerLength) throw new ChunkFormatError('delta chunk shorter than its header');
  const blocks = Buffer.from(b.subarray(BLOCK_DELTA_FIXED, headerLength));
  checkedBlockBitmap(blocks);
  if (headerLength + rawLength > MAX_CHUNK_BYTES) throw new ChunkFormatError(`raw length ${rawLength} over ${MAX_CHUNK_BYTES - headerLength} for this header`);
  checkBlockPayload(blocks, blockSize, rawLength);
  return { kind: 'DELTA', form: 'blocks', codec, rawLength, headerLength, blockSize, blocks };
}

/** Parses and checks a chunk header without decoding the payload. */
export function readChunkHeader(buf: Uint8Array): ChunkHeader {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < BASE_HEADER) throw new ChunkFormatError(`chunk is ${b.length} bytes, shorter than its header`);
  if (b.length > MAX_CHUNK_BYTES) throw new ChunkFormatError(`chunk is ${b.length} bytes, over ${MAX_CHUNK_BYTES}`);
  if (!CHUNK_MAGIC.equals(b.subarray(0, 4))) throw new ChunkFormatError('not a chunk: bad magic');
  if (b[4] !== CHUNK_VERSION) throw new ChunkFormatError(`unsupported chunk version ${b[4]}`);
  const kind = KIND_NAMES[b[5] ?? 0];
  if (!kind) throw new ChunkFormatError(`unknown chunk kind ${b[5]}`);
  const codec = b[6] ?? -1;
  if (!isCodec(codec)) throw new ChunkFormatError(`unknown codec ${codec}`);
  if (b[7] !== 0) throw new ChunkFormatError('reserved chunk header byte is not zero');
  const rawLength = b.readUInt32LE(8);
  if (rawLength > MAX_CHUNK_RAW) throw new ChunkFormatError(`raw length ${rawLength} over ${MAX_CHUNK_RAW}`);
  if (b[5] === KIND_BLOCK_DELTA) return readBlockDeltaHeader(b, codec, rawLength);
  if (kind !== 'DELTA') return { kind, codec, rawLength, headerLength: BASE_HEADER };
  if (b.length < DELTA_HEADER) throw new ChunkFormatError('delta chunk shorter than its header');
  const bitmap = b.readBigUInt64LE(12);
  if (bitmap === 0n) throw new ChunkFormatError('delta chunk with an empty bitmap');
  return { kind, form: 'sub-blocks', codec, rawLength, headerLength: DELTA_HEADER, bitmap };
}

/** Decodes a chunk; throws ChunkFormatError when malformed. Does not check its id. */
export function decodeChunk(buf: Uint8Array): DecodedChunk {
  const h = readChunkHeader(buf);
  const data = decodePayload(h.codec, buf.subarray(h.headerLength), h.rawLength);
  if (h.form === 'blocks') return { kind: 'DELTA', form: 'blocks', codec: h.codec, blockSize: h.blockSize ?? 0, blocks: h.blocks ?? Buffer.alloc(0), data };
  if (h.kind === 'DELTA') return { kind: 'DELTA', form: 'sub-blocks', codec: h.codec, bitmap: h.bitmap ?? 0n, data };
  return { kind: h.kind, codec: h.codec, data };
}
