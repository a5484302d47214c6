/**
 * Chunk uploader of one recovery point (protocol steps 3–4): chunks are gathered in batches,
 * the target is asked which of them it lacks (`missing`), the missing ones are packed
 * (PackBuilder, ≤ MAX_PACK_BYTES; big chunks come already packed alone) and each pack is PUT on
 * one of N parallel keep-alive mTLS connections.
 *
 * The question for a batch is asked as soon as the batch is full, while earlier batches are
 * still uploading (at most `ahead` batches waiting), so the connections never sit idle behind
 * a round trip. Memory is bounded: ≤ `ahead` batches, one pack being filled and ≤ `parallel`
 * packs in flight; `add` waits (backpressure) when the pipe is full.
 *
 * Resuming is free: a chunk the target already holds — from an interrupted run of the same RP,
 * or any earlier upload of the tenant — is never sent again.
 */
import { PackBuilder } from '../shared/format/pack-builder.js';
import type { EncodedPack } from '../shared/format/pack.js';

export interface UploadTarget {
  missing(ids: readonly string[]): Promise<string[]>;
  putPack(packId: string, pack: Buffer): Promise<unknown>;
}

export interface UploaderOptions {
  /** Packs in flight at once (the number of connections). */
  readonly parallel: number;
  /** Ask `missing` once this many chunks or bytes are waiting. */
  readonly batchChunks?: number;
  readonly batchBytes?: number;
  /** Batches asked about but not yet uploaded, at most (default 2). */
  readonly ahead?: number;
  /** Called after each pack is stored, with its size. */
  readonly onPackSent?: (bytes: number, chunks: number) => void;
  /** Called with each pack given to `addPack` once the uploader no longer needs its bytes. */
  readonly release?: (pack: Buffer) => void;
}

export interface UploadStats { chunksOffered: number; chunksSent: number; packsSent: number; bytesSent: number }

interface Item { id: string; bytes: Buffer; packId?: string }
type Outgoing = EncodedPack & { readonly solo?: boolean };

export class Uploader {
  private batch: Item[] = [];
  private batchBytes = 0;
  private readonly batchIds = new Set<string>();
  /** Chunks offered by this run (bounded), so a repeated chunk is not offered twice. */
  private readonly recent = new Set<string>();
  private readonly builder = new PackBuilder();
  private readonly inflight = new Set<Promise<void>>();
  /** Batches in order: each stage uploads its batch after the previous stage is done. */
  private readonly stages: Promise<void>[] = [];
  private tail: Promise<void> = Promise.resolve();
  private failure: unknown;
  readonly stats: UploadStats = { chunksOffered: 0, chunksSent: 0, packsSent: 0, bytesSent: 0 };
  private readonly maxChunks: number;
  private readonly maxBytes: number;
  private readonly ahead: number;

  constructor(private readonly target: UploadTarget, private readonly options: UploaderOptions) {
    this.maxChunks = options.batchChunks ?? 64;
    this.maxBytes = options.batchBytes ?? 8 * 1024 * 1024;
    this.ahead = Math.max(1, options.ahead ?? 2);
  }

  /** Offers one chunk; resolves when the pipeline has room for more. */
  add(id: string, bytes: Buffer): Promise<void> {
    return this.offer({ id, bytes });
  }

  /** Offers one chunk already framed as a pack of its own (`packId`, `pack`). */
  addPack(chunkId: string, packId: string, pack: Buffer): Promise<void> {
    return this.offer({ id: chunkId, bytes: pack, packId });
  }

  private async offer(item: Item): Promise<void> {
    this.check();
    this.stats.chunksOffered++;
    if (this.recent.has(item.id) || this.batchIds.has(item.id)) {
      if (item.packId) this.options.release?.(item.bytes);
      return;
    }
    this.batch.push(item);
    this.batchIds.add(item.id);
    this.batchBytes += item.bytes.length;
    if (this.batch.length >= this.maxChunks || this.batchBytes >= this.maxBytes) await this.dispatch();
  }

  private remember(id: string): void {
    this.recent.add(id);
    if (this.recent.size > 65536) {
      const oldest = this.recent.values().next().value;
      if (oldest !== undefined) this.recent.delete(oldest);
    }
  }

  /** Asks about the current batch now and queues its upload behind the earlier batches. */
  private async dispatch(): Promise<void> {
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    this.batchIds.clear();
    for (const c of batch) this.remember(c.id);
    const answer = this.target.missing(batch.map((c) => c.id));
    answer.catch(() => { /* awaited by the stage */ });
    const stage = this.tail.then(async () => {
      if (this.failure !== undefined) return;
      const missing = new Set(await answer);
      for (const c of batch) {
        if (!missing.has(c.id)) {
          if (c.packId) this.options.release?.(c.bytes);
          continue;
        }
        if (c.packId) await this.send({ id: c.packId, bytes: c.bytes, chunkIds: [c.id], solo: true });
        else {
          const full = this.builder.add(c.bytes, c.id);
          if (full) await this.send(full);
        }
      }
    }).catch((err: unknown) => { this.failure ??= err; });
    this.tail = stage;
    this.stages.push(stage);
    while (this.stages.length > this.ahead) await this.stages.shift();
  }

  private async send(pack: Outgoing): Promise<void> {
    while (this.inflight.size >= this.options.parallel) await Promise.race(this.inflight);
    this.check();
    const p: Promise<void> = this.target.putPack(pack.id, pack.bytes).then(() => {
      this.stats.packsSent++;
      this.stats.chunksSent += pack.chunkIds.length;
      this.stats.bytesSent += pack.bytes.length;
      this.options.onPackSent?.(pack.bytes.length, pack.chunkIds.length);
    }, (err: unknown) => { this.failure ??= err; }).finally(() => {
      this.inflight.delete(p);
      if (pack.solo) this.options.release?.(pack.bytes);
    });
    this.inflight.add(p);
  }

  private check(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  /** Sends everything still waiting and resolves once every pack is stored. */
  async finish(): Promise<UploadStats> {
    await this.dispatch();
    await Promise.all(this.stages.splice(0));
    this.check();
    const last = this.builder.flush();
    if (last) await this.send(last);
    await Promise.all(this.inflight);
    this.check();
    return this.stats;
  }

  /** Waits for everything in flight to settle (after a failure elsewhere), ignoring outcomes. */
  async abort(): Promise<void> {
    this.failure ??= new Error('upload aborted');
    await Promise.allSettled(this.stages.splice(0));
    await Promise.allSettled(this.inflight);
  }
}
