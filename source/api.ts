/**
 * The source core's side of the replication protocol (docs/replication-protocol.md), over the
 * source core's client (client.ts: one HTTPS transport, retries with backoff, jitter and
 * Retry-After). The requests are typed by the target's request schemas.
 */
import type { z } from 'zod';
import { isSha256Hex } from '../shared/format/hash.js';
import {
  MAX_MISSING_BATCH, type CommitBody, type MissingBody, type RegisterMachineBody,
} from '../shared/http/schemas/replication.js';
import type { DamagedExtents, VerifyStatus } from '../shared/http/schemas/responses/verification.js';
import { parseChunkFrames } from './chunk-frames.js';
import { DEFAULT_RETRY, ReplicationApiError, TargetClient, type HttpTransport, type RetryPolicy } from './client.js';

/** A volume as the target registers and commits it. */
export type VolumeSize = NonNullable<z.input<typeof RegisterMachineBody>['volumes']>[number];
export type CommitRequest = z.input<typeof CommitBody>;
type RegisterMachineRequest = z.input<typeof RegisterMachineBody>;
type MissingRequest = z.input<typeof MissingBody>;

/** Where an RP is in the tenant's recycle bin on the target (docs/lifecycle.md). */
export interface BinEntry { reason: 'retention' | 'deleted'; binnedAt: string; purgeAfter: string }

/** A committed recovery point as the target answers it: the commit's fields and what the target adds. */
export type RecoveryPoint = CommitRequest & {
  rpId: string; machineId: string; committedAt: string;
  chunkCount?: number; referencedBytes?: number; addedBytes?: number;
  /** In the recycle bin (restorable, and restorable from it, until purgeAfter). */
  bin?: BinEntry;
  /** Taken out of the bin: the target's retention keeps it. */
  pinned?: boolean;
};

export interface BinnedRecoveryPoint {
  rpId: string; machineId: string; kind: 'base' | 'incremental'; committedAt: string; volumes: VolumeSize[]; addedBytes: number; bin: BinEntry;
}

const enc = encodeURIComponent;

/** What the target found damaged in an RP's chain: its extents to send whole (`GET …/damaged-extents`). */
export type DamagedExtentsAnswer = z.infer<typeof DamagedExtents>;
/** The verify states of the tenant's RPs and its damaged chunks (`GET /v1/verification`). */
export type VerifyStatusAnswer = z.infer<typeof VerifyStatus>;

/** Ids one chunk read may ask for. */
export const MAX_READ_IDS = MAX_MISSING_BATCH;

export class ReplicationApi {
  private readonly client: TargetClient;

  constructor(http: HttpTransport, retry: RetryPolicy = DEFAULT_RETRY) {
    this.client = new TargetClient(http, retry);
  }

  putMachine(machineId: string, volumes: readonly VolumeSize[], name?: string): Promise<unknown> {
    const body: RegisterMachineRequest = { ...(name ? { name } : {}), volumes: [...volumes] };
    return this.client.json('register machine', 'PUT', `/v1/machines/${enc(machineId)}`, body);
  }

