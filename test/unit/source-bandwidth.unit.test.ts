/**
 * The source's bandwidth limit (issue 13): rates as operators write them, windows (20 Mbit/s in
 * office hours, unlimited otherwise), the token bucket's average (a fake clock), and the
 * throttled transport obeying the target's per-tenant limit header.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseBandwidth, parseRate, rateAt } from '../../source/bandwidth/bandwidth-limit.js';
import { TokenBucket } from '../../source/bandwidth/token-bucket.js';
import { ThrottledTransport } from '../../source/bandwidth/throttled-transport.js';
import type { HttpResponse, HttpTransport } from '../../source/client.js';

describe('bandwidth limits', () => {
  it('rates: bits and bytes, SI and binary; unlimited; too small or unknown refused', () => {
    assert.equal(parseRate('20Mbit'), 2_500_000);
    assert.equal(parseRate('100Mbps'), 12_500_000);
    assert.equal(parseRate('5MiB'), 5 * 1024 * 1024);
    assert.equal(parseRate('5 MB/s'), 5_000_000);
    assert.equal(parseRate('unlimited'), Infinity);
    assert.throws(() => parseRate('100bit'), /at least 64 KiB/);
    assert.throws(() => parseRate('fast'), /not a rate/);
  });

  it('20 Mbit/s on weekdays 08:00-18:00, unlimited otherwise (local time)', () => {
    const l = parseBandwidth(undefined, ['mon-fri 08:00-18:00=20Mbit']);
    assert.equal(rateAt(l, new Date(2026, 11, 1, 9)), 2_500_000, 'Tuesday 09:00');
    assert.equal(rateAt(l, new Date(2026, 11, 1, 19)), Infinity, 'Tuesday 19:00');
    assert.equal(rateAt(l, new Date(2026, 11, 5, 9)), Infinity, 'Saturday');
    assert.throws(() => parseBandwidth(undefined, ['mon-fri 08:00-18:00']), /WINDOW=RATE/);
  });
});

describe('token bucket', () => {
  it('holds the rate on average, 4 MiB requests on a 256 KiB burst', async () => {
    let now = 0;
    const bucket = new TokenBucket(1024 * 1024, 256 * 1024, { now: () => now, sleep: async (ms) => { now += ms; } });
    for (let i = 0; i < 10; i++) await bucket.take(4 * 1024 * 1024);
    const expectedMs = ((40 * 1024 * 1024 - 256 * 1024) / (1024 * 1024)) * 1000;
    assert.ok(Math.abs(now - expectedMs) < 1, `${now} ms for 40 MiB at 1 MiB/s`);
    bucket.setRate(Infinity);
    const before = now;
    await bucket.take(100 * 1024 * 1024);
    assert.equal(now, before, 'unlimited: no wait');
  });
});

describe('throttled transport', () => {
  it('lowers its rate to the target\'s x-drcore-bandwidth-limit, and back once the target says none', async () => {
    let limitHeader: string | undefined = '1000000';
    const inner: HttpTransport = { send: async (): Promise<HttpResponse> => ({ status: 201, headers: limitHeader ? { 'x-drcore-bandwidth-limit': limitHeader } : {}, body: Buffer.from('{}') }) };
    const t = new ThrottledTransport(inner, parseBandwidth('100Mbit'));
    assert.equal(t.currentRate(), 12_500_000);
    await t.send('PUT', '/v1/machines/m/recovery-points/r/packs/x', Buffer.alloc(10), 'application/octet-stream');
    assert.equal(t.currentRate(), 1_000_000, 'the target asked for less');
    limitHeader = undefined;
    await t.send('GET', '/v1/machines');
    assert.equal(t.currentRate(), 1_000_000, 'an answer without the header changes nothing');
    limitHeader = '0';
    await t.send('GET', '/v1/machines');
    assert.equal(t.currentRate(), 12_500_000, '0: the target has no limit');
  });
});
