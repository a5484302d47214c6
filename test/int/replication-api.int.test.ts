import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rebuildProjections } from '../../shared/app/rebuild-projections.js';
import { handleCommand } from '../../shared/app/command-handler.js';
import { tenantDecider } from '../../shared/domain/tenant.js';
import { streams } from '../../shared/ids.js';
import { buildRp, makeVolume, packsOf, readChunks, readFrames, replicate, restore, startHarness, type Harness, type Volume } from '../support/replication-api-harness.js';

/** The replication API end to end in process: register, missing, packs, commit, lists, usage, restore byte-identical. */
describe('replication API', () => {
  let h: Harness;
  let A: string;
  const M = 'web-01';
  let v1: Volume[];
  let v2: Volume[];
  let baseReply: Record<string, unknown>;

  before(async () => {
    h = await startHarness();
    A = h.tenantA;
    v1 = [makeVolume('sda', 10, 0), makeVolume('sdb', 3, 1)];
    // The next state: a few sub-blocks changed in one extent, one extent rewritten, one zeroed.
    const sda = Buffer.from(v1[0]!.bytes);
    sda.fill(7, 5 * 1024, 7 * 1024);
    sda.fill(9, 3 * 65536, 4 * 65536 - 10);
    sda.fill(0, 0, 65536);
    v2 = [{ name: 'sda', bytes: sda }, v1[1]!];
  });
  after(async () => { await h.close(); });

  it('registers a machine (201), idempotently (200), and updates it on a new description', async () => {
    const body = { name: 'Web server', volumes: [{ name: 'sda', sizeBytes: 655360 }] };
    const first = await h.call(A, 'PUT', `/v1/machines/${M}`, body);
    assert.equal(first.status, 201, first.body.toString());
    assert.equal(first.json['machineId'], M);
    const size = await h.logSize();
    const again = await h.call(A, 'PUT', `/v1/machines/${M}`, body);
    assert.equal(again.status, 200);
    assert.equal(await h.logSize(), size, 'a repeat appends nothing');
    const updated = await h.call(A, 'PUT', `/v1/machines/${M}`, { ...body, volumes: v1.map((v) => ({ name: v.name, sizeBytes: v.bytes.length })) });
    assert.equal(updated.status, 200);
    assert.equal((updated.json['volumes'] as unknown[]).length, 2);
  });

  it('replicates a base and restores it byte-identical', async () => {
    const rp = buildRp(v1);
    const commit = await replicate(h, A, M, 'rp-1', rp);
    assert.equal(commit.status, 201, commit.body.toString());
    assert.equal(commit.json['kind'], 'base');
    assert.equal(commit.json['chunkCount'], rp.chunks.size);
    assert.ok((commit.json['addedBytes'] as number) > 0);
    // What it added is what it stored: its packs, i.e. its chunks plus each pack's header and index (40 bytes a chunk).
    const framing = (commit.json['addedBytes'] as number) - (commit.json['referencedBytes'] as number);
    assert.ok(framing >= 40 * rp.chunks.size && framing <= 52 * rp.chunks.size, `pack framing ${framing} for ${rp.chunks.size} chunks`);
    baseReply = commit.json;
    const restored = await restore(h, A, M, 'rp-1');
    for (const v of v1) assert.ok(restored.get(v.name)?.equals(v.bytes), `volume ${v.name} byte-identical`);
  });

  it('a repeated commit is a no-op 200 with the same body', async () => {
    const rp = buildRp(v1);
    const size = await h.logSize();
    const again = await h.call(A, 'POST', `/v1/machines/${M}/recovery-points/rp-1/commit`, { kind: 'base', manifest: rp.manifest, volumes: rp.volumes });
    assert.equal(again.status, 200, again.body.toString());
    assert.deepEqual(again.json, baseReply);
    assert.equal(await h.logSize(), size);
  });

  it('after upload nothing is missing for that RP (another RP still has to send them), and a repeated pack upload is 200 created:false', async () => {
    const rp = buildRp(v1);
    const ids = [...rp.chunks.keys()];
    const r = await h.call(A, 'POST', `/v1/machines/${M}/recovery-points/rp-1/missing`, { chunks: [...ids, ...ids] });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json['missing'], []);
    const other = await h.call(A, 'POST', `/v1/machines/${M}/recovery-points/rp-2/missing`, { chunks: ids });
    assert.deepEqual(other.json['missing'], ids, 'an RP references only chunks uploaded under its own rpId (storage layout 2)');
    const listed: string[] = [];
    for (let after: string | undefined, pages = 0; pages === 0 || after !== undefined; pages++) {
      const uploads = await h.call(A, 'GET', `/v1/machines/${M}/recovery-points/rp-1/uploads${after ? `?after=${after}` : ''}`);
      assert.equal(uploads.status, 200, uploads.body.toString());
      listed.push(...(uploads.json['packs'] as { chunks: string[] }[]).flatMap((p) => p.chunks));
      after = uploads.json['next'] as string | undefined;
    }
    assert.deepEqual(listed.sort(), [...ids].sort(), 'the resume listing names every uploaded chunk');
    const [pack] = packsOf(rp.chunks.values(), 3);
    const again = await h.call(A, 'PUT', `/v1/machines/${M}/recovery-points/rp-1/packs/${pack!.id}`, pack!.bytes);
    assert.equal(again.status, 200, again.body.toString());
    assert.equal(again.json['created'], false);
  });

  it('a gateway may pass binary bodies as bytes both ways (no base64), with the same results', async () => {
    const rp = buildRp([makeVolume('sdc', 2, 5)]);
    const [pack] = packsOf(rp.chunks.values());
    const B = h.tenantB; // its own tenant: A's machine list and usage stay as the other tests expect
    assert.equal((await h.call(B, 'PUT', '/v1/machines/m-raw', {})).status, 201);
    const put = await h.callRaw(B, 'PUT', `/v1/machines/m-raw/recovery-points/rp-raw/packs/${pack!.id}`, pack!.bytes);
    assert.equal(put.status, 201, put.body.toString());
    const commit = await h.call(B, 'POST', '/v1/machines/m-raw/recovery-points/rp-raw/commit', { kind: rp.kind, manifest: rp.manifest, volumes: rp.volumes });
    assert.equal(commit.status, 201, commit.body.toString());
    const id = pack!.chunkIds[0]!;
    const got = await h.callRaw(B, 'POST', '/v1/machines/m-raw/recovery-points/rp-raw/chunks/read', Buffer.from(JSON.stringify({ chunks: [id] })), 'application/json');
    assert.equal(got.status, 200, got.body.toString());
    assert.ok(got.rawResult && readFrames(got.rawResult, got.headers['x-drcore-chunk-count'])[0]?.equals(rp.chunks.get(id)!), 'raw chunk bytes handed back');
    const viaBase64 = await readChunks(h, B, 'm-raw', 'rp-raw', [id]);
    assert.ok(viaBase64.chunks[0]?.equals(rp.chunks.get(id)!), 'the base64 body is still there for API Gateway');
  });

  it('replicates an incremental on it that sends only what changed, and restores both RPs', async () => {
    const rp = buildRp(v2, v1);
    assert.equal(rp.kind, 'incremental');
    const commit = await replicate(h, A, M, 'rp-2', rp, 'rp-1');
    assert.equal(commit.status, 201, commit.body.toString());
    assert.equal(commit.json['parentRpId'], 'rp-1');
    assert.ok((commit.json['addedBytes'] as number) < (baseReply['addedBytes'] as number) / 3, 'the incremental adds far less than the base');
    const second = await restore(h, A, M, 'rp-2');
    for (const v of v2) assert.ok(second.get(v.name)?.equals(v.bytes), `rp-2 ${v.name} byte-identical`);
    const first = await restore(h, A, M, 'rp-1');
    for (const v of v1) assert.ok(first.get(v.name)?.equals(v.bytes), `rp-1 ${v.name} still byte-identical`);
  });

  it('detail is read from the log at once; lists, machines and usage come from the projections', async () => {
    const detail = await h.call(A, 'GET', `/v1/machines/${M}/recovery-points/rp-2`);
    assert.equal(detail.status, 200);
    await h.project();
    const rps = await h.call(A, 'GET', `/v1/machines/${M}/recovery-points`);
    assert.deepEqual(rps.json.items?.map((r) => r['rpId']), ['rp-1', 'rp-2']);
    const machines = await h.call(A, 'GET', '/v1/machines');
    const m = machines.json.items?.[0] as Record<string, unknown>;
    assert.equal(m['machineId'], M);
    assert.equal(m['rpCount'], 2);
    assert.equal((m['latestRp'] as Record<string, unknown>)['rpId'], 'rp-2');
    const added = (baseReply['addedBytes'] as number) + (detail.json['addedBytes'] as number);
    assert.equal(m['storedBytes'], added);
    const tenant = await h.admin('GET', `/v1/admin/tenants/${A}`);
    assert.equal(tenant.status, 200);
    const logical = [baseReply, detail.json].reduce((n, rp) => n + (rp['volumes'] as { sizeBytes: number }[]).reduce((v, x) => v + x.sizeBytes, 0), 0);
    assert.deepEqual(tenant.json['usage'], { storedBytes: added, byMachine: { [M]: added }, binBytes: 0, binCount: 0, logicalBytes: logical });
    assert.equal((tenant.json['machines'] as unknown[]).length, 1);
    const list = await h.admin('GET', '/v1/admin/tenants');
    assert.equal((list.json.items?.find((t) => t['tenantId'] === A)?.['usage'] as Record<string, unknown>)['storedBytes'], added);
  });

  it('rebuild-projections clears the read models and replays the log to the same state', async () => {
    const before = await h.admin('GET', `/v1/admin/tenants/${A}`);
    await h.deps.operational.putCheckpoint('stream-dispatcher', 'kept');
    await h.deps.readModels.put('machines', `${A}/stale`, { junk: true });
    const result = await rebuildProjections(h.deps);
    assert.equal(result.events, await h.logSize());
    const after = await h.admin('GET', `/v1/admin/tenants/${A}`);
    assert.deepEqual(after.json['usage'], before.json['usage']);
    assert.deepEqual(after.json['machines'], before.json['machines']);
    assert.equal(await h.deps.operational.getCheckpoint('stream-dispatcher'), 'kept', 'the dispatcher checkpoint survives');
  });

  it('a suspended tenant cannot write (403 Tenant Suspended) but can still restore', async () => {
    const B = h.tenantB;
    assert.equal((await h.call(B, 'PUT', '/v1/machines/m1', {})).status, 201);
    await handleCommand(h.deps.events, streams.tenant(B), tenantDecider,
      { type: 'SuspendTenant', data: { tenantId: B, reason: 'unpaid', adminSerial: '00ad' } }, { at: new Date().toISOString(), actor: 'test' });
    const rp = buildRp([makeVolume('sda', 2, 3)]);
    const size = await h.logSize();
    for (const [method, path, body] of [
      ['PUT', '/v1/machines/m1', {}],
      ['POST', '/v1/machines/m1/recovery-points/r1/missing', { chunks: [rp.manifest] }],
      ['PUT', `/v1/machines/m1/recovery-points/r1/packs/${packsOf(rp.chunks.values())[0]!.id}`, packsOf(rp.chunks.values())[0]!.bytes],
      ['POST', '/v1/machines/m1/recovery-points/r1/commit', { kind: 'base', manifest: rp.manifest, volumes: rp.volumes }],
    ] as const) {
      const r = await h.call(B, method, path, body);
      assert.equal(r.status, 403, `${method} ${path}: ${r.body.toString()}`);
      assert.equal(r.json['type'], 'https://drcore.dev/problems/tenant-suspended');
    }
    assert.equal(await h.logSize(), size);
    assert.equal((await h.call(B, 'GET', '/v1/machines/m1/recovery-points')).status, 200);
    await handleCommand(h.deps.events, streams.tenant(B), tenantDecider,
      { type: 'ResumeTenant', data: { tenantId: B, adminSerial: '00ad' } }, { at: new Date().toISOString(), actor: 'test' });
    assert.equal((await replicate(h, B, 'm1', 'r1', rp)).status, 201);
  });
});

it('harness: a built RP packs into verifiable packs', () => {
  const rp = buildRp([makeVolume('sda', 6, 0)]);
  assert.equal(rp.kind, 'base');
  const packs = packsOf(rp.chunks.values(), 3);
  assert.ok(packs.length > 1);
  assert.equal(packs.reduce((n, p) => n + p.chunkIds.length, 0), rp.chunks.size);
});
