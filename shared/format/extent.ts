/**
 * A reference encoder of one extent against its previous bytes (DESIGN §5): nothing when
 * unchanged, ZERO when all zero, else a DELTA chunk of kind 2 (sub-blocks) when at most half
 * its sub-blocks changed, else a FULL chunk. Tests use it to write chains as the source did
 * before block deltas; the source itself decides per 4 KiB block (source/extent-job.ts).
 */
import { encodeDeltaChunk, encodeFullChunk } from './chunk.js';
import type { EncodeOptions } from './codec.js';
import { chooseEncoding, diffExtent, extractSubBlocks, isAllZero } from './delta.js';
import { FormatError } from './errors.js';
import { SUB_BLOCK, subBlockCount } from './geometry.js';
import { chunkId } from './hash.js';

export type ExtentUpdate =
  | { readonly kind: 'UNCHANGED' }
  | { readonly kind: 'ZERO' }
  | { readonly kind: 'FULL'; readonly chunk: Buffer; readonly id: string }
  | { readonly kind: 'DELTA'; readonly chunk: Buffer; readonly id: string; readonly bitmap: bigint };

export interface ExtentEncodeOptions extends EncodeOptions {
  readonly subBlockSize?: number;
}

/**
 * Encodes `current` against `previous` (the same extent as last replicated, or undefined for a
 * base or a new extent; a previous of another length is treated as absent). With no previous,
 * an all-zero extent yields ZERO, which a base may simply omit (absent from a base = zero).
 */
export function encodeExtent(current: Uint8Array, previous: Uint8Array | undefined, options: ExtentEncodeOptions = {}): ExtentUpdate {
  const subBlockSize = options.subBlockSize ?? SUB_BLOCK;
  if (current.length === 0) throw new FormatError('cannot encode an empty extent');
  const parent = previous && previous.length === current.length ? previous : undefined;
  if (parent) {
    const bitmap = diffExtent(parent, current, subBlockSize);
    if (bitmap === 0n) return { kind: 'UNCHANGED' };
    if (isAllZero(current)) return { kind: 'ZERO' };
    if (chooseEncoding(bitmap, subBlockCount(current.length, subBlockSize)) === 'DELTA') {
      const chunk = encodeDeltaChunk(bitmap, extractSubBlocks(current, bitmap, subBlockSize), options);
      return { kind: 'DELTA', chunk, id: chunkId(chunk), bitmap };
    }
  } else if (isAllZero(current)) {
    return { kind: 'ZERO' };
  }
  const chunk = encodeFullChunk(current, options);
  return { kind: 'FULL', chunk, id: chunkId(chunk) };
}
