/**
 * `drcore source restore` against a hand-built (possibly malicious) in-memory target: volume
 * names from the server's manifest never name a path outside --out, an existing image is never
 * replaced without --force, and a symlink planted at the output path is never followed.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeExtent, encodeManifest, type ExtentEntry, type Geometry } from '../../shared/format/index.js';
import { ReplicationApi, type RecoveryPoint } from '../../source/api.js';
import type { HttpResponse, HttpTransport } from '../../source/client.js';
import { restore, RestoreRefusedError } from '../../source/restore.js';
import { chunkReadAnswer } from '../support/chunk-read-answer.js';

const G: Geometry = { extentSize: 64 * 1024, subBlockSize: 1024 };
const ok = (status: number, body: unknown): HttpResponse => ({ status, headers: {}, body: Buffer.from(JSON.stringify(body)) });

/** A target that serves one base RP of the given volumes, whatever their names. */
class HandBuiltTarget implements HttpTransport {
  readonly chunks = new Map<string, Buffer>();
  readonly rp: RecoveryPoint;
  /** Chunks served. */
  chunkReads = 0;

  constructor(volumes: readonly { name: string; bytes: Buffer }[]) {
    const vms = volumes.map((v) => {
      const extents: ExtentEntry[] = [];
      for (let i = 0; i * G.extentSize < v.bytes.length; i++) {
        const u = encodeExtent(v.bytes.subarray(i * G.extentSize, (i + 1) * G.extentSize), undefined, { subBlockSize: G.subBlockSize });
        if (u.kind !== 'FULL') continue;
        this.chunks.set(u.id, u.chunk);
        extents.push({ index: i, kind: 'FULL', chunk: u.id });
      }
      return { name: v.name, sizeBytes: v.bytes.length, extents };
    });
    const m = encodeManifest({ type: 'base', geometry: G, volumes: vms });
    m.chunks.forEach((c, i) => this.chunks.set(m.chunkIds[i]!, c));
    this.chunks.set(m.rootId, m.rootChunk);
    this.rp = {
      rpId: 'rp-1', machineId: 'm1', kind: 'base', manifest: m.rootId, committedAt: new Date().toISOString(),
      volumes: vms.map((v) => ({ name: v.name, sizeBytes: v.sizeBytes })),
    };
  }

  send(method: string, path: string, body?: Buffer): Promise<HttpResponse> {
    if (path === '/v1/machines/m1/recovery-points') return Promise.resolve(ok(200, { items: [this.rp] }));
    if (path === '/v1/machines/m1/recovery-points/rp-1') return Promise.resolve(ok(200, this.rp));
    if (method === 'POST' && path === '/v1/machines/m1/recovery-points/rp-1/chunks/read') {
      const res = chunkReadAnswer(body, (id) => this.chunks.get(id));
      this.chunkReads += Number(res.headers['x-drcore-chunk-count'] ?? 0);
      return Promise.resolve(res);
    }
    return Promise.resolve(ok(404, { title: 'Not Found', detail: `${method} ${path}` }));
  }
}

