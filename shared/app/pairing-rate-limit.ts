import { DomainError } from '../domain/errors.js';
import type { AppDeps } from './deps.js';
import { enrollmentWindowHandler } from './handlers.js';

/**
 * The pairing rate limit: at most `requests` pairing requests per enrollment certificate in
 * each fixed window of `windowSeconds` (windows start at multiples of it, Unix time).
 * The count is the enrollment window stream (shared/domain/enrollment-window.ts) in the
 * event store, so it holds on every runtime and under concurrent requests.
 */
export interface PairingRateLimit {
  readonly requests: number;
  readonly windowSeconds: number;
}

/** What an MSP expects: a customer retrying a few times is fine; a flood is not. */
export const DEFAULT_PAIRING_RATE_LIMIT: PairingRateLimit = { requests: 10, windowSeconds: 3600 };

/** `DRCORE_PAIRING_RATE_LIMIT`: "<requests>/<seconds>", e.g. "10/3600"; unset or empty: the default. */
export function pairingRateLimitFrom(value: string | undefined): PairingRateLimit {
  if (value === undefined || value.trim() === '') return DEFAULT_PAIRING_RATE_LIMIT;
  const m = /^\s*(\d{1,6})\s*\/\s*(\d{1,8})\s*$/.exec(value);
  const requests = Number(m?.[1]);
  const windowSeconds = Number(m?.[2]);
  if (!m || requests < 1 || windowSeconds < 1) {
    throw new Error(`invalid pairing rate limit ${JSON.stringify(value)}: expected "<requests>/<seconds>", both at least 1 (e.g. "10/3600")`);
  }
  return { requests, windowSeconds };
}

/**
 * Counts one pairing request of enrollment certificate `serial` in the current window, or
 * refuses (DomainError rate-limited: 429 with Retry-After, the whole seconds until the window
 * ends, in `details.retryAfterSeconds`), appending nothing.
 * A concurrent append means another request was filed, and at most `requests` can be: so
 * `requests + 1` attempts always end in filed or 429, never in a concurrency conflict.
 */
export async function filePairingRequest(
  deps: Pick<AppDeps, 'events'>, limit: PairingRateLimit, serial: string, requestId: string, meta: { now: Date; actor: string },
): Promise<void> {
  const windowMs = limit.windowSeconds * 1000;
  const startMs = Math.floor(meta.now.getTime() / windowMs) * windowMs;
  const windowStart = new Date(startMs).toISOString();
  try {
    await enrollmentWindowHandler(deps, { serial, windowStartSeconds: startMs / 1000 }, {
      type: 'FilePairingRequest', data: { serial, requestId, windowStart, limit: limit.requests },
    }, { at: meta.now.toISOString(), actor: meta.actor }, { attempts: limit.requests + 1 });
  } catch (e) {
    if (e instanceof DomainError && e.code === 'rate-limited') {
      const retryAfterSeconds = Math.max(1, Math.ceil((startMs + windowMs - meta.now.getTime()) / 1000));
      throw new DomainError('rate-limited',
        `at most ${limit.requests} pairing requests per ${limit.windowSeconds} s per enrollment certificate: ${e.message}; retry in ${retryAfterSeconds} s`,
        { details: { retryAfterSeconds }, cause: e });
    }
    throw e;
  }
}
