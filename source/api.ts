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
import { DEFAULT_RETRY, ReplicationApiError, TargetClient, type HttpTransport, type RetryPolicy } from './client.js';

/** A volume as the target registers and commits it. */
export type VolumeSize = NonNullable<z.input<typeof RegisterMachineBody>['volumes']>[number];
export type CommitRequest = z.input<typeof CommitBody>;
type RegisterMachineRequest = z.input<typeof RegisterMachineBody>;
type MissingRequest = z.input<typeof MissingBody>;

/** A committed recovery point as the target answers it: the commit's fields and what the target adds. */
export type RecoveryPoint = CommitRequest & {
  rpId: string; machineId: string; committedAt: string;
  chunkCount?: number; referencedBytes?: number; addedBytes?: number;
};

const enc = encodeURIComponent;

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

  /** Hands a chunk's bytes back to the transport once nothing refers to them any more. */
  release(chunk: Buffer): void {
    this.client.recycle(chunk);
  }

  /** A stored chunk's bytes (not verified here: the caller checks them against the id). */
  async chunk(id: string): Promise<Buffer> {
    if (!isSha256Hex(id)) throw new Error(`not a chunk id: ${JSON.stringify(id)}`);
    return (await this.client.call('read chunk', 'GET', `/v1/chunks/${id}`)).body;
  }
}
