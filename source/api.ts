/**
 * The source core's side of the replication protocol (docs/replication-protocol.md), over any
 * transport that can send one HTTPS request (cli/http-client.ts ApiClient fits). Transient
 * failures — network errors, 409, 429, 5xx — are retried with exponential backoff and full
 * jitter (so many sources do not retry in step); a 429 or 503 with Retry-After (seconds or an
 * HTTP date) waits at least that long, capped. Other 4xx are not retried.
 */
import { isSha256Hex } from '../shared/format/hash.js';

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface HttpTransport {
  send(method: string, path: string, body?: Buffer, contentType?: string): Promise<HttpResponse>;
  /** Optional: takes back a response body the caller no longer uses, for reuse. */
  recycle?(body: Buffer): void;
}

export interface Problem { type?: string; title?: string; status?: number; detail?: string; [k: string]: unknown }

export class ReplicationApiError extends Error {
  override readonly name = 'ReplicationApiError';
  /** The response's Retry-After header, as sent (429 and 503 may carry one). */
  retryAfter?: string;
  constructor(readonly status: number, readonly problem: Problem, readonly what: string) {
    super(`${what}: ${status} ${problem.title ?? ''}${problem.detail ? `: ${problem.detail}` : ''}`);
  }
}

export type RpKind = 'base' | 'incremental';
export interface VolumeSize { readonly name: string; readonly sizeBytes: number }

export interface RecoveryPoint {
  rpId: string; machineId: string; kind: RpKind; parentRpId?: string; manifest: string;
  volumes: VolumeSize[]; createdAt?: string; committedAt: string;
  chunkCount?: number; referencedBytes?: number; addedBytes?: number;
}

export interface CommitRequest {
  kind: RpKind; parentRpId?: string; manifest: string; volumes: VolumeSize[]; createdAt?: string;
}

export const MISSING_BATCH = 512;

const enc = encodeURIComponent;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

function isTransient(err: unknown): boolean {
  if (err instanceof ReplicationApiError) return err.status === 409 || err.status === 429 || err.status >= 500;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && TRANSIENT_CODES.has(code);
}

export interface RetryPolicy {
  /** Attempts in all (default 6: at most 0.2 + 0.4 + … + 3.2 s of backoff, 3.1 s on average). */
  readonly attempts: number;
  /** The first retry waits up to this long, each next one up to twice as long. */
  readonly baseDelayMs: number;
  /** Cap of one backoff step before jitter (default 10 s). */
  readonly maxDelayMs?: number;
  /** Cap of a server's Retry-After (default 60 s): a longer one is waited for this long. */
  readonly maxRetryAfterMs?: number;
  /** Injectable for tests: [0, 1) (default Math.random), the wait, and the clock for HTTP dates. */
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 200 };

/** Milliseconds a Retry-After value asks for (delta-seconds or an HTTP date), or undefined. */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at) || at <= now) return undefined;
  return at - now;
}

export class ReplicationApi {
  constructor(readonly http: HttpTransport, readonly retry: RetryPolicy = DEFAULT_RETRY) {}

