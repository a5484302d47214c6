/**
 * The source against the target's per-tenant upload limit (issue 13, item 3): a 429
 * `Too Many Uploads` is waited out — the Retry-After plus up to as long again in jitter — and
 * sent again without spending an attempt (the target is busy, not failing), up to maxBusyWaits
 * in a row; any other 429 still counts as an attempt. Sleep and random are injected. Also the
 * operator's setting (DRCORE_UPLOAD_CONCURRENCY_PER_TENANT) as the core reads it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ReplicationApi } from '../../source/api.js';
import { ReplicationApiError, type HttpResponse, type HttpTransport } from '../../source/client.js';
import { DEFAULT_UPLOAD_CONCURRENCY_PER_TENANT, uploadConcurrencyFrom } from '../../shared/app/replication/upload-concurrency.js';

const busy: HttpResponse = {
  status: 429, headers: { 'retry-after': '1', 'content-type': 'application/problem+json' },
  body: Buffer.from(JSON.stringify({ type: 'https://drcore.dev/problems/too-many-uploads', title: 'Too Many Uploads', status: 429, limit: 2, retryAfterSeconds: 1 })),
};
const other429: HttpResponse = { status: 429, headers: { 'retry-after': '1' }, body: Buffer.from(JSON.stringify({ title: 'Too Many Requests', status: 429 })) };
const ok: HttpResponse = { status: 200, headers: {}, body: Buffer.from('{"items":[]}') };

class Scripted implements HttpTransport {
  calls = 0;
  constructor(private readonly script: HttpResponse[]) {}
  send(): Promise<HttpResponse> {
    const next = this.script[this.calls++];
    return next ? Promise.resolve(next) : Promise.reject(new Error('script exhausted'));
  }
}

function harness(script: HttpResponse[], randoms: number[], maxBusyWaits?: number) {
  const waits: number[] = [];
  const http = new Scripted(script);
  let r = 0;
  const api = new ReplicationApi(http, {
    attempts: 2, baseDelayMs: 100,
    sleep: (ms) => { waits.push(ms); return Promise.resolve(); },
    random: () => randoms[r++ % randoms.length]!,
    ...(maxBusyWaits !== undefined ? { maxBusyWaits } : {}),
  });
  return { api, http, waits };
}

describe('source: 429 Too Many Uploads', () => {
  it('is waited out (Retry-After + jitter up to as long again) without spending the attempts', async () => {
    const { api, http, waits } = harness([busy, busy, busy, busy, ok], [0.1, 0.9, 0.5, 0]);
    assert.deepEqual(await api.recoveryPoints('m1'), []);
    assert.equal(http.calls, 5, 'four refusals and the answer, with only 2 attempts allowed');
    assert.deepEqual(waits, [1100, 1900, 1500, 1000]);
  });

  it('gives up after maxBusyWaits refusals in a row, with the problem', async () => {
    const { api, http } = harness([busy, busy, busy, busy], [0.5], 2);
    await assert.rejects(api.recoveryPoints('m1'), (e: unknown) => e instanceof ReplicationApiError && e.status === 429 && e.problem.title === 'Too Many Uploads');
    assert.equal(http.calls, 4, '2 busy waits, then the 2 attempts');
  });

  it('another 429 still counts as an attempt', async () => {
    const { api, http } = harness([other429, other429, ok], [0.5]);
    await assert.rejects(api.recoveryPoints('m1'), (e: unknown) => e instanceof ReplicationApiError && e.status === 429);
    assert.equal(http.calls, 2);
  });
});

describe('the core: DRCORE_UPLOAD_CONCURRENCY_PER_TENANT', () => {
  it('defaults to 16, takes a whole number (0: no limit), and refuses anything else', () => {
    assert.equal(DEFAULT_UPLOAD_CONCURRENCY_PER_TENANT, 16);
    assert.equal(uploadConcurrencyFrom(undefined), 16);
    assert.equal(uploadConcurrencyFrom(' '), 16);
    assert.equal(uploadConcurrencyFrom('4'), 4);
    assert.equal(uploadConcurrencyFrom('0'), 0);
    for (const bad of ['-1', '2.5', 'many', '1e3']) assert.throws(() => uploadConcurrencyFrom(bad), /DRCORE_UPLOAD_CONCURRENCY_PER_TENANT/);
  });
});
