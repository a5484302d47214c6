/**
 * A volume's signatures on disk (see signatures.ts). Layout:
 *
 *   0   magic 'DRSG'  4 | version u8 (2) | block signature bytes u8 (8) | reserved 2
 *   8   extentSize u32 | subBlockSize u32
 *  16   sizeBytes u64
 *  24   rpId length u8 | rpId (ASCII, ≤ 64), zero padded
 *  96   signature key (SIG_KEY_BYTES = 16; see signatures.ts)
 * 112   block size u32 (geometry.ts blockSizeOf(subBlockSize)), then zeros up to
 * 128   per extent, in order, its record: its sub-blocks' signatures (SIG_BYTES each), then its
 *       blocks' signatures (BLOCK_SIG_BYTES each)
 *
 * Version 1 (written before blocks existed) has zeros at 5 and 112 and records of sub-block
 * signatures only. It is still read — signatures.ts compares such a record per sub-block and
 * the run writes version 2 — and never written.
 *
 * Every extent but the last is full, so extent i starts at 128 + i × (record of a full extent):
 * one positional read per extent, nothing held in memory. The writer appends in extent order to
 * a temporary name and is renamed into place only after an fsync, so a file under its final
 * name is always complete.
 */
import { closeSync, fsyncSync, openSync, readSync, renameSync, writeSync, fstatSync } from 'node:fs';
import { FormatError } from '../shared/format/errors.js';
import { assertGeometry, blockSizeOf, extentCount, extentLength, type Geometry } from '../shared/format/geometry.js';
import { BLOCK_SIG_BYTES, recordLength, SIG_KEY_BYTES, subBlockRecordLength } from './signatures.js';

const MAGIC = Buffer.from('DRSG', 'latin1');
/** The version written; 1 is still read. */
export const SIG_FILE_VERSION = 2;
export type SignatureFileVersion = 1 | 2;
export const SIG_HEADER_BYTES = 128;

export interface SignatureHeader {
  readonly geometry: Geometry;
  readonly sizeBytes: number;
  readonly rpId: string;
  /** The key the signatures were made with; the next state keeps it so they compare. */
  readonly key: Buffer;
}

/** Bytes of the record of an extent of `length` in a file of `version`. */
function recordBytes(length: number, g: Geometry, version: SignatureFileVersion): number {
  return version === 1 ? subBlockRecordLength(length, g.subBlockSize) : recordLength(length, g.subBlockSize);
}

/** Total size in bytes of the signature file of a volume (of the version written, unless told). */
export function signatureFileSize(sizeBytes: number, g: Geometry, version: SignatureFileVersion = SIG_FILE_VERSION): number {
  const count = extentCount(sizeBytes, g);
  if (count === 0) return SIG_HEADER_BYTES;
  return SIG_HEADER_BYTES + (count - 1) * recordBytes(g.extentSize, g, version) + recordBytes(extentLength(sizeBytes, count - 1, g), g, version);
}

function encodeHeader(h: SignatureHeader): Buffer {
  const b = Buffer.alloc(SIG_HEADER_BYTES);
  MAGIC.copy(b, 0);
  b[4] = SIG_FILE_VERSION;
  b[5] = BLOCK_SIG_BYTES;
  b.writeUInt32LE(h.geometry.extentSize, 8);
  b.writeUInt32LE(h.geometry.subBlockSize, 12);
  b.writeBigUInt64LE(BigInt(h.sizeBytes), 16);
  const id = Buffer.from(h.rpId, 'latin1');
  if (id.length > 64) throw new RangeError('rpId longer than 64 bytes');
  b[24] = id.length;
  id.copy(b, 25);
  if (h.key.length !== SIG_KEY_BYTES) throw new RangeError(`a signature key is ${SIG_KEY_BYTES} bytes`);
  h.key.copy(b, 96);
  b.writeUInt32LE(blockSizeOf(h.geometry.subBlockSize), 112);
  return b;
}

