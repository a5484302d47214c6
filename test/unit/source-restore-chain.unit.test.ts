/**
 * `drcore source restore` of a small chain (base + 2 incrementals, FULL, DELTA and ZERO extents,
 * a volume that grows, one that appears, several manifest parts) through a fake ReplicationApi
 * that answers `chunks/read` like the server: the images come out byte-identical, every chunk
 * of the chain is asked of the TARGET recovery point in batches, at most `parallel` at a time,
 * and a corrupt chunk is refused with nothing written. The fake scribbles over every answer
 * handed back (as the transport's reuse would), so a chunk released too early shows.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Geometry } from '../../shared/format/index.js';
import type { RecoveryPoint } from '../../source/api.js';
import { ReplicationApiError } from '../../source/client.js';
import { restore, type RestoreApi } from '../../source/restore.js';
import { buildChain, idsOf, type BuiltChain, type ChunkRole, type Images } from '../support/restore-chain.js';

const G: Geometry = { extentSize: 64 * 1024, subBlockSize: 1024 };
const ANSWER_LIMIT = 4 * 1024 * 1024;

/** The three images of the chain: what each RP's volumes hold. */
function images(): Images[] {
  const E = G.extentSize;
  const sda1 = randomBytes(20 * E + 100);
  sda1.fill(0, 2 * E, 4 * E); // two zero extents, absent from the base
  sda1.fill(7, 5 * E, 6 * E); // compressible
  const sda2 = Buffer.concat([sda1, randomBytes(E + 50)]); // grows: the old tail extent changes length
  for (const i of [1, 8, 9, 15]) sda2.fill(i, i * E + 3000, i * E + 5000); // a few sub-blocks: DELTA
  sda2.fill(0, 12 * E, 13 * E); // ZERO
  const sdb2 = randomBytes(3 * E);
  sdb2.fill(0, E, 2 * E);
  const sda3 = Buffer.from(sda2);
  for (const i of [1, 9, 16]) sda3.fill(0xab, i * E + 10_000, i * E + 12_000); // DELTA on a DELTA, and on a FULL
  randomBytes(E).copy(sda3, 4 * E); // FULL where the base had zeros
  sda3.fill(0x11, 2 * E + 100, 2 * E + 300); // DELTA on an extent absent from the base
  const sdb3 = Buffer.from(sdb2);
  sdb3.fill(5, 2 * E, 2 * E + 4000);
  return [{ sda: sda1 }, { sda: sda2, sdb: sdb2 }, { sda: sda3, sdb: sdb3 }];
}

/** A fake target serving the chain of `imgs`, one RP each (rp-1 base, rp-2, rp-3). */
class FakeTarget implements RestoreApi {
  readonly chunks: Map<string, Buffer>;
  readonly rps: RecoveryPoint[];
  readonly requests: { machineId: string; rpId: string; ids: string[] }[] = [];
  readonly released = new Set<ArrayBufferLike>();
  readonly corrupt = new Set<string>();
  maxFrames = Infinity;
  inFlight = 0;
  maxInFlight = 0;
  servedBytes = 0;

  constructor(private readonly chain: BuiltChain) {
    this.chunks = chain.chunks;
    this.rps = chain.rps;
  }

  idsOf(role: ChunkRole): string[] {
    return idsOf(this.chain, role);
  }

  recoveryPoints(): Promise<RecoveryPoint[]> {
    return Promise.resolve(this.rps);
  }

  recoveryPoint(_machineId: string, rpId: string): Promise<RecoveryPoint | undefined> {
    return Promise.resolve(this.rps.find((r) => r.rpId === rpId));
  }

  async readChunks(machineId: string, rpId: string, ids: readonly string[]): Promise<Buffer[]> {
    assert.ok(ids.length >= 1 && ids.length <= 512);
    this.requests.push({ machineId, rpId, ids: [...ids] });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise<void>((r) => setTimeout(r, 1));
      const picked: Buffer[] = [];
      let size = 0;
      for (const id of ids) {
        const c = this.chunks.get(id);
        if (!c) throw new ReplicationApiError(404, { title: 'Not Found', detail: `chunk ${id} is not stored for this chain` }, 'read chunks');
        if (picked.length > 0 && (size + 4 + c.length > ANSWER_LIMIT || picked.length >= this.maxFrames)) break;
        picked.push(c);
        size += 4 + c.length;
      }
      const body = Buffer.alloc(size);
      let at = 0;
      return picked.map((c, k) => {
        body.writeUInt32LE(c.length, at);
        c.copy(body, at + 4);
        const frame = body.subarray(at + 4, at + 4 + c.length);
        at += 4 + c.length;
        if (this.corrupt.has(ids[k]!)) frame[frame.length >> 1]! ^= 0x40;
        this.servedBytes += frame.length;
        return frame;
      });
    } finally {
      this.inFlight--;
    }
  }

  /** The whole answer is scribbled over, as a reused transport buffer would be. */
  release(chunk: Buffer): void {
    assert.ok(!this.released.has(chunk.buffer), 'an answer handed back twice');
    this.released.add(chunk.buffer);
    new Uint8Array(chunk.buffer).fill(0xee);
  }
}

