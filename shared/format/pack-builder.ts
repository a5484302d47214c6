/**
 * Accumulates chunks and emits packs no larger than a limit (default MAX_PACK_BYTES, see the
 * DECISION in pack.ts). Any single chunk fits one pack, so a chunk is never split or refused.
 * Chunks repeated within the pending pack are ignored (the server stores each id once).
 *
 *   const b = new PackBuilder();
 *   for (const c of chunks) { const full = b.add(c); if (full) await upload(full); }
 *   const last = b.flush(); if (last) await upload(last);
 */
import { MAX_CHUNK_BYTES } from './chunk.js';
import { PackFormatError } from './errors.js';
import { chunkId } from './hash.js';
import { encodePack, MAX_PACK_BYTES, packSize, type EncodedPack } from './pack.js';

export interface PackBuilderOptions {
  /** Emit packs of at most this many bytes; ≥ the largest chunk's pack, ≤ MAX_PACK_BYTES. */
  readonly maxPackBytes?: number;
}

export class PackBuilder {
  readonly maxPackBytes: number;
  private pending: { id: string; bytes: Uint8Array }[] = [];
  private ids = new Set<string>();
  private chunkBytes = 0;

  constructor(options: PackBuilderOptions = {}) {
    this.maxPackBytes = options.maxPackBytes ?? MAX_PACK_BYTES;
    if (this.maxPackBytes > MAX_PACK_BYTES || this.maxPackBytes < packSize(1, MAX_CHUNK_BYTES)) {
      throw new PackFormatError(`maxPackBytes must be in ${packSize(1, MAX_CHUNK_BYTES)}..${MAX_PACK_BYTES}`);
    }
  }

  /** Chunks waiting in the current pack. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /** Size the current pack would have if flushed now (0 when empty). */
  get pendingBytes(): number {
    return this.pending.length === 0 ? 0 : packSize(this.pending.length, this.chunkBytes);
  }

  /**
   * Adds a chunk (its id is computed unless given). Returns the completed pack when this chunk
   * did not fit in it (the chunk then starts the next pack), else undefined.
   */
  add(chunk: Uint8Array, id: string = chunkId(chunk)): EncodedPack | undefined {
    if (chunk.length > MAX_CHUNK_BYTES) throw new PackFormatError(`chunk of ${chunk.length} bytes exceeds ${MAX_CHUNK_BYTES}`);
    if (this.ids.has(id)) return undefined;
    let done: EncodedPack | undefined;
    if (this.pending.length > 0 && packSize(this.pending.length + 1, this.chunkBytes + chunk.length) > this.maxPackBytes) {
      done = this.flush();
    }
    this.pending.push({ id, bytes: chunk });
    this.ids.add(id);
    this.chunkBytes += chunk.length;
    return done;
  }

  /** Emits the current pack, if any, and starts a new one. */
  flush(): EncodedPack | undefined {
    if (this.pending.length === 0) return undefined;
    const pack = encodePack(this.pending);
    this.pending = [];
    this.ids = new Set();
    this.chunkBytes = 0;
    return pack;
  }
}
