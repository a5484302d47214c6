/**
 * The fixed-size records of GC's sorted runs (sorted-runs.ts). Pack ids and chunk ids are
 * SHA-256s (32 bytes); rp ids are ≤ 64 ASCII characters (64 bytes, zero padded).
 *
 *   mark     40 B  pack 32 | offset u32 BE | length u32 BE, top bit: pinned   key: pack, offset
 *   packSize 36 B  pack 32 | bytes u32 BE                                        key: pack
 *   candidate 40 B pack 32 | bytes u32 BE | live bytes u32 BE                    key: pack
 *   moved    76 B  old pack 32 | old offset u32 | new pack 32 | new offset u32 | length u32   key: old pack, old offset
 *   rpName   64 B  rp id, zero padded                                            (lists, not sorted)
 *   part     72 B  rp id 64 | part u32 | generation u32                           (lists)
 *
 * A mark is one chunk place something live references: a live RP's index entry, or (pinned) an
 * upload record in its grace period, a relocation, a purged RP that a live one's restore still
 * reads through. A pinned pack is kept as it is (never repacked). The big-endian offset sorts a
 * pack's marks by offset.
 */
import type { RecordShape } from './merge.js';

export const MARK_BYTES = 40;
export const MARK_KEY = 36;
const PINNED = 0x8000_0000;

export function writeMark(out: Buffer, pack: string, offset: number, length: number, pinned: boolean): Buffer {
  out.write(pack, 0, 32, 'hex');
  out.writeUInt32BE(offset, 32);
  out.writeUInt32BE((length | (pinned ? PINNED : 0)) >>> 0, 36);
  return out;
}
/** A mark from a pack id's 32 bytes. */
export function writeMarkBytes(out: Buffer, pack: Buffer, offset: number, length: number, pinned: boolean): Buffer {
  pack.copy(out, 0, 0, 32);
  out.writeUInt32BE(offset, 32);
  out.writeUInt32BE((length | (pinned ? PINNED : 0)) >>> 0, 36);
  return out;
}
export const markPack = (m: Buffer): string => m.toString('hex', 0, 32);
export const markOffset = (m: Buffer): number => m.readUInt32BE(32);
export const markLength = (m: Buffer): number => m.readUInt32BE(36) & ~PINNED;
export const markPinned = (m: Buffer): boolean => (m.readUInt32BE(36) & PINNED) !== 0;

/** Equal places: one mark, pinned if any was. */
export const MARK_SHAPE: RecordShape = {
  recordBytes: MARK_BYTES, keyBytes: MARK_KEY,
  combine: (kept, dup) => kept.writeUInt32BE((kept.readUInt32BE(36) | (dup.readUInt32BE(36) & PINNED)) >>> 0, 36),
};

export const PACK_SIZE_BYTES = 36;
export function writePackSize(out: Buffer, pack: string, bytes: number): Buffer {
  out.write(pack, 0, 32, 'hex');
  out.writeUInt32BE(bytes, 32);
  return out;
}
export const packSizeOf = (r: Buffer): { pack: string; bytes: number } => ({ pack: r.toString('hex', 0, 32), bytes: r.readUInt32BE(32) });

export const CANDIDATE_BYTES = 40;
export function writeCandidate(out: Buffer, pack: string, bytes: number, live: number): Buffer {
  writePackSize(out, pack, bytes);
  out.writeUInt32BE(live, 36);
  return out;
}
export const candidateOf = (r: Buffer): { pack: string; bytes: number; live: number } => ({ ...packSizeOf(r), live: r.readUInt32BE(36) });

export const MOVED_BYTES = 76;
export const MOVED_KEY = 36;
export function writeMoved(out: Buffer, oldPack: string, oldOffset: number, newPack: string, newOffset: number, length: number): Buffer {
  out.write(oldPack, 0, 32, 'hex');
  out.writeUInt32BE(oldOffset, 32);
  out.write(newPack, 36, 32, 'hex');
  out.writeUInt32BE(newOffset, 68);
  out.writeUInt32BE(length, 72);
  return out;
}

export const RP_NAME_BYTES = 64;
export function writeRpName(out: Buffer, rpId: string): Buffer {
  out.fill(0);
  out.write(rpId, 0, 64, 'latin1');
  return out;
}
export const rpNameOf = (r: Buffer): string => { const end = r.indexOf(0); return r.toString('latin1', 0, end < 0 || end > 64 ? 64 : end); };

export const PART_BYTES = 72;
export function writePart(out: Buffer, rpId: string, part: number, generation: number): Buffer {
  writeRpName(out, rpId);
  out.writeUInt32BE(part, 64);
  out.writeUInt32BE(generation, 68);
  return out;
}
export const partOf = (r: Buffer): { rpId: string; part: number; generation: number } => ({ rpId: rpNameOf(r.subarray(0, 64)), part: r.readUInt32BE(64), generation: r.readUInt32BE(68) });
