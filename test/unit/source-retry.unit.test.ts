/**
 * The source's retries (ReplicationApi): exponential backoff with full jitter, and a server's
 * Retry-After (seconds or an HTTP date) honoured on 429 and 503, capped. Sleep, clock and
 * random source are injected, so the waits are asserted exactly and the test takes no time.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ReplicationApi } from '../../source/api.js';
import { ReplicationApiError, type HttpResponse, type HttpTransport, type RetryPolicy } from '../../source/client.js';

const problem = (status: number, headers: Record<string, string> = {}): HttpResponse =>
  ({ status, headers, body: Buffer.from(JSON.stringify({ title: `status ${status}`, status })) });
const okList: HttpResponse = { status: 200, headers: {}, body: Buffer.from('{"items":[]}') };

/** Answers each request with the next scripted response (or throws a scripted error). */
class Scripted implements HttpTransport {
  calls = 0;
  constructor(private readonly script: (HttpResponse | Error)[]) {}
  send(): Promise<HttpResponse> {
    const next = this.script[this.calls++];
    if (!next) throw new Error('script exhausted');
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  }
}

function harness(script: (HttpResponse | Error)[], randoms: number[], policy: Partial<RetryPolicy> = {}) {
  const waits: number[] = [];
  const http = new Scripted(script);
  let r = 0;
  const api = new ReplicationApi(http, {
    attempts: 6, baseDelayMs: 200,
    sleep: (ms) => { waits.push(ms); return Promise.resolve(); },
    random: () => randoms[r++ % randoms.length]!,
    now: () => Date.UTC(2030, 0, 1, 12, 0, 0),
    ...policy,
  });
  return { api, http, waits };
}

describe('source retries', () => {
  it('backs off exponentially with full jitter: each wait is random × min(cap, base × 2^n)', async () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const { api, http, waits } = harness([problem(503), reset, problem(500), problem(502), okList], [0.5, 0.1, 0.9, 0.25], { maxDelayMs: 1000 });
    assert.deepEqual(await api.recoveryPoints('m1'), []);
    assert.equal(http.calls, 5);
    assert.deepEqual(waits, [0.5 * 200, 0.1 * 400, 0.9 * 800, 0.25 * 1000]);
  });

  it('two clients with different random draws wait differently (no thundering herd)', async () => {
    const a = harness([problem(503), okList], [0.2]);
    const b = harness([problem(503), okList], [0.7]);
    await a.api.recoveryPoints('m1');
    await b.api.recoveryPoints('m1');
    assert.notEqual(a.waits[0], b.waits[0]);
  });

  it('honours Retry-After in seconds on 429 (now retried) and 503, plus a little jitter', async () => {
    const { api, http, waits } = harness([problem(429, { 'retry-after': '7' }), problem(503, { 'retry-after': '3' }), okList], [0.5]);
    assert.deepEqual(await api.recoveryPoints('m1'), []);
    assert.equal(http.calls, 3);
    assert.equal(waits.length, 2);
    assert.ok(waits[0]! >= 7000 && waits[0]! <= 7000 + 200, `waited ${waits[0]} ms for Retry-After: 7`);
    assert.ok(waits[1]! >= 3000 && waits[1]! <= 3000 + 400, `waited ${waits[1]} ms for Retry-After: 3`);
  });

  it('honours Retry-After as an HTTP date', async () => {
    const when = new Date(Date.UTC(2030, 0, 1, 12, 0, 5)).toUTCString(); // 5 s after the injected now
    const { api, waits } = harness([problem(503, { 'retry-after': when }), okList], [0]);
    await api.recoveryPoints('m1');
    assert.deepEqual(waits, [5000]);
  });

  it('a Retry-After in the past or unparseable falls back to the jittered backoff', async () => {
    const past = new Date(Date.UTC(2029, 0, 1)).toUTCString();
    const { api, waits } = harness([problem(503, { 'retry-after': past }), problem(429, { 'retry-after': 'soon' }), okList], [0.5]);
    await api.recoveryPoints('m1');
    assert.deepEqual(waits, [0.5 * 200, 0.5 * 400]);
  });

  it('caps a huge Retry-After (default 60 s)', async () => {
    const { api, waits } = harness([problem(429, { 'retry-after': '86400' }), okList], [0]);
    await api.recoveryPoints('m1');
    assert.deepEqual(waits, [60_000]);
  });

  it('gives up after the attempts, and never retries other 4xx', async () => {
    const busy = harness(Array.from({ length: 3 }, () => problem(429, { 'retry-after': '1' })), [0], { attempts: 3 });
    await assert.rejects(busy.api.recoveryPoints('m1'), (e) => e instanceof ReplicationApiError && e.status === 429);
    assert.equal(busy.http.calls, 3);
    assert.equal(busy.waits.length, 2);
    const bad = harness([problem(400), okList], [0]);
    await assert.rejects(bad.api.recoveryPoints('m1'), (e) => e instanceof ReplicationApiError && e.status === 400);
    assert.equal(bad.http.calls, 1);
    assert.deepEqual(bad.waits, []);
  });
});
