/**
 * The restore's chunk loader against a fake ReplicationApi: asks from many lanes are coalesced
 * into `chunks/read` requests of at most 512 ids, at most `parallel` of them in flight, a
 * partial answer is continued, an answer goes back to the transport only once nothing uses it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { MAX_READ_IDS } from '../../source/api.js';
import { ChunkBatcher, type ChunkReads } from '../../source/chunk-batcher.js';

const ANSWER_LIMIT = 4 * 1024 * 1024;
const idOf = (n: number) => createHash('sha256').update(`chunk ${n}`).digest('hex');
const bytesOf = (n: number, size = 100 + (n % 50)) => Buffer.alloc(size, n & 0xff);
const tick = (ms = 1) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * A fake target: answers like the server (frames in request order for the first ids, stopping
 * before the body would pass 4 MiB but with at least one frame, or at `maxFrames`), each answer
 * one body the frames are views of; records every request and the answers handed back.
 */
class FakeReads implements ChunkReads {
  readonly chunks = new Map<string, Buffer>();
  readonly requests: { machineId: string; rpId: string; ids: string[] }[] = [];
  readonly released: ArrayBufferLike[] = [];
  inFlight = 0;
  maxInFlight = 0;
  maxFrames = Infinity;
  delayMs = 1;
  /** When set, answers wait for it instead of the delay. */
  gate?: Promise<void>;
  fail?: (ids: readonly string[]) => Error | undefined;

  add(n: number, size?: number): string {
    const id = idOf(n);
    this.chunks.set(id, bytesOf(n, size));
    return id;
  }

  async readChunks(machineId: string, rpId: string, ids: readonly string[]): Promise<Buffer[]> {
    assert.ok(ids.length >= 1 && ids.length <= MAX_READ_IDS, `a request of ${ids.length} ids`);
    this.requests.push({ machineId, rpId, ids: [...ids] });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await (this.gate ?? tick(this.delayMs));
      const err = this.fail?.(ids);
      if (err) throw err;
      const picked: Buffer[] = [];
      let size = 0;
      for (const id of ids) {
        const c = this.chunks.get(id);
        if (!c) throw new Error(`fake: no chunk ${id}`);
        if (picked.length > 0 && (size + 4 + c.length > ANSWER_LIMIT || picked.length >= this.maxFrames)) break;
        picked.push(c);
        size += 4 + c.length;
      }
      const body = Buffer.alloc(size);
      const frames: Buffer[] = [];
      let at = 0;
      for (const c of picked) {
        body.writeUInt32LE(c.length, at);
        c.copy(body, at + 4);
        frames.push(body.subarray(at + 4, at + 4 + c.length));
        at += 4 + c.length;
      }
      return frames;
    } finally {
      this.inFlight--;
    }
  }

  release(chunk: Buffer): void {
    this.released.push(chunk.buffer);
  }
}

