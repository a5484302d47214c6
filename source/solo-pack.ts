/**
 * Packs of one big chunk, built on the extent worker so the main thread only sends them. A raw
 * FULL extent is read straight into its pack buffer at SOLO_DATA_OFFSET and framed in place:
 * no copy, one allocation. The bytes are exactly encodePack([encodeFullChunk(extent, raw)])
 * (the unit test checks it against shared/format).
 */
import { CHUNK_MAGIC, CHUNK_VERSION, KIND_FULL } from '../shared/format/chunk.js';
import { CODEC_NONE } from '../shared/format/codec.js';
import { sha256Raw } from '../shared/format/hash.js';
import { encodePack, PACK_HEADER_BYTES, PACK_INDEX_ENTRY_BYTES, PACK_MAGIC, PACK_VERSION, packId } from '../shared/format/pack.js';

const CHUNK_HEADER = 12;
const CHUNK_AT = PACK_HEADER_BYTES + PACK_INDEX_ENTRY_BYTES;
/** Where the extent's bytes go in a solo pack buffer. */
export const SOLO_DATA_OFFSET = CHUNK_AT + CHUNK_HEADER;
/** Chunks at least this large travel in a pack of their own. */
export const SOLO_MIN_CHUNK = 1024 * 1024;

export interface SoloPack { readonly packId: string; readonly chunkId: string; readonly bytes: Buffer }

/** Frames `frame[SOLO_DATA_OFFSET, +length)` as a raw FULL chunk in a one-chunk pack, in place. */
export function frameRawFullPack(frame: Buffer, length: number): SoloPack {
  if (frame.length < SOLO_DATA_OFFSET + length) throw new RangeError('frame too small for the extent');
  const pack = frame.subarray(0, SOLO_DATA_OFFSET + length);
  CHUNK_MAGIC.copy(pack, CHUNK_AT);
  pack[CHUNK_AT + 4] = CHUNK_VERSION;
  pack[CHUNK_AT + 5] = KIND_FULL;
  pack[CHUNK_AT + 6] = CODEC_NONE;
  pack[CHUNK_AT + 7] = 0;
  pack.writeUInt32LE(length, CHUNK_AT + 8);
  const chunkId = sha256Raw(pack.subarray(CHUNK_AT));
  PACK_MAGIC.copy(pack, 0);
  pack.writeUInt32LE(PACK_VERSION, 4);
  pack.writeUInt32LE(1, 8);
  chunkId.copy(pack, PACK_HEADER_BYTES);
  pack.writeUInt32LE(CHUNK_AT, PACK_HEADER_BYTES + 32);
  pack.writeUInt32LE(CHUNK_HEADER + length, PACK_HEADER_BYTES + 36);
  return { packId: packId(pack), chunkId: chunkId.toString('hex'), bytes: pack };
}

/** A one-chunk pack of an already encoded chunk. */
export function soloPack(chunk: Buffer, chunkId: string): SoloPack {
  const p = encodePack([{ id: chunkId, bytes: chunk }]);
  return { packId: p.id, chunkId, bytes: p.bytes };
}
