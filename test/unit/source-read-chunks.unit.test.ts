/**
 * ReplicationApi.readChunks: the source side of `POST …/recovery-points/{rpId}/chunks/read`.
 * The request carries the ids as JSON; the answer's frames are parsed strictly — a count header
 * out of range, a body that ends inside a frame or runs past the last one, or another content
 * type is refused with an error naming the problem, never read as chunks.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ReplicationApi } from '../../source/api.js';
import { ChunkFramesError } from '../../source/chunk-frames.js';
import { ReplicationApiError, type HttpResponse, type HttpTransport } from '../../source/client.js';

const idOf = (n: number) => createHash('sha256').update(String(n)).digest('hex');

/** Frames [u32 LE length][bytes] of `chunks`, one body. */
function framed(chunks: readonly Buffer[]): Buffer {
  return Buffer.concat(chunks.flatMap((c) => { const len = Buffer.alloc(4); len.writeUInt32LE(c.length); return [len, c]; }));
}

const answer = (body: Buffer, count: string | undefined, type = 'application/octet-stream'): HttpResponse => ({
  status: 200, headers: { 'content-type': type, ...(count === undefined ? {} : { 'x-drcore-chunk-count': count }) }, body,
});

/** A transport answering every request with `reply`, recording what was sent. */
class OneAnswer implements HttpTransport {
  readonly sent: { method: string; path: string; body?: Buffer; contentType?: string }[] = [];
  constructor(private readonly reply: (n: number) => HttpResponse) {}
  send(method: string, path: string, body?: Buffer, contentType?: string): Promise<HttpResponse> {
    this.sent.push({ method, path, ...(body ? { body } : {}), ...(contentType ? { contentType } : {}) });
    return Promise.resolve(this.reply(this.sent.length));
  }
}

const api = (t: HttpTransport) => new ReplicationApi(t, { attempts: 3, baseDelayMs: 0, sleep: () => Promise.resolve() });

