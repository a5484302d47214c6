import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { handleCommand } from '../../shared/app/command-handler.js';
import { tenantDecider } from '../../shared/domain/tenant.js';
import { encodePack, MAX_PACK_BYTES, sha256Hex } from '../../shared/format/index.js';
import { streams } from '../../shared/ids.js';
import { buildRp, makeVolume, packsOf, replicate, startHarness, type BuiltRp, type Harness, type Reply } from '../support/replication-api-harness.js';

/**
 * Every bad input of the replication API (issue 4, item 6): a clear 4xx
 * application/problem+json {type, title, status, detail}, and nothing stored or committed.
 */
describe('replication API refusals', () => {
  let h: Harness;
  let A: string;
  let B: string;
  let baseA: BuiltRp;
  const P = 'https://drcore.dev/problems/';

  before(async () => {
    h = await startHarness();
    ({ tenantA: A, tenantB: B } = h);
    for (const [t, m] of [[A, 'm1'], [A, 'm2'], [B, 'mb']] as const) assert.equal((await h.call(t, 'PUT', `/v1/machines/${m}`, {})).status, 201);
    baseA = buildRp([makeVolume('sda', 6, 0)]);
    assert.equal((await replicate(h, A, 'm1', 'rp-1', baseA)).status, 201);
    assert.equal((await replicate(h, A, 'm2', 'rp-m2', buildRp([makeVolume('sda', 4, 1)]))).status, 201);
    assert.equal((await replicate(h, B, 'mb', 'rpb-1', buildRp([makeVolume('sda', 4, 2)]))).status, 201);
  });
  after(async () => { await h.close(); });

  async function refused(tenant: string, method: string, path: string, body: unknown, status: number, type: string, contentType?: string): Promise<Reply> {
    const [events, blobs] = [await h.logSize(), await h.blobCount()];
    const r = await h.call(tenant, method, path, body, contentType);
    assert.equal(r.status, status, `${method} ${path}: expected ${status}, got ${r.status}: ${r.body.toString()}`);
    assert.equal(r.headers['content-type'], 'application/problem+json');
    assert.equal(r.json['status'], status);
    assert.equal(r.json['type'], `${P}${type}`);
    for (const k of ['type', 'title', 'detail']) assert.equal(typeof r.json[k], 'string', `problem.${k}`);
    assert.ok((r.json['detail'] as string).length > 0);
    assert.equal(await h.logSize(), events, 'nothing appended to the log');
    assert.equal(await h.blobCount(), blobs, 'nothing stored');
    return r;
  }
  const packPath = (id: string, m = 'm1', rp = 'rp-9') => `/v1/machines/${m}/recovery-points/${rp}/packs/${id}`;
  /** Uploads every chunk of `rp` under `rpId` (on m1), so a commit of it there can reach its manifest checks. */
  const uploadUnder = async (rpId: string, rp: BuiltRp): Promise<void> => {
    for (const p of packsOf(rp.chunks.values(), 3)) assert.ok([200, 201].includes((await h.call(A, 'PUT', packPath(p.id, 'm1', rpId), p.bytes)).status));
  };
  const commitPath = (rp: string, m = 'm1') => `/v1/machines/${m}/recovery-points/${rp}/commit`;
  const fresh = (seed: number) => buildRp([makeVolume('sda', 5, seed)]);
  const commitBody = (rp: BuiltRp, extra: Record<string, unknown> = {}) => ({ kind: rp.kind, manifest: rp.manifest, volumes: rp.volumes, ...extra });

  describe('packs', () => {
    it('a chunk that does not match its hash → 422 Invalid Pack, nothing stored', async () => {
      const pack = encodePack([...fresh(10).chunks.values()].slice(0, 3));
      const bad = Buffer.from(pack.bytes);
      bad[bad.length - 5]! ^= 0xff;
      const r = await refused(A, 'PUT', packPath(sha256Hex(bad)), bad, 422, 'invalid-pack');
      assert.match(r.json['detail'] as string, /hash/);
    });
    it('a pack id that is not the SHA-256 of the bytes → 422', async () => {
      const pack = encodePack([...fresh(11).chunks.values()].slice(0, 2));
      await refused(A, 'PUT', packPath('0'.repeat(64)), pack.bytes, 422, 'invalid-pack');
    });
    it('a truncated pack → 422', async () => {
      const cut = encodePack([...fresh(12).chunks.values()].slice(0, 2)).bytes.subarray(0, 300);
      const r = await refused(A, 'PUT', packPath(sha256Hex(cut)), cut, 422, 'invalid-pack');
      assert.match(r.json['detail'] as string, /truncated/);
    });
    it('bytes that are not a pack, or no bytes → 422', async () => {
      const junk = Buffer.from('this is not a pack at all, just text');
      await refused(A, 'PUT', packPath(sha256Hex(junk)), junk, 422, 'invalid-pack');
      await refused(A, 'PUT', packPath(sha256Hex(Buffer.alloc(0))), Buffer.alloc(0), 422, 'invalid-pack');
    });
    it('an oversized pack → 413', async () => {
      const big = Buffer.alloc(MAX_PACK_BYTES + 1, 1);
      await refused(A, 'PUT', packPath(sha256Hex(big)), big, 413, 'payload-too-large');
    });
    it('another content type → 415', async () => {
      const pack = encodePack([...fresh(13).chunks.values()].slice(0, 1));
      await refused(A, 'PUT', packPath(pack.id), pack.bytes.toString('latin1'), 415, 'unsupported-media-type', 'application/json');
    });
    it('to a machine that is not registered → 404', async () => {
      const pack = encodePack([...fresh(14).chunks.values()].slice(0, 1));
      await refused(A, 'PUT', packPath(pack.id, 'ghost'), pack.bytes, 404, 'not-found');
    });
  });

  describe('commit', () => {
    it('chunks never uploaded → 422 Missing Chunks listing them, nothing committed', async () => {
      const rp = fresh(20);
      // Upload the manifest only: its 2 parts (5 extents, 4 per part) and root come last in BuiltRp.chunks.
      const parts = [...rp.chunks.keys()].slice(-3);
      for (const p of packsOf(parts.map((id) => rp.chunks.get(id)!), 3)) assert.equal((await h.call(A, 'PUT', packPath(p.id, 'm1', 'rp-20'), p.bytes)).status, 201);
      const r = await refused(A, 'POST', commitPath('rp-20'), commitBody(rp), 422, 'missing-chunks');
      assert.ok((r.json['missingCount'] as number) > 0);
      for (const id of r.json['missing'] as string[]) assert.ok(rp.chunks.has(id) && !parts.includes(id));
      assert.equal((await h.call(A, 'GET', '/v1/machines/m1/recovery-points/rp-20')).status, 404);
    });
    it('a manifest root never uploaded → 422 Missing Chunks', async () => {
      const r = await refused(A, 'POST', commitPath('rp-21'), commitBody(fresh(21)), 422, 'missing-chunks');
      assert.equal(r.json['missingCount'], 1);
    });
    it('a kind or volumes that differ from the manifest → 422 Invalid Manifest', async () => {
      await uploadUnder('rp-22', baseA); // an RP references only what was uploaded under its own id
      await refused(A, 'POST', commitPath('rp-22'), commitBody(baseA, { kind: 'incremental', parentRpId: 'rp-1' }), 422, 'invalid-manifest');
      await refused(A, 'POST', commitPath('rp-22'), commitBody(baseA, { volumes: [{ name: 'sda', sizeBytes: 1 }] }), 422, 'invalid-manifest');
      await refused(A, 'POST', commitPath('rp-22'), commitBody(baseA, { volumes: [...baseA.volumes, { name: 'sdz', sizeBytes: 1 }] }), 422, 'invalid-manifest');
    });
    it('a "manifest" that is a data chunk → 422 Invalid Manifest', async () => {
      await uploadUnder('rp-23', baseA);
      const dataChunk = [...baseA.chunks.keys()][0]!;
      await refused(A, 'POST', commitPath('rp-23'), commitBody(baseA, { manifest: dataChunk }), 422, 'invalid-manifest');
    });
    it('a parent of another machine → 422 Invalid Parent', async () => {
      await refused(A, 'POST', commitPath('rp-24'), commitBody(baseA, { kind: 'incremental', parentRpId: 'rp-m2' }), 422, 'invalid-parent');
    });
    it('a parent of another tenant → 422 Invalid Parent (it does not exist in this tenant)', async () => {
      await refused(A, 'POST', commitPath('rp-25'), commitBody(baseA, { kind: 'incremental', parentRpId: 'rpb-1' }), 422, 'invalid-parent');
    });
    it('a parent never committed, a base with a parent, an incremental without → 422 Invalid Parent', async () => {
      await refused(A, 'POST', commitPath('rp-26'), commitBody(baseA, { kind: 'incremental', parentRpId: 'rp-none' }), 422, 'invalid-parent');
      await refused(A, 'POST', commitPath('rp-26'), commitBody(baseA, { parentRpId: 'rp-1' }), 422, 'invalid-parent');
      await refused(A, 'POST', commitPath('rp-26'), commitBody(baseA, { kind: 'incremental' }), 422, 'invalid-parent');
    });
    it('reuse of an rpId with different content, or on another machine → 409', async () => {
      const other = buildRp([makeVolume('sda', 4, 1)]);
      await refused(A, 'POST', commitPath('rp-1'), commitBody(other), 409, 'conflict');
      await refused(A, 'POST', commitPath('rp-1', 'm2'), commitBody(baseA), 409, 'conflict');
    });
    it('to a machine that is not registered → 404', async () => {
      await refused(A, 'POST', commitPath('rp-27', 'ghost'), commitBody(baseA), 404, 'not-found');
    });
    it('a malformed body → 400', async () => {
      await refused(A, 'POST', commitPath('rp-28'), commitBody(baseA, { extra: 1 }), 400, 'bad-request');
      await refused(A, 'POST', commitPath('rp-28'), commitBody(baseA, { kind: 'full' }), 400, 'bad-request');
      await refused(A, 'POST', commitPath('rp-28'), commitBody(baseA, { manifest: 'ABC' }), 400, 'bad-request');
      await refused(A, 'POST', commitPath('rp-28'), '{"kind":', 400, 'bad-request');
    });
    it('volume names outside the id rule (body and manifest alike) → 400, nothing committed', async () => {
      const evil = buildRp([makeVolume('../../x', 3, 60)]);
      for (const p of packsOf(evil.chunks.values(), 3)) assert.equal((await h.call(A, 'PUT', packPath(p.id, 'm1', 'rp-60'), p.bytes)).status, 201);
      const r = await refused(A, 'POST', commitPath('rp-60'), commitBody(evil), 400, 'bad-request');
      assert.match(r.json['detail'] as string, /volumes/);
      assert.equal((await h.call(A, 'GET', '/v1/machines/m1/recovery-points/rp-60')).status, 404);
    });
    it('a hand-built manifest whose volume name breaks the id rule → 422 Invalid Manifest naming the rule', async () => {
      // A malicious source: the body says "sda", the manifest root it uploaded says "a/b".
      for (const name of ['a/b', '..', 'x'.repeat(65), 'a\u0000b']) {
        const evil = buildRp([makeVolume(name, 2, 61)]);
        for (const p of packsOf(evil.chunks.values(), 3)) assert.ok([200, 201].includes((await h.call(A, 'PUT', packPath(p.id, 'm1', 'rp-61'), p.bytes)).status));
        const r = await refused(A, 'POST', commitPath('rp-61'), commitBody(evil, { volumes: [{ name: 'sda', sizeBytes: evil.volumes[0]!.sizeBytes }] }), 422, 'invalid-manifest');
        assert.match(r.json['detail'] as string, /volume name .*must match/);
      }
    });
    it('over quota → 422 Quota Exceeded with the figures, nothing committed', async () => {
      await h.project();
      const used = ((await h.admin('GET', `/v1/admin/tenants/${B}`)).json['usage'] as { storedBytes: number }).storedBytes;
      // Packs are charged at upload (storage-quota.int.test.ts): they are uploaded under the old
      // quota, which is then lowered below what is stored, so the commit's own check refuses.
      const rp = fresh(30);
      const ids = [...rp.chunks.keys()];
      for (const p of packsOf(ids.map((id) => rp.chunks.get(id)!), 3)) assert.equal((await h.call(B, 'PUT', packPath(p.id, 'mb', 'rpb-2'), p.bytes)).status, 201);
      await handleCommand(h.deps.events, streams.tenant(B), tenantDecider,
        { type: 'ChangeQuota', data: { tenantId: B, quotaBytes: used + 1000, adminSerial: '00ad' } }, { at: new Date().toISOString(), actor: 'test' });
      const r = await refused(B, 'POST', commitPath('rpb-2', 'mb'), commitBody(rp), 422, 'quota-exceeded');
      assert.equal(r.json['quotaBytes'], used + 1000);
      assert.equal(r.json['usedBytes'], used);
      assert.ok((r.json['addedBytes'] as number) > 1000);
    });
  });

  describe('ids and requests', () => {
    const bad = ['a/b', '..', '.', 'a b', 'x'.repeat(65), 'é', 'a\\b', 'a%00'];
    it('machine and RP ids outside [A-Za-z0-9._-]{1,64} → 400', async () => {
      for (const id of bad) {
        const e = encodeURIComponent(id);
        await refused(A, 'PUT', `/v1/machines/${e}`, {}, 400, 'bad-request');
        await refused(A, 'GET', `/v1/machines/${e}/recovery-points`, undefined, 400, 'bad-request');
        await refused(A, 'POST', `/v1/machines/m1/recovery-points/${e}/missing`, { chunks: [baseA.manifest] }, 400, 'bad-request');
        await refused(A, 'POST', commitPath(e), commitBody(baseA), 400, 'bad-request');
      }
    });
    it('volume names at registration outside [A-Za-z0-9._-]{1,64} → 400, nothing appended', async () => {
      for (const name of ['../../x', 'a/b', 'a\u0000b', '.', '..', '', 'x'.repeat(65)]) {
        const r = await refused(A, 'PUT', '/v1/machines/m-vol', { volumes: [{ name, sizeBytes: 1 }] }, 400, 'bad-request');
        assert.match(r.json['detail'] as string, /volumes/);
        await refused(A, 'PUT', '/v1/machines/m1', { volumes: [{ name: 'sda', sizeBytes: 1 }, { name, sizeBytes: 1 }] }, 400, 'bad-request');
      }
      assert.equal((await h.call(A, 'GET', '/v1/machines/m-vol/recovery-points')).status, 404, 'm-vol was never registered');
    });
    it('pack and chunk ids that are not SHA-256 hex → 400', async () => {
      const pack = encodePack([...fresh(40).chunks.values()].slice(0, 1));
      for (const id of ['abc', pack.id.toUpperCase(), `${pack.id}0`, '..']) {
        await refused(A, 'PUT', packPath(encodeURIComponent(id)), pack.bytes, 400, 'bad-request');
        await refused(A, 'POST', '/v1/machines/m1/recovery-points/rp-1/chunks/read', { chunks: [id] }, 400, 'bad-request');
      }
    });
    it('missing: more than 512 ids, none, or a malformed one → 400', async () => {
      const ids = Array.from({ length: 513 }, (_, i) => sha256Hex(Buffer.from(String(i))));
      await refused(A, 'POST', '/v1/machines/m1/recovery-points/rp-9/missing', { chunks: ids }, 400, 'bad-request');
      await refused(A, 'POST', '/v1/machines/m1/recovery-points/rp-9/missing', { chunks: [] }, 400, 'bad-request');
      await refused(A, 'POST', '/v1/machines/m1/recovery-points/rp-9/missing', { chunks: ['zz'] }, 400, 'bad-request');
      await refused(A, 'POST', '/v1/machines/ghost/recovery-points/rp-9/missing', { chunks: [baseA.manifest] }, 404, 'not-found');
    });
  });

  describe('tenant isolation (two real tenants)', () => {
    it("tenant A's certificate finds nothing of tenant B's machine (404), and cannot write to it", async () => {
      const pack = encodePack([...fresh(50).chunks.values()].slice(0, 1));
      await refused(A, 'GET', '/v1/machines/mb/recovery-points', undefined, 404, 'not-found');
      await refused(A, 'GET', '/v1/machines/mb/recovery-points/rpb-1', undefined, 404, 'not-found');
      await refused(A, 'POST', '/v1/machines/mb/recovery-points/rpb-1/missing', { chunks: [baseA.manifest] }, 404, 'not-found');
      await refused(A, 'PUT', packPath(pack.id, 'mb', 'rpb-1'), pack.bytes, 404, 'not-found');
      await refused(A, 'POST', commitPath('rpb-1', 'mb'), commitBody(baseA), 404, 'not-found');
      await refused(A, 'GET', '/v1/machines/m1/recovery-points/rpb-1', undefined, 404, 'not-found');
    });
    it("tenant A cannot read tenant B's chunks, nor learn that B stores them", async () => {
      const rpB = await h.call(B, 'GET', '/v1/machines/mb/recovery-points/rpb-1');
      const manifestB = rpB.json['manifest'] as string;
      assert.equal((await h.call(B, 'POST', '/v1/machines/mb/recovery-points/rpb-1/chunks/read', { chunks: [manifestB] })).status, 200);
      await refused(A, 'POST', '/v1/machines/mb/recovery-points/rpb-1/chunks/read', { chunks: [manifestB] }, 404, 'not-found');
      await refused(A, 'POST', '/v1/machines/m1/recovery-points/rp-1/chunks/read', { chunks: [manifestB] }, 404, 'not-found');
      const q = await h.call(A, 'POST', '/v1/machines/m1/recovery-points/rp-1/missing', { chunks: [manifestB, baseA.manifest] });
      assert.deepEqual(q.json['missing'], [manifestB]);
    });
    it("a machine id A registers that B also uses is A's own: B's machine is untouched", async () => {
      assert.equal((await h.call(A, 'PUT', '/v1/machines/mb', { name: 'A-side' })).status, 201);
      await h.project();
      const bList = await h.call(B, 'GET', '/v1/machines');
      assert.deepEqual(bList.json.items?.map((m) => [m['machineId'], m['name'], m['rpCount']]), [['mb', 'mb', 1]]);
      assert.deepEqual((await h.call(A, 'GET', '/v1/machines/mb/recovery-points')).json.items, []);
    });
    it('admin and enrollment certificates, or a source-core one without a tenant → 403', async () => {
      for (const ctx of <Record<string, string>[]>[
        { role: 'admin', serial: '00ad', subject: 'CN=admin' }, { role: 'enrollment', serial: '00e1', subject: 'CN=enrol' },
        { role: 'source-core', serial: '00s1', subject: 'CN=x' }, { role: 'source-core', serial: '00s1', subject: 'CN=x', tenantId: '../t' },
      ]) {
        const r = await h.callWith(ctx, 'GET', '/v1/machines');
        assert.equal(r.status, 403, JSON.stringify(ctx));
        assert.equal(r.headers['content-type'], 'application/problem+json');
      }
    });
  });
});
