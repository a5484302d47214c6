/**
 * Reading chunks back through a caller-supplied getter, verifying each against its id
 * (DESIGN §9: restore is "every chunk verified").
 */
import { ChunkIntegrityError } from './errors.js';
import { sha256Hex } from './hash.js';
import type { GetChunk } from './manifest-types.js';

export type { GetChunk } from './manifest-types.js';

/** Gets chunk `id` and, unless `verify` is false, checks that its bytes hash to `id`. */
export async function fetchChunk(getChunk: GetChunk, id: string, verify = true): Promise<Uint8Array> {
  const bytes = await getChunk(id);
  if (verify) {
    const actual = sha256Hex(bytes);
    if (actual !== id) throw new ChunkIntegrityError(id, actual);
  }
  return bytes;
}
