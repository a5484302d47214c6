/**
 * The source core's replicate/restore against an in-memory target that speaks the protocol
 * (docs/replication-protocol.md) and can be told to fail: deterministic coverage of resume
 * after a failed upload, of a commit whose answer was lost, of the state kept between runs, and
 * of going on from what drcore wrote before block deltas (test/fixtures/v1-state).
 */
import { describe, it } from 'node:test';
import { createCipheriv, createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyPack } from '../../shared/format/pack.js';
import { ReplicationApi, type RecoveryPoint } from '../../source/api.js';
import type { HttpResponse, HttpTransport } from '../../source/client.js';
import { replicate } from '../../source/replicate.js';
import { restore } from '../../source/restore.js';
import { SignatureReader } from '../../source/signature-file.js';
import { chunkReadAnswer } from '../support/chunk-read-answer.js';

const MiB = 1024 * 1024;
const ok = (status: number, body: unknown): HttpResponse => ({ status, headers: {}, body: Buffer.from(JSON.stringify(body)) });

/** Just enough of the target core: chunks, RPs, and injectable faults. */
class FakeTarget implements HttpTransport {
  chunks = new Map<string, Buffer>();
  rps = new Map<string, RecoveryPoint>();
  packsPut = 0;
  /** Fail the pack PUT after this many succeeded (network error). */
  failPacksAfter = Infinity;
  /** Apply this many next commits, then fail each as if its answer was lost. */
  loseCommitAnswers = 0;

  async send(method: string, path: string, body?: Buffer): Promise<HttpResponse> {
    const json = () => JSON.parse(body!.toString('utf8')) as Record<string, unknown>;
    let m: RegExpExecArray | null;
    if (method === 'PUT' && /^\/v1\/machines\/[^/]+$/.test(path)) return ok(200, {});
    if ((m = /^\/v1\/machines\/([^/]+)\/recovery-points\/([^/]+)\/missing$/.exec(path))) {
      return ok(200, { missing: (json().chunks as string[]).filter((id) => !this.chunks.has(id)) });
    }
    if (method === 'GET' && /^\/v1\/machines\/[^/]+\/recovery-points\/[^/]+\/uploads$/.test(path)) {
      // One pseudo-pack listing what is stored: an interrupted run's uploads.
      return ok(200, { packs: this.chunks.size ? [{ packId: '0'.repeat(64), chunks: [...this.chunks.keys()] }] : [] });
    }
    if ((m = /\/packs\/([0-9a-f]{64})$/.exec(path))) {
      if (this.packsPut >= this.failPacksAfter) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      this.packsPut++;
      for (const e of verifyPack(body!, m[1]).entries) this.chunks.set(e.id, Buffer.from(e.bytes));
      return ok(201, { created: true });
    }
    if ((m = /^\/v1\/machines\/([^/]+)\/recovery-points\/([^/]+)\/commit$/.exec(path))) {
      const c = json();
      const rp = { rpId: m[2]!, machineId: m[1]!, kind: c.kind, parentRpId: c.parentRpId, manifest: c.manifest, volumes: c.volumes, committedAt: new Date().toISOString() } as RecoveryPoint;
      assert.ok(this.chunks.has(rp.manifest), 'the manifest root was uploaded before the commit');
      this.rps.set(rp.rpId, rp);
      if (this.loseCommitAnswers > 0) {
        this.loseCommitAnswers--;
        throw Object.assign(new Error('connection reset'), { code: 'EPIPE' });
      }
      return ok(201, rp);
    }
    if ((m = /^\/v1\/machines\/([^/]+)\/recovery-points\/([^/]+)$/.exec(path))) {
      const rp = this.rps.get(m[2]!);
      return rp ? ok(200, rp) : ok(404, { title: 'Not Found' });
    }
    if (/^\/v1\/machines\/([^/]+)\/recovery-points$/.test(path)) return ok(200, { items: [...this.rps.values()] });
    if (method === 'POST' && /^\/v1\/machines\/[^/]+\/recovery-points\/[^/]+\/chunks\/read$/.test(path)) {
      return chunkReadAnswer(body, (id) => this.chunks.get(id));
    }
    return ok(404, { title: 'Not Found', detail: `${method} ${path}` });
  }
}