  /** The committed RP, or undefined when it is not (yet) committed on this machine. */
  async recoveryPoint(machineId: string, rpId: string): Promise<RecoveryPoint | undefined> {
    try {
      return await this.client.json<RecoveryPoint>('read recovery point', 'GET', `/v1/machines/${enc(machineId)}/recovery-points/${enc(rpId)}`);
    } catch (err) {
      if (err instanceof ReplicationApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  async recoveryPoints(machineId: string): Promise<RecoveryPoint[]> {
    const { items } = await this.client.json<{ items: RecoveryPoint[] }>('list recovery points', 'GET', `/v1/machines/${enc(machineId)}/recovery-points`);
    return items;
  }

  /** The ids (of `ids`) the tenant does not store, asking in batches of at most MAX_MISSING_BATCH. */
  async missing(machineId: string, rpId: string, ids: readonly string[]): Promise<string[]> {
    const out: string[] = [];
    for (let at = 0; at < ids.length; at += MAX_MISSING_BATCH) {
      const body: MissingRequest = { chunks: ids.slice(at, at + MAX_MISSING_BATCH) };
      const { missing } = await this.client.json<{ missing: string[] }>('ask missing chunks', 'POST',
        `/v1/machines/${enc(machineId)}/recovery-points/${enc(rpId)}/missing`, body);
      out.push(...missing);
    }
    return out;
  }

  /** Every chunk id already uploaded under this rpId (an interrupted run's packs), asked page by page once per run. */
  async uploaded(machineId: string, rpId: string): Promise<Set<string>> {
    const out = new Set<string>();
    let after: string | undefined;
    do {
      const query = after !== undefined ? `?after=${after}` : '';
      const page = await this.client.json<{ packs: { packId: string; chunks: string[] }[]; next?: string }>('list uploaded packs', 'GET',
        `/v1/machines/${enc(machineId)}/recovery-points/${enc(rpId)}/uploads${query}`);
      for (const p of page.packs) for (const c of p.chunks) out.add(c);
      after = page.next;
    } while (after !== undefined);
    return out;
  }

  async putPack(machineId: string, rpId: string, packId: string, pack: Buffer): Promise<{ created: boolean }> {
    const res = await this.client.call('upload pack', 'PUT', `/v1/machines/${enc(machineId)}/recovery-points/${enc(rpId)}/packs/${packId}`, pack, 'application/octet-stream');
    return JSON.parse(res.body.toString('utf8')) as { created: boolean };
  }

  commit(machineId: string, rpId: string, request: CommitRequest): Promise<RecoveryPoint> {
    return this.client.json<RecoveryPoint>('commit', 'POST', `/v1/machines/${enc(machineId)}/recovery-points/${enc(rpId)}/commit`, request);
  }

  /**
   * The extents of `rpId` whose restore needs a chunk the target found damaged, to send whole in
   * the next incremental on it (or `rebase`: send a base). A target without the route (404) has
   * nothing to say: no extents.
   */
  async damagedExtents(machineId: string, rpId: string): Promise<DamagedExtentsAnswer> {
    try {
      return await this.client.json<DamagedExtentsAnswer>('ask damaged extents', 'GET', `/v1/machines/${enc(machineId)}/recovery-points/${enc(rpId)}/damaged-extents`);
    } catch (err) {
      if (err instanceof ReplicationApiError && err.status === 404) return { rpId, extents: [], rebase: false, damagedChunks: 0 };
      throw err;
    }
  }

  /** Verify states of the tenant's RPs per machine, and its damaged chunks. */
  verifyStatus(): Promise<VerifyStatusAnswer> {
    return this.client.json<VerifyStatusAnswer>('read verify status', 'GET', '/v1/verification');
  }

  /**
   * Stored chunks of `rpId`'s chain (the RP and its ancestors), by id: 1..MAX_READ_IDS ids
   * (duplicates allowed) in one request; the answer holds the first n of them (1 ≤ n ≤ ids,
   * as many as fit about 4 MiB), in order: ask again for the rest. The chunks are views of one
   * response body and are not verified here (the caller checks each against its id). A chunk
   * not stored for the chain is a 404, one whose stored bytes are damaged a 502.
   */
  async readChunks(machineId: string, rpId: string, ids: readonly string[]): Promise<Buffer[]> {
    if (ids.length < 1 || ids.length > MAX_READ_IDS) throw new RangeError(`read chunks takes 1..${MAX_READ_IDS} ids, not ${ids.length}`);
    for (const id of ids) if (!isSha256Hex(id)) throw new Error(`not a chunk id: ${JSON.stringify(id)}`);
    const body = Buffer.from(JSON.stringify({ chunks: ids }));
    const res = await this.client.call('read chunks', 'POST', `/v1/machines/${enc(machineId)}/recovery-points/${enc(rpId)}/chunks/read`, body, 'application/json');
    return parseChunkFrames(res, ids.length);
  }

  /** The tenant's recycle bin: RPs expired by the target's retention or deleted by the service provider, restorable until `bin.purgeAfter`. */
  async recycleBin(): Promise<BinnedRecoveryPoint[]> {
    const { items } = await this.client.json<{ items: BinnedRecoveryPoint[] }>('list the recycle bin', 'GET', '/v1/recycle-bin');
    return items;
  }

  /** Takes an RP out of the recycle bin: a normal RP again (410 once its bin period is over). */
  restoreFromBin(rpId: string): Promise<RecoveryPoint> {
    return this.client.json<RecoveryPoint>('restore from the recycle bin', 'POST', `/v1/recycle-bin/${enc(rpId)}/restore`, {});
  }

  /**
   * Hands the response a readChunks answer came in back to the transport, for reuse: pass any
   * one of its chunks, once nothing refers to it or to any other chunk of that answer.
   */
  release(chunk: Buffer): void {
    this.client.recycle(chunk);
  }
}
