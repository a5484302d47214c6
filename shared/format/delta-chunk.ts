/**
 * Applying a decoded DELTA chunk of either form (chunk.ts): a block delta names its own block
 * size; a sub-block delta (kind 2, older recovery points) uses the sub-block size of the
 * geometry of the manifest that lists it.
 */
import { applyBlockDeltaInPlace } from './block-delta.js';
import type { DeltaChunk } from './chunk.js';
import { applyDeltaInPlace } from './delta.js';

/** Writes the delta's bytes over `target`, one extent (mutates it); throws a FormatError when they do not fit. */
export function applyDeltaChunkInPlace(target: Uint8Array, delta: DeltaChunk, subBlockSize: number): void {
  if (delta.form === 'blocks') applyBlockDeltaInPlace(target, delta.blocks, delta.data, delta.blockSize);
  else applyDeltaInPlace(target, delta.bitmap, delta.data, subBlockSize);
}