function volume(size: number, seed: number): Buffer {
  const b = createCipheriv('aes-128-ctr', Buffer.alloc(16, seed), Buffer.alloc(16)).update(Buffer.alloc(size));
  if (size >= 3 * 4 * MiB) b.fill(0, 2 * 4 * MiB, 3 * 4 * MiB); // one zero extent
  return b;
}

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'drcore-src-'));
  const target = new FakeTarget();
  const api = new ReplicationApi(target, { attempts: 2, baseDelayMs: 1 });
  const disk = join(dir, 'disk.img');
  const run = () => replicate({ api, stateDir: join(dir, 'state'), machineId: 'm1', volumes: [{ name: 'sda', path: disk }], parallel: 3, threads: 1 });
  const restored = async (rp: string) => {
    await restore({ api, machineId: 'm1', rp, outDir: join(dir, `out-${rp}`), parallel: 3 });
    return readFileSync(join(dir, `out-${rp}`, 'sda.img'));
  };
  return { dir, target, disk, run, restored, done: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('replicate against an in-memory target', { timeout: 120_000 }, () => {
  it('resumes the same RP after a failed upload and sends only the missing packs', async () => {
    const t = setup();
    try {
      const v1 = volume(6 * 4 * MiB + 12345, 1);
      writeFileSync(t.disk, v1);
      t.target.failPacksAfter = 2;
      await assert.rejects(t.run(), /hang up/);
      const stored = t.target.packsPut;
      t.target.failPacksAfter = Infinity;
      const first = await t.run();
      assert.equal(first.kind, 'base');
      assert.equal(first.recovered, false);
      assert.equal(t.target.rps.size, 1);
      assert.ok(t.target.rps.has(first.rpId));
      assert.equal(first.packs + stored, t.target.packsPut);
      assert.ok(first.packs < t.target.packsPut, 'the rerun did not resend stored packs');
      assert.ok((await t.restored(first.rpId)).equals(v1));
    } finally { t.done(); }
  });

  it('records an RP whose commit went through though its answer was lost; the next run is an incremental on it', async () => {
    const t = setup();
    try {
      const v1 = volume(5 * 4 * MiB, 2);
      writeFileSync(t.disk, v1);
      t.target.loseCommitAnswers = 2; // every attempt of the run (the API retries once)
      await assert.rejects(t.run(), /connection reset/);
      const rerun = await t.run();
      assert.equal(rerun.recovered, true);
      assert.equal(rerun.bytesSent, 0);
      assert.equal(t.target.rps.size, 1);
      const v2 = Buffer.from(v1);
      v2.fill(0xee, 4 * MiB + 65536, 4 * MiB + 2 * 65536);
      writeFileSync(t.disk, v2);
      t.target.loseCommitAnswers = 1; // retried: the repeated commit is idempotent
      const inc = await t.run();
      assert.equal(inc.kind, 'incremental');
      assert.equal(inc.recovered, false);
      assert.equal(t.target.rps.get(inc.rpId)?.parentRpId, rerun.rpId);
      assert.equal(inc.bytesChanged, 65536);
      assert.equal(inc.extents.delta, 1);
      assert.ok((await t.restored(rerun.rpId)).equals(v1));
      assert.ok((await t.restored(inc.rpId)).equals(v2));
    } finally { t.done(); }
  });

  it('starts a new RP when the volumes changed since the interrupted one, and follows a volume that grew', async () => {
    const t = setup();
    try {
      writeFileSync(t.disk, volume(3 * 4 * MiB, 3));
      t.target.failPacksAfter = 0;
      await assert.rejects(t.run());
      t.target.failPacksAfter = Infinity;
      const v2 = volume(4 * 4 * MiB + 100, 4);
      writeFileSync(t.disk, v2);
      const base = await t.run();
      assert.equal(base.kind, 'base');
      const grown = Buffer.concat([v2, Buffer.alloc(3 * MiB, 0x11)]);
      writeFileSync(t.disk, grown);
      const inc = await t.run();
      assert.equal(inc.kind, 'incremental');
      assert.ok((await t.restored(base.rpId)).equals(v2));
      assert.ok((await t.restored(inc.rpId)).equals(grown));
    } finally { t.done(); }
  });

  it('goes on from a state written before block deltas: its RPs restore, its v1 signatures convert once, then changes go per 4 KiB block', async () => {
    interface Fixture { size: number; images: string[]; rps: RecoveryPoint[]; chunks: Record<string, string>; machineState: Record<string, string> }
    const fx = JSON.parse(readFileSync(new URL('../fixtures/v1-state/fixture.json', import.meta.url), 'utf8')) as Fixture;
    const t = setup();
    try {
      for (const [id, b64] of Object.entries(fx.chunks)) t.target.chunks.set(id, Buffer.from(b64, 'base64'));
      for (const rp of fx.rps) t.target.rps.set(rp.rpId, rp);
      const machine = join(t.dir, 'state', 'machines', 'm1');
      mkdirSync(machine, { recursive: true });
      for (const [f, b64] of Object.entries(fx.machineState)) writeFileSync(join(machine, f), Buffer.from(b64, 'base64'));
      const sigFile = () => join(machine, readdirSync(machine).find((f) => f.endsWith('.sig'))!);
      const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
      const states: Buffer[] = [];
      for (const [i, rp] of fx.rps.entries()) {
        const image = await t.restored(rp.rpId);
        assert.equal(sha(image), fx.images[i], `the old RP ${rp.rpId} restores byte-identical`);
        states.push(image);
      }
      const old = SignatureReader.open(sigFile());
      assert.equal(old.version, 1, 'the fixture holds an old signature file');
      old.close();
      /** 4 KiB of fresh data at each offset. */
      const written = (from: Buffer, offsets: number[], seed: number): Buffer => {
        const out = Buffer.from(from);
        offsets.forEach((at, i) => volume(4096, seed + i).copy(out, at));
        return out;
      };
      // Inside the sub-block changed last time, in data never changed, where there were zeros.
      const converted = written(states[1]!, [2 * 65536 + 4096, 4 * MiB + 65536 + 8192, 3 * MiB], 20);
      writeFileSync(t.disk, converted);
      const first = await t.run();
      assert.equal(first.kind, 'incremental');
      assert.equal(t.target.rps.get(first.rpId)?.parentRpId, fx.rps[1]!.rpId, 'an incremental on the old RP, not a new base');
      assert.equal(first.bytesChanged, 3 * 65536, 'compared per 64 KiB sub-block against the old state: nothing missed');
      assert.equal(first.extents.full, 0);
      const now = SignatureReader.open(sigFile());
      assert.equal(now.version, 2, 'the run wrote the new state');
      now.close();
      const next = written(converted, [64 * 1024 + 4096 * 3, 4 * MiB + 65536 + 8192, 8 * MiB + 2 * 65536], 30);
      writeFileSync(t.disk, next);
      const second = await t.run();
      assert.equal(second.kind, 'incremental');
      assert.equal(second.bytesChanged, 3 * 4096, 'then per 4 KiB block');
      assert.ok(second.bytesSent <= 3 * 3 * 4096, `sent ${second.bytesSent} for ${3 * 4096} changed`);
      // Chains of kind 2 DELTAs (64 KiB) then kind 4 (4 KiB blocks) over the old base.
      assert.ok((await t.restored(first.rpId)).equals(converted), 'the converting RP restores byte-identical');
      assert.ok((await t.restored(second.rpId)).equals(next), 'the next RP restores byte-identical');
    } finally { t.done(); }
  });

  it('replicates several volumes into one RP and restores each to NAME.img', async () => {
    const t = setup();
    try {
      const api = new ReplicationApi(t.target, { attempts: 2, baseDelayMs: 1 });
      const a = volume(2 * 4 * MiB + 7, 5);
      const b = Buffer.alloc(3 * 4 * MiB); // all zero: nothing but its size is sent
      writeFileSync(join(t.dir, 'a.img'), a);
      writeFileSync(join(t.dir, 'b.img'), b);
      const volumes = [{ name: 'sda', path: join(t.dir, 'a.img') }, { name: 'sdb', path: join(t.dir, 'b.img') }];
      const r = await replicate({ api, stateDir: join(t.dir, 'state2'), machineId: 'm2', volumes, parallel: 2, threads: 2 });
      assert.deepEqual(t.target.rps.get(r.rpId)?.volumes, [{ name: 'sda', sizeBytes: a.length }, { name: 'sdb', sizeBytes: b.length }]);
      assert.equal(r.bytesRead, a.length + b.length);
      const out = join(t.dir, 'multi');
      await restore({ api, machineId: 'm2', rp: r.rpId, outDir: out, parallel: 2 });
      assert.ok(readFileSync(join(out, 'sda.img')).equals(a));
      assert.ok(readFileSync(join(out, 'sdb.img')).equals(b));
    } finally { t.done(); }
  });
});