describe('ReplicationApi.readChunks', () => {
  it('posts the ids as JSON to the recovery point and returns the frames, in order, as views of the body', async () => {
    const chunks = [Buffer.from('first'), Buffer.alloc(0), Buffer.from('third chunk')];
    const body = framed(chunks);
    const t = new OneAnswer(() => answer(body, '3'));
    const ids = [idOf(1), idOf(2), idOf(3), idOf(1)];
    const got = await api(t).readChunks('m-1', 'rp 7', ids);
    assert.deepEqual(got.map((b) => b.toString()), ['first', '', 'third chunk']);
    assert.ok(got.every((b) => b.buffer === body.buffer), 'frames are views of the answer, not copies');
    assert.equal(t.sent.length, 1);
    assert.equal(t.sent[0]!.method, 'POST');
    assert.equal(t.sent[0]!.path, '/v1/machines/m-1/recovery-points/rp%207/chunks/read');
    assert.equal(t.sent[0]!.contentType, 'application/json');
    assert.deepEqual(JSON.parse(t.sent[0]!.body!.toString()), { chunks: ids }, 'duplicates are sent as asked');
  });

  it('returns a partial answer (the first n of the ids asked) as n chunks', async () => {
    const t = new OneAnswer(() => answer(framed([Buffer.from('a'), Buffer.from('b')]), '2'));
    const got = await api(t).readChunks('m', 'rp', [idOf(1), idOf(2), idOf(3)]);
    assert.deepEqual(got.map(String), ['a', 'b']);
  });

  const refusals: { name: string; reply: HttpResponse; asked?: number; error: RegExp }[] = [
    { name: 'a body that ends inside a frame', reply: answer(framed([Buffer.from('abcdef')]).subarray(0, 7), '1'), error: /frame 1 of 1 declares 6 bytes.*3 left/ },
    { name: 'a body that ends inside a frame length', reply: answer(Buffer.concat([framed([Buffer.from('x')]), Buffer.from([1, 0])]), '2'), error: /inside the length of frame 2 of 2/ },
    { name: 'fewer frames than the count says', reply: answer(framed([Buffer.from('x')]), '2'), error: /inside the length of frame 2 of 2/ },
    { name: 'bytes past the last frame', reply: answer(Buffer.concat([framed([Buffer.from('x')]), Buffer.from('zz')]), '1'), error: /2 bytes follow the last of 1 frames/ },
    { name: 'more frames than the count says', reply: answer(framed([Buffer.from('x'), Buffer.from('y')]), '1'), error: /5 bytes follow the last of 1 frames/ },
    { name: 'a count of 0', reply: answer(Buffer.alloc(0), '0'), error: /x-drcore-chunk-count is 0 for 2 ids asked/ },
    { name: 'a count above the ids asked', reply: answer(framed([Buffer.from('x'), Buffer.from('y'), Buffer.from('z')]), '3'), error: /x-drcore-chunk-count is 3 for 2 ids asked/ },
    { name: 'no count', reply: answer(framed([Buffer.from('x')]), undefined), error: /no valid x-drcore-chunk-count/ },
    { name: 'a count that is not a number', reply: answer(framed([Buffer.from('x')]), '1x'), error: /no valid x-drcore-chunk-count \("1x"\)/ },
    { name: 'a JSON answer', reply: answer(Buffer.from('{"x":1}'), '1', 'application/json'), error: /application\/json, not application\/octet-stream/ },
  ];
  for (const r of refusals) {
    it(`refuses ${r.name}, naming the problem, and does not ask again`, async () => {
      const t = new OneAnswer(() => r.reply);
      await assert.rejects(api(t).readChunks('m', 'rp', [idOf(1), idOf(2)]), (e) => {
        assert.ok(e instanceof ChunkFramesError, String(e));
        assert.match(e.message, /^read chunks: /);
        assert.match(e.message, r.error);
        return true;
      });
      assert.equal(t.sent.length, 1, 'a malformed answer is not a transient failure');
    });
  }

  it('refuses 0 or more than 512 ids, and an id that is not a SHA-256, before sending anything', async () => {
    const t = new OneAnswer(() => answer(framed([Buffer.from('x')]), '1'));
    await assert.rejects(api(t).readChunks('m', 'rp', []), /1\.\.512 ids, not 0/);
    await assert.rejects(api(t).readChunks('m', 'rp', Array.from({ length: 513 }, (_, i) => idOf(i))), /1\.\.512 ids, not 513/);
    await assert.rejects(api(t).readChunks('m', 'rp', [idOf(1), '../etc/passwd']), /not a chunk id: "\.\.\/etc\/passwd"/);
    assert.equal(t.sent.length, 0);
    await api(t).readChunks('m', 'rp', Array.from({ length: 512 }, (_, i) => idOf(i)));
    assert.equal(t.sent.length, 1, '512 ids are one request');
  });

  it('a 404 (a chunk not stored for the chain) is a ReplicationApiError at once; a 503 is retried', async () => {
    const problem = (status: number, title: string): HttpResponse => ({ status, headers: { 'content-type': 'application/problem+json' }, body: Buffer.from(JSON.stringify({ title, status })) });
    const missing = new OneAnswer(() => problem(404, 'Not Found'));
    await assert.rejects(api(missing).readChunks('m', 'rp', [idOf(1)]), (e) => e instanceof ReplicationApiError && e.status === 404 && /^read chunks: 404/.test(e.message));
    assert.equal(missing.sent.length, 1);
    const corrupt = new OneAnswer(() => problem(502, 'Stored Chunk Corrupt'));
    await assert.rejects(api(corrupt).readChunks('m', 'rp', [idOf(1)]), (e) => e instanceof ReplicationApiError && e.status === 502 && /Stored Chunk Corrupt/.test(e.message));
    const busy = new OneAnswer((n) => (n === 1 ? problem(503, 'Busy') : answer(framed([Buffer.from('ok')]), '1')));
    assert.deepEqual((await api(busy).readChunks('m', 'rp', [idOf(1)])).map(String), ['ok']);
    assert.equal(busy.sent.length, 2);
  });
});