function decodeHeader(b: Buffer, file: string): { header: SignatureHeader; version: SignatureFileVersion } {
  const version = b[4];
  if (b.length < SIG_HEADER_BYTES || !MAGIC.equals(b.subarray(0, 4)) || (version !== 1 && version !== 2)) {
    throw new Error(`${file} is not a drcore signature file`);
  }
  const geometry = { extentSize: b.readUInt32LE(8), subBlockSize: b.readUInt32LE(12) };
  try {
    assertGeometry(geometry);
  } catch (err) {
    throw new Error(`${file} is not a drcore signature file: ${err instanceof FormatError ? err.detail : String(err)}`);
  }
  if (version === 2 && (b[5] !== BLOCK_SIG_BYTES || b.readUInt32LE(112) !== blockSizeOf(geometry.subBlockSize))) {
    throw new Error(`${file} is not a drcore signature file: unexpected block signatures`);
  }
  const len = b[24] ?? 0;
  return {
    version,
    header: {
      geometry,
      sizeBytes: Number(b.readBigUInt64LE(16)),
      rpId: b.toString('latin1', 25, 25 + len),
      key: Buffer.from(b.subarray(96, 96 + SIG_KEY_BYTES)),
    },
  };
}

/**
 * Reads the signature records of a volume's extents, one positional read each. A version 1
 * file gives records of sub-block signatures only (signatures.ts tells them by their length).
 */
export class SignatureReader {
  private constructor(private readonly fd: number, readonly header: SignatureHeader, readonly version: SignatureFileVersion) {}

  /** Opens and checks a signature file (header and exact length). */
  static open(file: string): SignatureReader {
    const fd = openSync(file, 'r');
    try {
      const head = Buffer.alloc(SIG_HEADER_BYTES);
      readSync(fd, head, 0, SIG_HEADER_BYTES, 0);
      const { header, version } = decodeHeader(head, file);
      const expected = signatureFileSize(header.sizeBytes, header.geometry, version);
      const actual = fstatSync(fd).size;
      if (actual !== expected) throw new Error(`${file} is ${actual} bytes, expected ${expected}: incomplete`);
      return new SignatureReader(fd, header, version);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  /** Length of extent `index` in the volume these signatures describe (0 past its end). */
  extentLength(index: number): number {
    return extentLength(this.header.sizeBytes, index, this.header.geometry);
  }

  /** The signature record of extent `index`, or undefined when the volume had no such extent. */
  extent(index: number): Buffer | undefined {
    const { geometry: g } = this.header;
    const length = this.extentLength(index);
    if (length === 0) return undefined;
    const bytes = recordBytes(length, g, this.version);
    const out = Buffer.allocUnsafe(bytes);
    const at = SIG_HEADER_BYTES + index * recordBytes(g.extentSize, g, this.version);
    const n = readSync(this.fd, out, 0, bytes, at);
    if (n !== bytes) throw new Error(`signature file ended early at extent ${index}`);
    return out;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Writes a volume's signatures in extent order; `finish` makes the file durable and final. */
export class SignatureWriter {
  private readonly fd: number;
  private readonly tmp: string;
  private written = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly file: string, readonly header: SignatureHeader) {
    this.tmp = `${file}.partial`;
    this.fd = openSync(this.tmp, 'w', 0o600);
    this.push(encodeHeader(header));
  }

  private push(b: Buffer): void {
    this.pending.push(b);
    this.pendingBytes += b.length;
    if (this.pendingBytes >= 1 << 20) this.drain();
  }

  private drain(): void {
    if (this.pendingBytes === 0) return;
    const all = Buffer.concat(this.pending, this.pendingBytes);
    let at = 0;
    while (at < all.length) at += writeSync(this.fd, all, at, all.length - at, this.written + at);
    this.written += all.length;
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Appends the signature record of the next extent. */
  append(signatures: Uint8Array): void {
    this.push(Buffer.from(signatures.buffer, signatures.byteOffset, signatures.byteLength));
  }

  /** Flushes, fsyncs, checks the length and renames the file to its final name. */
  finish(): void {
    this.drain();
    const expected = signatureFileSize(this.header.sizeBytes, this.header.geometry);
    if (this.written !== expected) {
      closeSync(this.fd);
      throw new Error(`signature file has ${this.written} bytes, expected ${expected}`);
    }
    fsyncSync(this.fd);
    closeSync(this.fd);
    renameSync(this.tmp, this.file);
  }

  abort(): void {
    try { closeSync(this.fd); } catch { /* already closed */ }
  }
}