describe('restore chunk batcher', () => {
  it('coalesces 2,000 concurrent asks into requests of at most 512 ids, each for the target RP', async () => {
    const fake = new FakeReads();
    const ids = Array.from({ length: 2000 }, (_, n) => fake.add(n));
    const b = new ChunkBatcher(fake, 'm-1', 'rp-target', 2);
    const got = await Promise.all(ids.map((id) => b.get(id)));
    got.forEach((g, n) => assert.deepEqual(g, bytesOf(n), `chunk ${n}`));
    assert.equal(fake.requests.length, 4, 'ceil(2000 / 512) requests');
    assert.ok(fake.requests.every((r) => r.ids.length <= 512));
    assert.deepEqual(fake.requests.flatMap((r) => r.ids).sort(), [...ids].sort(), 'every id asked once');
    assert.ok(fake.requests.every((r) => r.machineId === 'm-1' && r.rpId === 'rp-target'));
    assert.deepEqual(b.stats, { requests: 4, chunks: 2000, bytes: got.reduce((n, g) => n + g.length, 0) });
  });

  it("puts several lanes' asks into one request while the connection is busy", async () => {
    const fake = new FakeReads();
    const lanes = Array.from({ length: 8 }, (_, l) => Array.from({ length: 10 }, (_, k) => fake.add(l * 100 + k)));
    const b = new ChunkBatcher(fake, 'm', 'rp', 1);
    const laneOf = new Map(lanes.flatMap((ids, l) => ids.map((id) => [id, l] as const)));
    await Promise.all(lanes.map(async (ids) => {
      for (const id of ids) { await b.get(id); await tick(0); } // each lane asks one chunk at a time
    }));
    const mixed = fake.requests.filter((r) => new Set(r.ids.map((id) => laneOf.get(id))).size > 1);
    assert.ok(mixed.length > 0, 'some request carries several lanes\' ids');
    assert.ok(fake.requests.some((r) => r.ids.length === 8), 'while one request is out, all eight lanes\' next asks wait for the next');
    assert.ok(fake.requests.length <= 20, `80 chunks in ${fake.requests.length} requests, not 80`);
    assert.equal(fake.maxInFlight, 1);
  });

  it('continues a partial answer: the ids not answered go first in the next request', async () => {
    const fake = new FakeReads();
    fake.maxFrames = 3;
    const ids = Array.from({ length: 10 }, (_, n) => fake.add(n));
    const b = new ChunkBatcher(fake, 'm', 'rp', 1);
    const got = await Promise.all(ids.map((id) => b.get(id)));
    got.forEach((g, n) => assert.deepEqual(g, bytesOf(n)));
    assert.deepEqual(fake.requests.map((r) => r.ids), [ids, ids.slice(3), ids.slice(6), ids.slice(9)]);
  });

  it('keeps at most `parallel` requests in flight, and all of them busy when chunks are big', async () => {
    const fake = new FakeReads();
    const big = 3 * 1024 * 1024; // one per answer: two would pass 4 MiB
    const ids = Array.from({ length: 12 }, (_, n) => fake.add(n, big));
    const b = new ChunkBatcher(fake, 'm', 'rp', 4);
    const got = await Promise.all(ids.map(async (id, n) => {
      const c = await b.get(id);
      assert.equal(c.length, big);
      assert.equal(c[0], n & 0xff);
      b.release(c);
    }));
    assert.equal(got.length, 12);
    assert.equal(fake.maxInFlight, 4, 'every connection used, never more');
    assert.equal(fake.requests.length, 12, 'one answer per big chunk');
    assert.ok(fake.requests.slice(0, 4).every((r) => r.ids.length === 3), 'the first asks are split across the free connections');
    assert.ok(fake.requests.slice(4).every((r) => r.ids.length <= 2), 'once answers are known to carry one big chunk, a request asks about one or two');
  });

  it('never has more than `parallel` in flight under many concurrent lanes', async () => {
    const fake = new FakeReads();
    fake.maxFrames = 2;
    const ids = Array.from({ length: 300 }, (_, n) => fake.add(n));
    const b = new ChunkBatcher(fake, 'm', 'rp', 3);
    let next = 0;
    await Promise.all(Array.from({ length: 40 }, async () => {
      for (let i = next++; i < ids.length; i = next++) b.release(await b.get(ids[i]!));
    }));
    assert.equal(fake.maxInFlight, 3);
  });

  it('joins an id asked again while queued or in flight: one frame, the same bytes for every asker', async () => {
    const fake = new FakeReads();
    const x = fake.add(1);
    const y = fake.add(2);
    let open!: () => void;
    fake.gate = new Promise<void>((r) => { open = r; });
    const b = new ChunkBatcher(fake, 'm', 'rp', 1);
    const first = [b.get(x), b.get(x), b.get(y)];
    while (fake.requests.length === 0) await tick(0);
    const later = b.get(x); // while the request is out
    open();
    const [a1, a2, c] = await Promise.all(first);
    const a3 = await later;
    assert.deepEqual(fake.requests.map((r) => r.ids), [[x, y]]);
    assert.ok(a1 === a2 && a2 === a3);
    assert.equal(b.stats.bytes, a1!.length + c!.length, 'bytes received, counted once');
    b.release(a1!); b.release(c!); b.release(a2!);
    assert.equal(fake.released.length, 0, 'one asker still holds x');
    b.release(a3);
    assert.deepEqual(fake.released, [a1!.buffer]);
  });

  it('hands an answer back once, after every chunk from it is released; a second release is refused', async () => {
    const fake = new FakeReads();
    const ids = [fake.add(1), fake.add(2), fake.add(3)];
    const b = new ChunkBatcher(fake, 'm', 'rp', 1);
    const [c1, c2, c3] = await Promise.all(ids.map((id) => b.get(id)));
    assert.equal(c1!.buffer, c3!.buffer, 'one answer');
    b.release(c1!);
    b.release(c3!);
    assert.equal(fake.released.length, 0);
    assert.throws(() => b.release(c1!), /released twice|not handed out/);
    b.release(c2!);
    assert.deepEqual(fake.released, [c1!.buffer]);
    assert.throws(() => b.release(Buffer.from('stranger')), /not handed out/);
  });

  it('rejects the asks of a failed request with its error, and serves the others', async () => {
    const fake = new FakeReads();
    const ids = Array.from({ length: 4 }, (_, n) => fake.add(n));
    const poison = ids[1]!;
    fake.fail = (asked) => (asked.includes(poison) ? Object.assign(new Error('read chunks: 404 Not Found'), { status: 404 }) : undefined);
    const b = new ChunkBatcher(fake, 'm', 'rp', 2);
    const settled = await Promise.allSettled(ids.map((id) => b.get(id)));
    assert.deepEqual(fake.requests.map((r) => r.ids), [ids.slice(0, 2), ids.slice(2)]);
    assert.deepEqual(settled.map((s) => s.status), ['rejected', 'rejected', 'fulfilled', 'fulfilled']);
    assert.match(String((settled[0] as PromiseRejectedResult).reason), /404 Not Found/);
    fake.fail = undefined;
    assert.deepEqual(await b.get(ids[0]!), bytesOf(0), 'a later ask is sent again');
  });

  it('refuses an ask that is not a chunk id without sending it', async () => {
    const fake = new FakeReads();
    const b = new ChunkBatcher(fake, 'm', 'rp', 1);
    await assert.rejects(b.get('../x'), /not a chunk id/);
    assert.equal(fake.requests.length, 0);
  });
});
