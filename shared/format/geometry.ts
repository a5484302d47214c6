/**
 * Volume geometry (DESIGN §5): a volume is mapped in fixed extents (4 MiB), each split in
 * sub-blocks (64 KiB), each split in BLOCKS_PER_SUB_BLOCK = 16 blocks (4 KiB). Changes are
 * detected and sent per block: a DELTA chunk carries a bitmap of the changed blocks (up to
 * 1024 bits, chunk.ts kind 4, block-delta.ts) and their bytes. Sub-blocks are the first level
 * of change detection (source/signatures.ts) and the unit of the DELTA chunks written before
 * blocks existed (kind 2: a 64-bit bitmap of sub-blocks, delta.ts), which restore still reads.
 * The manifest records extent and sub-block size; the block size is derived from the sub-block
 * size (blockSizeOf) and every block DELTA chunk carries its own, so no manifest changed.
 * Sizes are parameters with these defaults so that tests can use tiny extents; production uses
 * DEFAULT_GEOMETRY.
 *
 * The last extent of a volume whose size is not a multiple of the extent size is short, and so
 * may be its last sub-block and its last block.
 */
import { FormatError } from './errors.js';

export const EXTENT_SIZE = 4 * 1024 * 1024;
export const SUB_BLOCK = 64 * 1024;
/** Sub-blocks per default extent; also the width of the delta bitmap. */
export const SUB_BLOCKS_PER_EXTENT = EXTENT_SIZE / SUB_BLOCK;
export const BITMAP_BITS = 64;
/** Blocks per sub-block, when the sub-block size is a multiple of it (blockSizeOf). */
export const BLOCKS_PER_SUB_BLOCK = 16;
/** The change-detection block of the default geometry. */
export const BLOCK = SUB_BLOCK / BLOCKS_PER_SUB_BLOCK;
/** Width of the widest block bitmap: 64 sub-blocks × 16 blocks. */
export const MAX_BLOCK_BITS = BITMAP_BITS * BLOCKS_PER_SUB_BLOCK;
/** No chunk ever carries more than this many raw (decoded) bytes. */
export const MAX_CHUNK_RAW = EXTENT_SIZE;

export interface Geometry {
  readonly extentSize: number;
  readonly subBlockSize: number;
}

export const DEFAULT_GEOMETRY: Geometry = Object.freeze({ extentSize: EXTENT_SIZE, subBlockSize: SUB_BLOCK });

/** Throws unless both sizes are positive integers, extentSize ≤ 4 MiB, and it holds ≤ 64 sub-blocks. */
export function assertGeometry(g: Geometry): Geometry {
  const { extentSize, subBlockSize } = g;
  if (!Number.isSafeInteger(extentSize) || extentSize <= 0 || extentSize > MAX_CHUNK_RAW) {
    throw new FormatError(`extent size must be an integer in 1..${MAX_CHUNK_RAW}, got ${extentSize}`);
  }
  if (!Number.isSafeInteger(subBlockSize) || subBlockSize <= 0 || subBlockSize > extentSize) {
    throw new FormatError(`sub-block size must be an integer in 1..extentSize, got ${subBlockSize}`);
  }
  if (Math.ceil(extentSize / subBlockSize) > BITMAP_BITS) {
    throw new FormatError(`an extent may hold at most ${BITMAP_BITS} sub-blocks`);
  }
  return g;
}

export const sameGeometry = (a: Geometry, b: Geometry): boolean =>
  a.extentSize === b.extentSize && a.subBlockSize === b.subBlockSize;

/** Number of extents that map a volume of `sizeBytes`. */
export function extentCount(sizeBytes: number, g: Geometry = DEFAULT_GEOMETRY): number {
  return Math.ceil(sizeBytes / g.extentSize);
}

/** Length of extent `index` of a volume of `sizeBytes` (0 when past the end). */
export function extentLength(sizeBytes: number, index: number, g: Geometry = DEFAULT_GEOMETRY): number {
  const start = index * g.extentSize;
  if (start >= sizeBytes) return 0;
  return Math.min(g.extentSize, sizeBytes - start);
}

/**
 * The block size of a geometry's sub-block size: a sixteenth of it (4 KiB for 64 KiB), or the
 * sub-block itself when it does not split in 16 equal blocks. Blocks nest in sub-blocks, and an
 * extent holds at most MAX_BLOCK_BITS of them.
 */
export function blockSizeOf(subBlockSize: number): number {
  return subBlockSize % BLOCKS_PER_SUB_BLOCK === 0 ? subBlockSize / BLOCKS_PER_SUB_BLOCK : subBlockSize;
}

/** Number of sub-blocks (or blocks, given the block size) in an extent of `length` bytes. */
export function subBlockCount(length: number, subBlockSize: number = SUB_BLOCK): number {
  return Math.ceil(length / subBlockSize);
}
