/**
 * Binary payloads of manifest chunks (kind MANIFEST, see chunk.ts), little-endian.
 *
 * Root ('DRMR'):  magic 4 | version u8 | type u8 (1 base, 2 incremental) | reserved u16 |
 *                 extentSize u32 | subBlockSize u32 | volumeCount u32 |
 *                 per volume: nameLength u16 | name UTF-8 | sizeBytes u64 | entryCount u32 |
 *                 partCount u32 | per part: id 32 | firstIndex u32 | lastIndex u32 | count u32
 * Part ('DRMP'):  magic 4 | version u8 | reserved 3 | count u32 |
 *                 per entry: index u32 | kind u8 (0 ZERO, 1 FULL, 2 DELTA) | [chunk id 32]
 *
 * A part holds at most MAX_PART_ENTRIES entries (≤ 12 + 37 × 65,536 = 2.4 MB raw), so no
 * manifest chunk reaches 4 MiB whatever the volume size; a 2 TiB volume written everywhere
 * (524,288 extents) takes 8 parts and 8 × 44 bytes in the root.
 */
import { ManifestFormatError } from './errors.js';
import { MAX_CHUNK_RAW } from './geometry.js';
import type { ExtentEntry, ManifestRoot, ManifestType } from './manifest-types.js';

const ROOT_MAGIC = Buffer.from('DRMR', 'latin1');
const PART_MAGIC = Buffer.from('DRMP', 'latin1');
const VERSION = 1;
const ENTRY_MAX_BYTES = 37;
export const MAX_PART_ENTRIES = 65536;
/** Hard ceiling for the parts option: what still fits MAX_CHUNK_RAW raw. */
export const PART_ENTRIES_CEILING = Math.floor((MAX_CHUNK_RAW - 12) / ENTRY_MAX_BYTES);
const TYPES: readonly ManifestType[] = ['base', 'incremental'];
const KINDS = ['ZERO', 'FULL', 'DELTA'] as const;

class Reader {
  at = 0;
  constructor(private readonly b: Buffer, private readonly what: string) {}
  need(n: number): number {
    if (this.at + n > this.b.length) throw new ManifestFormatError(`${this.what} is truncated at byte ${this.at}`);
    const at = this.at;
    this.at += n;
    return at;
  }
  u8 = (): number => this.b.readUInt8(this.need(1));
  u16 = (): number => this.b.readUInt16LE(this.need(2));
  u32 = (): number => this.b.readUInt32LE(this.need(4));
  u64 = (): number => {
    const v = this.b.readBigUInt64LE(this.need(8));
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ManifestFormatError(`${this.what}: size out of range`);
    return Number(v);
  };
  hex32 = (): string => this.b.toString('hex', this.need(32), this.at);
  utf8 = (n: number): string => this.b.toString('utf8', this.need(n), this.at);
  header(magic: Buffer): void {
    if (!magic.equals(this.b.subarray(this.need(4), this.at))) throw new ManifestFormatError(`${this.what}: bad magic`);
    if (this.u8() !== VERSION) throw new ManifestFormatError(`${this.what}: unsupported version`);
  }
  end(): void {
    if (this.at !== this.b.length) throw new ManifestFormatError(`${this.what}: ${this.b.length - this.at} trailing bytes`);
  }
}

export function encodeRootPayload(root: ManifestRoot): Buffer {
  const names = root.volumes.map((v) => Buffer.from(v.name, 'utf8'));
  let size = 20;
  root.volumes.forEach((v, i) => (size += 2 + (names[i]?.length ?? 0) + 16 + v.parts.length * 44));
  if (size > MAX_CHUNK_RAW) throw new ManifestFormatError(`manifest root would be ${size} bytes, over ${MAX_CHUNK_RAW}`);
  const b = Buffer.alloc(size);
  ROOT_MAGIC.copy(b, 0);
  b[4] = VERSION;
  b[5] = TYPES.indexOf(root.type) + 1;
  b.writeUInt32LE(root.geometry.extentSize, 8);
  b.writeUInt32LE(root.geometry.subBlockSize, 12);
  b.writeUInt32LE(root.volumes.length, 16);
  let at = 20;
  root.volumes.forEach((v, i) => {
    const name = names[i] ?? Buffer.alloc(0);
    at = b.writeUInt16LE(name.length, at);
    at += name.copy(b, at);
    at = b.writeBigUInt64LE(BigInt(v.sizeBytes), at);
    at = b.writeUInt32LE(v.entryCount, at);
    at = b.writeUInt32LE(v.parts.length, at);
    for (const p of v.parts) {
      at += b.write(p.id, at, 32, 'hex');
      at = b.writeUInt32LE(p.first, at);
      at = b.writeUInt32LE(p.last, at);
      at = b.writeUInt32LE(p.count, at);
    }
  });
  return b;
}

/** Parses a root payload; structural checks only (manifest.ts checks consistency). */
export function decodeRootPayload(payload: Buffer): ManifestRoot {
  const r = new Reader(payload, 'manifest root');
  r.header(ROOT_MAGIC);
  const type = TYPES[r.u8() - 1];
  if (!type) throw new ManifestFormatError('manifest root: unknown manifest type');
  if (r.u16() !== 0) throw new ManifestFormatError('manifest root: reserved bytes are not zero');
  const geometry = { extentSize: r.u32(), subBlockSize: r.u32() };
  const volumeCount = r.u32();
  const volumes = [];
  for (let i = 0; i < volumeCount; i++) {
    const name = r.utf8(r.u16());
    const sizeBytes = r.u64();
    const entryCount = r.u32();
    const partCount = r.u32();
    if (partCount * 44 > payload.length) throw new ManifestFormatError('manifest root is truncated');
    const parts = [];
    for (let j = 0; j < partCount; j++) parts.push({ id: r.hex32(), first: r.u32(), last: r.u32(), count: r.u32() });
    volumes.push({ name, sizeBytes, entryCount, parts });
  }
  r.end();
  return { type, geometry, volumes };
}

export function encodePartPayload(entries: readonly ExtentEntry[]): Buffer {
  let size = 12;
  for (const e of entries) size += e.kind === 'ZERO' ? 5 : ENTRY_MAX_BYTES;
  const b = Buffer.allocUnsafe(size);
  PART_MAGIC.copy(b, 0);
  b.writeUInt32LE(VERSION, 4);
  b.writeUInt32LE(entries.length, 8);
  let at = 12;
  for (const e of entries) {
    at = b.writeUInt32LE(e.index, at);
    at = b.writeUInt8(KINDS.indexOf(e.kind), at);
    if (e.kind !== 'ZERO') at += b.write(e.chunk, at, 32, 'hex');
  }
  return b;
}

export function decodePartPayload(payload: Buffer): ExtentEntry[] {
  const r = new Reader(payload, 'manifest part');
  r.header(PART_MAGIC);
  if (r.u8() !== 0 || r.u16() !== 0) throw new ManifestFormatError('manifest part: reserved bytes are not zero');
  const count = r.u32();
  if (count * 5 > payload.length) throw new ManifestFormatError('manifest part is truncated');
  const entries: ExtentEntry[] = [];
  for (let i = 0; i < count; i++) {
    const index = r.u32();
    const kind = KINDS[r.u8()];
    if (kind === undefined) throw new ManifestFormatError(`manifest part: entry ${i} has an unknown kind`);
    entries.push(kind === 'ZERO' ? { index, kind } : { index, kind, chunk: r.hex32() });
  }
  r.end();
  return entries;
}