  private async call(what: string, method: string, path: string, body?: Buffer, contentType?: string): Promise<HttpResponse> {
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await this.http.send(method, path, body, contentType);
        if (res.status >= 400) {
          const err = new ReplicationApiError(res.status, parseProblem(res.body), what);
          const retryAfter = res.headers['retry-after'];
          if (retryAfter !== undefined) err.retryAfter = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
          throw err;
        }
        return res;
      } catch (err) {
        if (!isTransient(err) || attempt >= this.retry.attempts) throw err;
        await (this.retry.sleep ?? sleep)(this.delay(attempt, err));
      }
    }
  }

  /**
   * The wait before retry `attempt`: full jitter, random × min(cap, base × 2^(attempt-1)); after
   * a 429 or 503 with a usable Retry-After, that (capped) plus the jitter.
   */
  private delay(attempt: number, err: unknown): number {
    const r = this.retry;
    const step = Math.min(r.maxDelayMs ?? 10_000, r.baseDelayMs * 2 ** (attempt - 1));
    const jitter = (r.random ?? Math.random)() * step;
    if (err instanceof ReplicationApiError && (err.status === 429 || err.status === 503)) {
      const asked = retryAfterMs(err.retryAfter, (r.now ?? Date.now)());
      if (asked !== undefined) return Math.min(asked, r.maxRetryAfterMs ?? 60_000) + jitter;
    }
    return jitter;
  }

  private async json<T>(what: string, method: string, path: string, payload?: unknown): Promise<T> {
    const body = payload === undefined ? undefined : Buffer.from(JSON.stringify(payload));
    const res = await this.call(what, method, path, body, 'application/json');
    return JSON.parse(res.body.toString('utf8')) as T;
  }

  putMachine(machineId: string, volumes: readonly VolumeSize[], name?: string): Promise<unknown> {
    return this.json('register machine', 'PUT', `/v1/machines/${enc(machineId)}`, { ...(name ? { name } : {}), volumes });
  }

  /** The committed RP, or undefined when it is not (yet) committed on this machine. */
  async recoveryPoint(machineId: string, rpId: string): Promise<RecoveryPoint | undefined> {
    try {
      return await this.json<RecoveryPoint>('read recovery point', 'GET', `/v1/machines/${enc(machineId)}/recovery-points/${enc(rpId)}`);
    } catch (err) {
      if (err instanceof ReplicationApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  async recoveryPoints(machineId: string): Promise<RecoveryPoint[]> {
    const { items } = await this.json<{ items: RecoveryPoint[] }>('list recovery points', 'GET', `/v1/machines/${enc(machineId)}/recovery-points`);
    return items;
  }

  /** The ids (of `ids`) the tenant does not store, asking in batches of ≤ 512. */
  async missing(machineId: string, rpId: string, ids: readonly string[]): Promise<string[]> {
    const out: string[] = [];
    for (let at = 0; at < ids.length; at += MISSING_BATCH) {
      const { missing } = await this.json<{ missing: string[] }>('ask missing chunks', 'POST',
        `/v1/machines/${enc(machineId)}/recovery-points/${enc(rpId)}/missing`, { chunks: ids.slice(at, at + MISSING_BATCH) });
      out.push(...missing);
    }
    return out;
  }

  async putPack(machineId: string, rpId: string, packId: string, pack: Buffer): Promise<{ created: boolean }> {
    const res = await this.call('upload pack', 'PUT', `/v1/machines/${enc(machineId)}/recovery-points/${enc(rpId)}/packs/${packId}`, pack, 'application/octet-stream');
    return JSON.parse(res.body.toString('utf8')) as { created: boolean };
  }

  commit(machineId: string, rpId: string, request: CommitRequest): Promise<RecoveryPoint> {
    return this.json<RecoveryPoint>('commit', 'POST', `/v1/machines/${enc(machineId)}/recovery-points/${enc(rpId)}/commit`, request);
  }

  /** Hands a chunk's bytes back to the transport once nothing refers to them any more. */
  release(chunk: Buffer): void {
    this.http.recycle?.(chunk);
  }

  /** A stored chunk's bytes (not verified here: the caller checks them against the id). */
  async chunk(id: string): Promise<Buffer> {
    if (!isSha256Hex(id)) throw new Error(`not a chunk id: ${JSON.stringify(id)}`);
    return (await this.call('read chunk', 'GET', `/v1/chunks/${id}`)).body;
  }
}

function parseProblem(body: Buffer): Problem {
  const text = body.toString('utf8');
  try {
    const p: unknown = JSON.parse(text);
    if (p && typeof p === 'object') return p as Problem;
  } catch { /* not JSON */ }
  return { detail: text.slice(0, 500) };
}
