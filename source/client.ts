/**
 * The source core's one client of the target's HTTP API, for pairing (pairing.ts) and
 * replication (api.ts) alike: each request goes out through an HttpTransport (transport.ts:
 * mutual TLS, keep-alive), a problem response becomes a ReplicationApiError, and transient
 * failures — network errors, 409, 429, 5xx — are retried with exponential backoff and full
 * jitter (so many sources do not retry in step); a 429 or 503 with Retry-After (seconds or an
 * HTTP date) waits at least that long, capped. Other 4xx are not retried.
 */

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

/** A refusal of the target's API (problem+json), named after what the source was doing. */
export class ReplicationApiError extends Error {
  override readonly name = 'ReplicationApiError';
  /** The response's Retry-After header, as sent (429 and 503 may carry one). */
  retryAfter?: string;
  constructor(readonly status: number, readonly problem: Problem, readonly what: string) {
    super(`${what}: ${status} ${problem.title ?? ''}${problem.detail ? `: ${problem.detail}` : ''}`);
  }
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
  /**
   * 423 Replication Paused (the operator paused the tenant or the machine): the request is sent
   * again after the answer's Retry-After (at most this long, default 30 s) plus jitter, for as
   * long as the pause lasts, without counting as an attempt; nothing of it was stored.
   */
  readonly pausedPollMs?: number;
  /** Told once per pause (the first 423 of a spell), with the operator's reason. */
  readonly onPaused?: (reason: string, what: string) => void;
  /**
   * 429 Too Many Uploads (the tenant's uploads in flight are at the target's limit): the request
   * is sent again after the Retry-After plus up to as long again in jitter, so the lanes spread
   * out, without counting as an attempt, at most this many times in a row (default 600).
   */
  readonly maxBusyWaits?: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 200 };
/** One attempt: for a request that must not be sent twice, or whose caller retries itself. */
export const NO_RETRY: RetryPolicy = { attempts: 1, baseDelayMs: 0 };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

/** The target's per-tenant limit of uploads in flight: nothing was stored, it is busy, not failing. */
const TOO_MANY_UPLOADS = 'https://drcore.dev/problems/too-many-uploads';

/** Stored bytes that do not hash to their id: the target recorded it; asking again reads the same bytes. */
const STORED_CHUNK_CORRUPT = 'https://drcore.dev/problems/stored-chunk-corrupt';

function isTransient(err: unknown): boolean {
  if (err instanceof ReplicationApiError) {
    if (err.problem.type === STORED_CHUNK_CORRUPT) return false;
    return err.status === 409 || err.status === 429 || err.status >= 500;
  }
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && TRANSIENT_CODES.has(code);
}

/** Milliseconds a Retry-After value asks for (delta-seconds or an HTTP date), or undefined. */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at) || at <= now) return undefined;
  return at - now;
}

export class TargetClient {
  constructor(readonly http: HttpTransport, readonly retry: RetryPolicy = DEFAULT_RETRY) {}

  /** One request, retried per `retry` while it fails transiently; a status ≥ 400 throws. */
  async call(what: string, method: string, path: string, body?: Buffer, contentType?: string, retry = this.retry): Promise<HttpResponse> {
    let paused = false;
    let busy = 0;
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
        if (err instanceof ReplicationApiError && err.status === 423) {
          if (!paused) retry.onPaused?.(String(err.problem['pausedReason'] ?? err.problem.detail ?? 'no reason given'), what);
          paused = true;
          attempt--;
          await (retry.sleep ?? sleep)(pausedDelay(retry, err));
          continue;
        }
        const isBusy = err instanceof ReplicationApiError && err.status === 429 && err.problem.type === TOO_MANY_UPLOADS;
        if (isBusy && busy < (retry.maxBusyWaits ?? 600)) {
          busy++;
          attempt--;
          await (retry.sleep ?? sleep)(busyDelay(retry, err));
          continue;
        }
        if (!isBusy) busy = 0;
        if (!isTransient(err) || attempt >= retry.attempts) throw err;
        await (retry.sleep ?? sleep)(delay(retry, attempt, err));
      }
    }
  }

  /** JSON in (when `payload` is given), JSON out. */
  async json<T>(what: string, method: string, path: string, payload?: unknown, retry = this.retry): Promise<T> {
    const body = payload === undefined ? undefined : Buffer.from(JSON.stringify(payload));
    const res = await this.call(what, method, path, body, 'application/json', retry);
    return JSON.parse(res.body.toString('utf8')) as T;
  }

  /** Hands a response body back to the transport once nothing refers to it any more. */
  recycle(body: Buffer): void {
    this.http.recycle?.(body);
  }
}

/**
 * The wait before retry `attempt`: full jitter, random × min(cap, base × 2^(attempt-1)); after
 * a 429 or 503 with a usable Retry-After, that (capped) plus the jitter.
 */
function delay(r: RetryPolicy, attempt: number, err: unknown): number {
  const step = Math.min(r.maxDelayMs ?? 10_000, r.baseDelayMs * 2 ** (attempt - 1));
  const jitter = (r.random ?? Math.random)() * step;
  if (err instanceof ReplicationApiError && (err.status === 429 || err.status === 503)) {
    const asked = retryAfterMs(err.retryAfter, (r.now ?? Date.now)());
    if (asked !== undefined) return Math.min(asked, r.maxRetryAfterMs ?? 60_000) + jitter;
  }
  return jitter;
}

/** The wait before sending again to a busy target: the Retry-After (capped; 1 s without one), plus up to as long again in jitter. */
function busyDelay(r: RetryPolicy, err: ReplicationApiError): number {
  const asked = Math.min(retryAfterMs(err.retryAfter, (r.now ?? Date.now)()) ?? 1000, r.maxRetryAfterMs ?? 60_000);
  return asked + (r.random ?? Math.random)() * asked;
}

/** The wait before asking again while paused: the Retry-After (capped by pausedPollMs), plus up to a tenth of it in jitter. */
function pausedDelay(r: RetryPolicy, err: ReplicationApiError): number {
  const cap = r.pausedPollMs ?? 30_000;
  const asked = retryAfterMs(err.retryAfter, (r.now ?? Date.now)()) ?? cap;
  const base = Math.min(asked, cap);
  return base + (r.random ?? Math.random)() * base * 0.1;
}

function parseProblem(body: Buffer): Problem {
  const text = body.toString('utf8');
  try {
    const p: unknown = JSON.parse(text);
    if (p && typeof p === 'object') return p as Problem;
  } catch { /* not JSON */ }
  return { detail: text.slice(0, 500) };
}
