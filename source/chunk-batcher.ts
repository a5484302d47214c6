/**
 * Restore's chunk loader: lanes ask for chunks one at a time (get), and their asks are coalesced
 * into `chunks/read` requests (ReplicationApi.readChunks) of at most MAX_READ_IDS distinct ids
 * for one recovery point's chain, with at most `parallel` requests in flight (one per keep-alive
 * connection). Asks made while every connection is busy wait and go out together as soon as one
 * is free, so batches fill themselves under load while a lone ask is not held back from an idle
 * connection. The waiting ids are split across the free connections, and a request asks for
 * about as many as one answer (≤ 4 MiB) carries, judged from the answers so far, so big chunks
 * keep every connection busy instead of queueing behind one long list. An answer that stops
 * short is continued: the ids it did not carry go first in the next request. An id asked again
 * while queued or in flight joins that ask.
 *
 * Chunks are handed out as they came, views of their answer, NOT verified: the caller checks
 * each against its id before use (fetchChunk). An answer goes back to the transport
 * (api.release, for reuse) once every chunk handed out of it has been released; a chunk never
 * released (a manifest part, decoded and dropped) leaves its answer to the garbage collector,
 * never to reuse.
 */
import { isSha256Hex } from '../shared/format/hash.js';
import { MAX_READ_IDS, type ReplicationApi } from './api.js';

/** What the batcher needs of the replication API. */
export type ChunkReads = Pick<ReplicationApi, 'readChunks' | 'release'>;

/** The server stops filling an answer before its body would pass this many bytes. */
const ANSWER_BYTES = 4 * 1024 * 1024;

interface Ask { resolve(chunk: Buffer): void; reject(err: unknown): void }
/** An answer: one of its chunks (to hand it back by) and its hand-outs not yet released. */
interface Answer { readonly chunk: Buffer; out: number }
/** A chunk handed out: its answer and how many of its hand-outs are not yet released. */
interface HandOut { readonly answer: Answer; out: number }

export interface BatcherStats {
  /** Requests sent (each may be retried by the client). */
  requests: number;
  /** Chunks received, and their stored bytes (an id asked by several lanes at once counts once). */
  chunks: number;
  bytes: number;
}

export class ChunkBatcher {
  /** Ids not yet sent, in asking order (continued ones first). */
  private readonly queue: string[] = [];
  /** Every id queued or in flight, with who waits for it. */
  private readonly asks = new Map<string, Ask[]>();
  private readonly handOuts = new WeakMap<Uint8Array, HandOut>();
  private inFlight = 0;
  private scheduled = false;
  /** Running mean of a chunk's size in the answers so far (undefined before the first). */
  private chunkBytes: number | undefined;
  readonly stats: BatcherStats = { requests: 0, chunks: 0, bytes: 0 };

  constructor(private readonly api: ChunkReads, readonly machineId: string, readonly rpId: string, readonly parallel: number) {
    if (!Number.isInteger(parallel) || parallel < 1) throw new RangeError(`parallel must be a positive integer, not ${parallel}`);
  }

  /** Chunk `id`'s stored bytes (unverified), a view of its answer: release it when done. */
  get(id: string): Promise<Buffer> {
    if (!isSha256Hex(id)) return Promise.reject(new Error(`not a chunk id: ${JSON.stringify(id)}`));
    return new Promise((resolve, reject) => {
      const waiting = this.asks.get(id);
      if (waiting) return void waiting.push({ resolve, reject });
      this.asks.set(id, [{ resolve, reject }]);
      this.queue.push(id);
      this.schedule();
    });
  }

  /** Says a chunk `get` handed out is no longer referred to (once per hand-out). */
  release(chunk: Uint8Array): void {
    const h = this.handOuts.get(chunk);
    if (!h || h.out === 0) throw new Error('release of a chunk not handed out, or released twice');
    h.out--;
    if (--h.answer.out === 0) this.api.release(h.answer.chunk);
  }

  /** Sends after the current turn, so every ask made meanwhile can join. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.parallel && this.queue.length > 0) {
      const free = this.parallel - this.inFlight;
      const n = Math.min(this.idsPerRequest(), Math.ceil(this.queue.length / free));
      void this.send(this.queue.splice(0, n));
    }
  }

  /** About as many ids as one answer carries (one more, in case the next chunks are smaller). */
  private idsPerRequest(): number {
    if (this.chunkBytes === undefined) return MAX_READ_IDS;
    return Math.min(MAX_READ_IDS, Math.floor(ANSWER_BYTES / Math.max(1, this.chunkBytes)) + 1);
  }

  private async send(ids: string[]): Promise<void> {
    this.inFlight++;
    this.stats.requests++;
    let chunks: Buffer[];
    try {
      chunks = await this.api.readChunks(this.machineId, this.rpId, ids);
      if (chunks.length < 1 || chunks.length > ids.length) throw new Error(`read chunks: ${chunks.length} chunks answered for ${ids.length} asked`);
    } catch (err) {
      this.inFlight--;
      for (const id of ids) for (const ask of this.take(id)) ask.reject(err);
      this.schedule();
      return;
    }
    this.inFlight--;
    this.queue.unshift(...ids.slice(chunks.length));
    const answer: Answer = { chunk: chunks[0] as Buffer, out: 0 };
    let bytes = 0;
    chunks.forEach((chunk, k) => {
      const waiting = this.take(ids[k] as string);
      bytes += chunk.length;
      answer.out += waiting.length;
      this.handOuts.set(chunk, { answer, out: waiting.length });
      for (const ask of waiting) ask.resolve(chunk);
    });
    this.stats.chunks += chunks.length;
    this.stats.bytes += bytes;
    const mean = bytes / chunks.length;
    this.chunkBytes = this.chunkBytes === undefined ? mean : (3 * this.chunkBytes + mean) / 4;
    this.schedule();
  }

  private take(id: string): Ask[] {
    const waiting = this.asks.get(id) ?? [];
    this.asks.delete(id);
    return waiting;
  }
}
