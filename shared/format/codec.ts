/**
 * Payload codec of a chunk (DESIGN §5, STACK-NOTES "zstd"): the codec byte is 0 = none,
 * 1 = zstd (Node 22 zlib). Compression is the bottleneck of a fast replication path, so:
 *  - a low level by default (DEFAULT_ZSTD_LEVEL = 1);
 *  - large inputs are sampled first (four 16 KiB slices spread over the buffer); when the sample
 *    does not compress, the payload is kept raw without compressing it all;
 *  - a compressed result is kept only when it saves at least MIN_SAVING (3 %), so a stored
 *    payload is never larger than its raw bytes.
 * No zstd frame checksum: chunks are already addressed by SHA-256.
 */
import zlib from 'node:zlib';
import { ChunkFormatError } from './errors.js';

export const CODEC_NONE = 0;
export const CODEC_ZSTD = 1;
export type Codec = typeof CODEC_NONE | typeof CODEC_ZSTD;

export const DEFAULT_ZSTD_LEVEL = 1;
/** Compression must save at least this fraction of the raw size to be kept. */
export const MIN_SAVING = 0.03;
/** Inputs at least this large are sampled before being compressed. */
export const SAMPLE_THRESHOLD = 128 * 1024;
const SAMPLE_SLICES = 4;
const SAMPLE_SLICE = 16 * 1024;

export interface EncodeOptions {
  /** zstd level (negative = faster); default DEFAULT_ZSTD_LEVEL. */
  readonly level?: number;
  /** false: always store raw. Default true. */
  readonly compress?: boolean;
}

export interface EncodedPayload {
  readonly codec: Codec;
  /** The stored bytes: `bytes` itself (not copied) when codec is none. */
  readonly data: Buffer;
}

export const isCodec = (value: number): value is Codec => value === CODEC_NONE || value === CODEC_ZSTD;

function zstd(bytes: Uint8Array, level: number): Buffer {
  return zlib.zstdCompressSync(bytes, {
    chunkSize: Math.max(16 * 1024, Math.min(bytes.length, 4 * 1024 * 1024)),
    pledgedSrcSize: bytes.length,
    params: {
      [zlib.constants.ZSTD_c_compressionLevel]: level,
      [zlib.constants.ZSTD_c_checksumFlag]: 0,
      [zlib.constants.ZSTD_c_contentSizeFlag]: 1,
    },
  });
}

const worthIt = (stored: number, raw: number): boolean => stored <= raw * (1 - MIN_SAVING);

function sampleCompresses(bytes: Buffer, level: number): boolean {
  const stride = Math.floor(bytes.length / SAMPLE_SLICES);
  const slices: Buffer[] = [];
  for (let i = 0; i < SAMPLE_SLICES; i++) slices.push(bytes.subarray(i * stride, i * stride + SAMPLE_SLICE));
  const sample = Buffer.concat(slices);
  return worthIt(zstd(sample, level).length, sample.length);
}

const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Compresses `bytes` with zstd when that pays off, else returns them raw (no copy). */
export function encodePayload(bytes: Uint8Array, options: EncodeOptions = {}): EncodedPayload {
  const raw = asBuffer(bytes);
  const level = options.level ?? DEFAULT_ZSTD_LEVEL;
  if (options.compress === false || raw.length === 0) return { codec: CODEC_NONE, data: raw };
  if (raw.length >= SAMPLE_THRESHOLD && !sampleCompresses(raw, level)) return { codec: CODEC_NONE, data: raw };
  const packed = zstd(raw, level);
  return worthIt(packed.length, raw.length) ? { codec: CODEC_ZSTD, data: packed } : { codec: CODEC_NONE, data: raw };
}

/**
 * Decodes a stored payload that must expand to exactly `rawLength` bytes. With codec none the
 * result is `data` itself (no copy). Decompression is capped at `rawLength`, so a hostile
 * payload cannot balloon memory.
 */
export function decodePayload(codec: number, data: Uint8Array, rawLength: number): Buffer {
  const stored = asBuffer(data);
  if (codec === CODEC_NONE) {
    if (stored.length !== rawLength) {
      throw new ChunkFormatError(`raw payload is ${stored.length} bytes, header says ${rawLength}`);
    }
    return stored;
  }
  if (codec !== CODEC_ZSTD) throw new ChunkFormatError(`unknown codec ${codec}`);
  let out: Buffer;
  try {
    out = zlib.zstdDecompressSync(stored, {
      maxOutputLength: Math.max(1, rawLength),
      chunkSize: Math.max(64, Math.min(rawLength, 4 * 1024 * 1024)),
    });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new ChunkFormatError(`zstd payload does not decode to ${rawLength} bytes: ${why}`);
  }
  if (out.length !== rawLength) {
    throw new ChunkFormatError(`zstd payload decodes to ${out.length} bytes, header says ${rawLength}`);
  }
  return out;
}