/** Every entry under `dir`, recursively, as relative paths. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

function setup(volumes: readonly { name: string; bytes: Buffer }[]) {
  const dir = mkdtempSync(join(tmpdir(), 'drcore-restore-'));
  const out = join(dir, 'a', 'b', 'out');
  mkdirSync(out, { recursive: true });
  const target = new HandBuiltTarget(volumes);
  const api = new ReplicationApi(target, { attempts: 1, baseDelayMs: 1 });
  const run = (force = false) => restore({ api, machineId: 'm1', rp: 'latest', outDir: out, parallel: 2, force });
  return { dir, out, target, run, done: () => rmSync(dir, { recursive: true, force: true }) };
}

function assertOneLine(err: unknown, pattern: RegExp): true {
  assert.ok(err instanceof RestoreRefusedError, `expected a RestoreRefusedError, got ${String(err)}`);
  assert.doesNotMatch(err.message, /\n/);
  assert.match(err.message, pattern);
  return true;
}

const data = (n: number, seed: number) => { const b = randomBytes(n); b[0] = seed; return b; };

describe('restore against a hand-built target', () => {
  it('refuses a manifest volume named ../../x: nothing written anywhere, one clear line', async () => {
    const t = setup([{ name: 'sda', bytes: data(3 * G.extentSize, 1) }, { name: '../../x', bytes: data(2 * G.extentSize, 2) }]);
    try {
      const before = tree(t.dir);
      await assert.rejects(t.run(), (e) => assertOneLine(e, /volume name "\.\.\/\.\.\/x".*must match/));
      await assert.rejects(t.run(true), (e) => assertOneLine(e, /volume name "\.\.\/\.\.\/x"/));
      assert.equal(existsSync(join(t.dir, 'a', 'x.img')), false, 'nothing two levels above --out');
      assert.deepEqual(tree(t.dir), before, 'no file created, not even sda.img or a partial');
    } finally { t.done(); }
  });

  it('refuses other names that break the id rule before any data chunk is read', async () => {
    for (const name of ['a/b', '..', '.', 'x'.repeat(65), 'a\u0000b', '/etc/evil']) {
      const t = setup([{ name, bytes: data(G.extentSize, 3) }]);
      try {
        const before = tree(t.dir);
        await assert.rejects(t.run(), (e) => assertOneLine(e, /volume name/));
        assert.deepEqual(tree(t.dir), before, JSON.stringify(name));
        assert.equal(t.target.chunkReads, 1, 'only the manifest root was read');
      } finally { t.done(); }
    }
  });

  it('never replaces an existing image without --force; --force replaces it atomically', async () => {
    const sda = data(3 * G.extentSize + 100, 4);
    const sdb = data(2 * G.extentSize, 5);
    const t = setup([{ name: 'sda', bytes: sda }, { name: 'sdb', bytes: sdb }]);
    try {
      writeFileSync(join(t.out, 'sdb.img'), 'keep me');
      await assert.rejects(t.run(), (e) => assertOneLine(e, /sdb\.img already exists.*--force/));
      assert.deepEqual(readdirSync(t.out), ['sdb.img'], 'nothing written: not sda.img, no partial file');
      assert.equal(readFileSync(join(t.out, 'sdb.img'), 'utf8'), 'keep me');
      assert.equal(t.target.chunkReads, 1, 'refused before fetching any data');

      const r = await t.run(true);
      assert.deepEqual(r.files.map((f) => f.name), ['sda', 'sdb']);
      assert.deepEqual(readdirSync(t.out).sort(), ['sda.img', 'sdb.img']);
      assert.deepEqual(readFileSync(join(t.out, 'sda.img')), sda);
      assert.deepEqual(readFileSync(join(t.out, 'sdb.img')), sdb);
    } finally { t.done(); }
  });

  it('a fresh restore into an empty --out still works (and a second one without --force is refused)', async () => {
    const sda = data(2 * G.extentSize + 7, 6);
    const t = setup([{ name: 'sda', bytes: sda }]);
    try {
      await t.run();
      assert.deepEqual(readFileSync(join(t.out, 'sda.img')), sda);
      await assert.rejects(t.run(), (e) => assertOneLine(e, /sda\.img already exists/));
      assert.deepEqual(readdirSync(t.out), ['sda.img']);
    } finally { t.done(); }
  });

  it('never follows a symlink planted at NAME.img: refused without --force, the link itself replaced with it', async () => {
    const sda = data(2 * G.extentSize, 7);
    const t = setup([{ name: 'sda', bytes: sda }]);
    try {
      const victim = join(t.dir, 'victim');
      writeFileSync(victim, 'precious');
      symlinkSync(victim, join(t.out, 'sda.img'));
      await assert.rejects(t.run(), (e) => assertOneLine(e, /sda\.img already exists/));
      assert.equal(readlinkSync(join(t.out, 'sda.img')), victim);
      await t.run(true);
      assert.equal(readFileSync(victim, 'utf8'), 'precious', 'the link target was not written');
      assert.ok(lstatSync(join(t.out, 'sda.img')).isFile(), 'the link was replaced by the image');
      assert.deepEqual(readFileSync(join(t.out, 'sda.img')), sda);
    } finally { t.done(); }
  });

  it('never follows a symlink planted at the partial file', async () => {
    const sda = data(2 * G.extentSize, 8);
    const t = setup([{ name: 'sda', bytes: sda }]);
    try {
      const victim = join(t.dir, 'victim');
      writeFileSync(victim, 'precious');
      symlinkSync(victim, join(t.out, 'sda.img.partial'));
      await t.run();
      assert.equal(readFileSync(victim, 'utf8'), 'precious', 'the link target was not written');
      assert.deepEqual(readFileSync(join(t.out, 'sda.img')), sda);
      assert.deepEqual(readdirSync(t.out), ['sda.img']);
    } finally { t.done(); }
  });

  it('refuses an existing directory at NAME.img even with --force', async () => {
    const t = setup([{ name: 'sda', bytes: data(G.extentSize, 9) }]);
    try {
      mkdirSync(join(t.out, 'sda.img'));
      await assert.rejects(t.run(true), (e) => assertOneLine(e, /sda\.img .*not a file/));
      assert.deepEqual(tree(t.out), ['sda.img']);
    } finally { t.done(); }
  });

  it('refuses two names that would be one file on a case-insensitive filesystem', async () => {
    const t = setup([{ name: 'sda', bytes: data(G.extentSize, 10) }, { name: 'SDA', bytes: data(G.extentSize, 11) }]);
    try {
      await assert.rejects(t.run(), (e) => assertOneLine(e, /"SDA".*"sda"|"sda".*"SDA"/));
      assert.deepEqual(tree(t.out), []);
    } finally { t.done(); }
  });
});
