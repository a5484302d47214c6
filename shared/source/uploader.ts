/**
 * Chunk uploader of one recovery point (protocol steps 3–4): chunks are gathered in small
 * batches, the target is asked which of them it lacks (`missing`), the missing ones are packed
 * (PackBuilder, ≤ MAX_PACK_BYTES) and each pack is PUT on one of N parallel keep-alive mTLS
 * connections. Memory is bounded: one batch being asked about, one pack being filled and at
 * most `parallel` packs in flight; `add` waits (backpressure) when the pipe is full.
 *
 * Resuming is free: a chunk the target already holds — from an interrupted run of the same RP,
 * or any earlier upload of the tenant — is never sent again.
 */
import { PackBuilder } from '../format/pack-builder.js';
import type { EncodedPack } from '../format/pack.js';

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
  /** Called after each pack is stored, with its size. */
  readonly onPackSent?: (bytes: number, chunks: number) => void;
}

export interface UploadStats { chunksOffered: number; chunksSent: number; packsSent: number; bytesSent: number }

export class Uploader {
  private batch: { id: string; bytes: Buffer }[] = [];
  private batchBytes = 0;
  private readonly batchIds = new Set<string>();
  /** Chunks sent (or being sent) by this run, so a repeated chunk is not offered twice. */
  private readonly recent = new Set<string>();
  private readonly builder = new PackBuilder();
  private readonly inflight = new Set<Promise<void>>();
  private failure: unknown;
  readonly stats: UploadStats = { chunksOffered: 0, chunksSent: 0, packsSent: 0, bytesSent: 0 };
  private readonly maxChunks: number;
  private readonly maxBytes: number;

  constructor(private readonly target: UploadTarget, private readonly options: UploaderOptions) {
    this.maxChunks = options.batchChunks ?? 64;
    this.maxBytes = options.batchBytes ?? 16 * 1024 * 1024;
  }

  /** Offers one chunk; resolves when the pipeline has room for more. */
  async add(id: string, bytes: Buffer): Promise<void> {
    this.check();
    this.stats.chunksOffered++;
    if (this.recent.has(id) || this.batchIds.has(id)) return;
    this.batch.push({ id, bytes });
    this.batchIds.add(id);
    this.batchBytes += bytes.length;
    if (this.batch.length >= this.maxChunks || this.batchBytes >= this.maxBytes) await this.flushBatch();
  }

  private remember(id: string): void {
    this.recent.add(id);
    if (this.recent.size > 65536) {
      const oldest = this.recent.values().next().value;
      if (oldest !== undefined) this.recent.delete(oldest);
    }
  }

  private async flushBatch(): Promise<void> {
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    this.batchIds.clear();
    const missing = new Set(await this.target.missing(batch.map((c) => c.id)));
    for (const c of batch) {
      this.remember(c.id);
      if (!missing.has(c.id)) continue;
      const full = this.builder.add(c.bytes, c.id);
      if (full) await this.send(full);
    }
  }

  private async send(pack: EncodedPack): Promise<void> {
    while (this.inflight.size >= this.options.parallel) await Promise.race(this.inflight);
    this.check();
    const p: Promise<void> = this.target.putPack(pack.id, pack.bytes).then(() => {
      this.stats.packsSent++;
      this.stats.chunksSent += pack.chunkIds.length;
      this.stats.bytesSent += pack.bytes.length;
      this.options.onPackSent?.(pack.bytes.length, pack.chunkIds.length);
    }, (err: unknown) => { this.failure ??= err; }).finally(() => { this.inflight.delete(p); });
    this.inflight.add(p);
  }

  private check(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  /** Sends everything still waiting and resolves once every pack is stored. */
  async finish(): Promise<UploadStats> {
    await this.flushBatch();
    const last = this.builder.flush();
    if (last) await this.send(last);
    await Promise.all(this.inflight);
    this.check();
    return this.stats;
  }

  /** Waits for packs in flight to settle (after a failure elsewhere), ignoring their outcome. */
  async abort(): Promise<void> {
    await Promise.allSettled(this.inflight);
  }
}
