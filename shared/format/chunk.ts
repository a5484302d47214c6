/**
 * Chunk format (DESIGN §5). A chunk is content-addressed: its id is the SHA-256 of the stored
 * bytes below (see `chunkId` in hash.ts). Layout, little-endian:
 *
 *   0  magic 'DRC1'            4 bytes
 *   4  version                 u8  (CHUNK_VERSION = 1)
 *   5  kind                    u8  FULL = 1, DELTA = 2, MANIFEST = 3
 *   6  codec                   u8  0 = none, 1 = zstd (codec.ts)
 *   7  reserved                u8  0
 *   8  raw length              u32 decoded payload length, ≤ MAX_CHUNK_RAW (4 MiB)
 *  12  [DELTA only] bitmap     u64 bit j set = sub-block j of the extent is in the payload
 *  12|20 payload               stored (possibly compressed) bytes
 *
 * FULL: the whole extent. DELTA: the changed sub-blocks concatenated in ascending order.
 * MANIFEST: a manifest root or part (manifest-codec.ts). ZERO extents have no chunk.
 * A payload is kept compressed only when smaller than raw, so a chunk is never larger than
 * MAX_CHUNK_BYTES = 4 MiB + 64 — a FULL chunk of incompressible data is 4 MiB + 12.
 */
import { decodePayload, encodePayload, isCodec, type Codec, type EncodeOptions } from './codec.js';
import { ChunkFormatError } from './errors.js';
import { MAX_CHUNK_RAW } from './geometry.js';

export const CHUNK_MAGIC = Buffer.from('DRC1', 'latin1');
export const CHUNK_VERSION = 1;
export const KIND_FULL = 1;
export const KIND_DELTA = 2;
export const KIND_MANIFEST = 3;
const BASE_HEADER = 12;
const DELTA_HEADER = 20;
/** Upper bound of any chunk header; MAX_CHUNK_BYTES = MAX_CHUNK_RAW + this. */
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
export interface DeltaChunk extends ChunkBase { readonly kind: 'DELTA'; readonly bitmap: bigint }
export interface ManifestChunk extends ChunkBase { readonly kind: 'MANIFEST' }
export type DecodedChunk = FullChunk | DeltaChunk | ManifestChunk;

export interface ChunkHeader {
  readonly kind: ChunkKind;
  readonly codec: Codec;
  readonly rawLength: number;
  readonly headerLength: number;
  readonly bitmap?: bigint;
}

const KIND_NAMES: Record<number, ChunkKind> = { [KIND_FULL]: 'FULL', [KIND_DELTA]: 'DELTA', [KIND_MANIFEST]: 'MANIFEST' };
const KIND_CODES: Record<ChunkKind, number> = { FULL: KIND_FULL, DELTA: KIND_DELTA, MANIFEST: KIND_MANIFEST };
const U64 = (1n << 64n) - 1n;

function encode(kind: ChunkKind, raw: Uint8Array, options: EncodeOptions, bitmap?: bigint): Buffer {
  if (raw.length > MAX_CHUNK_RAW) {
    throw new ChunkFormatError(`a chunk holds at most ${MAX_CHUNK_RAW} raw bytes, got ${raw.length}`);
  }
  const { codec, data } = encodePayload(raw, options);
  const headerLength = kind === 'DELTA' ? DELTA_HEADER : BASE_HEADER;
  const out = Buffer.allocUnsafe(headerLength + data.length);
  CHUNK_MAGIC.copy(out, 0);
  out[4] = CHUNK_VERSION;
  out[5] = KIND_CODES[kind];
  out[6] = codec;
  out[7] = 0;
  out.writeUInt32LE(raw.length, 8);
  if (kind === 'DELTA') out.writeBigUInt64LE(bitmap ?? 0n, 12);
  data.copy(out, headerLength);
  return out;
}

/** A FULL chunk holding a whole extent (≤ 4 MiB). */
export function encodeFullChunk(extentBytes: Uint8Array, options: EncodeOptions = {}): Buffer {
  return encode('FULL', extentBytes, options);
}

/**
 * A DELTA chunk: `bitmap` of the changed sub-blocks and those sub-blocks concatenated in
 * ascending order (see delta.ts `extractSubBlocks`). The bitmap must be non-zero.
 */
export function encodeDeltaChunk(bitmap: bigint, subBlocks: Uint8Array, options: EncodeOptions = {}): Buffer {
  if (bitmap <= 0n || bitmap > U64) throw new ChunkFormatError('a delta bitmap must be a non-zero 64-bit value');
  return encode('DELTA', subBlocks, options, bitmap);
}

/** A MANIFEST chunk (manifest root or part). */
export function encodeManifestChunk(payload: Uint8Array, options: EncodeOptions = {}): Buffer {
  return encode('MANIFEST', payload, options);
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
  if (kind !== 'DELTA') return { kind, codec, rawLength, headerLength: BASE_HEADER };
  if (b.length < DELTA_HEADER) throw new ChunkFormatError('delta chunk shorter than its header');
  const bitmap = b.readBigUInt64LE(12);
  if (bitmap === 0n) throw new ChunkFormatError('delta chunk with an empty bitmap');
  return { kind, codec, rawLength, headerLength: DELTA_HEADER, bitmap };
}

/** Decodes a chunk; throws ChunkFormatError when malformed. Does not check its id. */
export function decodeChunk(buf: Uint8Array): DecodedChunk {
  const h = readChunkHeader(buf);
  const data = decodePayload(h.codec, buf.subarray(h.headerLength), h.rawLength);
  if (h.kind === 'DELTA') return { kind: 'DELTA', codec: h.codec, bitmap: h.bitmap ?? 0n, data };
  return { kind: h.kind, codec: h.codec, data };
}