function setup(imgs = images()) {
  const dir = mkdtempSync(join(tmpdir(), 'drcore-restore-chain-'));
  const target = new FakeTarget(buildChain('m1', imgs, G, 4));
  const run = (parallel: number) => restore({ api: target, machineId: 'm1', rp: 'latest', outDir: dir, parallel });
  return { dir, target, last: imgs[imgs.length - 1]!, run, done: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('restore of a chain through batched chunk reads', () => {
  for (const [parallel, maxFrames] of [[2, Infinity], [1, 3], [4, 1]] as const) {
    it(`is byte-identical (parallel ${parallel}, answers of ${maxFrames === Infinity ? 'up to 4 MiB' : `${maxFrames} chunk(s)`})`, async () => {
      const t = setup();
      t.target.maxFrames = maxFrames;
      try {
        const r = await t.run(parallel);
        assert.deepEqual(r.chain, ['rp-1', 'rp-2', 'rp-3']);
        assert.deepEqual(readdirSync(t.dir).sort(), ['sda.img', 'sdb.img']);
        for (const [name, bytes] of Object.entries(t.last)) assert.ok(readFileSync(join(t.dir, `${name}.img`)).equals(bytes), `${name}.img`);
        assert.equal(r.bytesRestored, t.last.sda!.length + t.last.sdb!.length);
        assert.equal(r.bytesFetched, t.target.servedBytes, 'bytesFetched: the chunk bytes the target sent');

        const { requests } = t.target;
        assert.ok(requests.every((q) => q.machineId === 'm1' && q.rpId === 'rp-3'), 'every chunk of the chain is asked of the target RP');
        const asked = new Set(requests.flatMap((q) => q.ids));
        for (const kind of ['ROOT', 'PART'] as const) for (const id of t.target.idsOf(kind)) assert.ok(asked.has(id), `${kind} ${id} read through chunks/read`);
        assert.ok(t.target.maxInFlight <= parallel, `${t.target.maxInFlight} requests in flight, parallel ${parallel}`);
        assert.ok(requests.some((q) => q.ids.length > 1), 'asks of several extents share a request');
        if (maxFrames !== Infinity) assert.ok(requests.flatMap((q) => q.ids).length > asked.size, 'partial answers were continued (their rest asked again)');
        assert.ok(t.target.released.size > 0, 'answers go back to the transport');
      } finally { t.done(); }
    });
  }

  it('uses more lanes than connections: one connection carries several extents\' chunks per request', async () => {
    const t = setup();
    try {
      await t.run(1);
      assert.equal(t.target.maxInFlight, 1);
      const dataIds = new Set([...t.target.idsOf('FULL'), ...t.target.idsOf('DELTA')]);
      const widest = Math.max(...t.target.requests.map((q) => q.ids.filter((id) => dataIds.has(id)).length));
      assert.ok(widest >= 3, `at most ${widest} data chunks in one request`);
    } finally { t.done(); }
  });

  for (const kind of ['FULL', 'DELTA', 'PART', 'ROOT'] as const) {
    it(`refuses a corrupt ${kind} chunk from the target: nothing written`, async () => {
      const t = setup();
      try {
        const id = t.target.idsOf(kind)[kind === 'ROOT' ? 2 : 1]!;
        t.target.corrupt.add(id);
        await assert.rejects(t.run(2), (e) => e instanceof Error && e.message.includes(id) && /failed verification/.test(e.message));
        assert.deepEqual(readdirSync(t.dir), [], 'no image, no partial file');
      } finally { t.done(); }
    });
  }

  it('fails with the target\'s 404 when a chunk of the chain is not stored, leaving nothing', async () => {
    const t = setup();
    try {
      t.target.chunks.delete(t.target.idsOf('DELTA')[0]!);
      await assert.rejects(t.run(2), (e) => e instanceof ReplicationApiError && e.status === 404);
      assert.equal(existsSync(join(t.dir, 'sda.img')), false);
      assert.deepEqual(readdirSync(t.dir), []);
    } finally { t.done(); }
  });

  it('latest is the newest RP not in the target\'s recycle bin (one there restores by its id)', async () => {
    const imgs = images();
    const t = setup(imgs);
    try {
      const newest = t.target.rps[2]!;
      t.target.rps[2] = { ...newest, bin: { reason: 'deleted', binnedAt: '2025-01-01T00:00:00.000Z', purgeAfter: '2025-01-15T00:00:00.000Z' } };
      const r = await t.run(2);
      assert.deepEqual(r.chain, ['rp-1', 'rp-2']);
      for (const [name, bytes] of Object.entries(imgs[1]!)) assert.ok(readFileSync(join(t.dir, `${name}.img`)).equals(bytes), `${name}.img is rp-2's`);
    } finally { t.done(); }
  });
});
