/**
 * Deleting a tenant (issue 11 item 4): a second step (the tenant id typed again; anything else is
 * 422 and appends nothing), one `TenantDeleted` event. Its source's writes are refused with the
 * deletion named, its restores keep working; the retention job moves every RP into the recycle
 * bin (pinned ones too) and purges them when the bin period ends; GC then frees every pack. A
 * resume before that undoes the deletion.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runGcToEnd, startGc } from '../../shared/app/lifecycle/gc/gc-step.js';
import { runRetention } from '../../shared/app/lifecycle/retention-job.js';
import { localDeps } from '../../shared/runtime/local-deps.js';
import { listedPacks, usedBytes } from '../support/gc-scenario.js';
import { buildRp, makeVolume, replicate, restore, startHarness, type Harness } from '../support/replication-api-harness.js';

const DAY = 86_400_000;

describe('deleting a tenant', () => {
  const clock = { now: Math.floor(Date.now() / DAY) * DAY + DAY };
  let h: Harness;
  let T: string;
  const vol = makeVolume('sda', 4, 21);
  before(async () => {
    h = await startHarness(1 << 30, { deps: (dir) => Object.assign(localDeps(dir), { clock: () => new Date(clock.now) }), close: async () => {} });
    T = h.tenantA;
    assert.equal((await h.call(T, 'PUT', '/v1/machines/m-d', { volumes: [{ name: 'sda', sizeBytes: vol.bytes.length }] })).status, 201);
    assert.equal((await replicate(h, T, 'm-d', 'rp-d1', buildRp([vol]))).status, 201);
    const next = { name: 'sda', bytes: Buffer.from(vol.bytes) };
    next.bytes.fill(9, 0, 40_000);
    clock.now += 3_600_000;
    assert.equal((await replicate(h, T, 'm-d', 'rp-d2', buildRp([next], [vol]), 'rp-d1')).status, 201);
    await h.project();
  });
  after(async () => { await h?.close(); });

  it('needs the tenant id typed again: anything else is 422 and appends nothing', async () => {
    const size = await h.logSize();
    const wrong = await h.admin('POST', `/v1/admin/tenants/${T}/delete`, { confirmTenantId: h.tenantB, reason: 'contract ended' });
    assert.equal(wrong.status, 422, wrong.body.toString());
    assert.equal(wrong.json['type'], 'https://drcore.dev/problems/confirmation-mismatch');
    assert.equal(await h.logSize(), size);
  });

  it('deleted: writes refused naming the deletion, restores still work; the retention job bins every RP', async () => {
    const del = await h.admin('POST', `/v1/admin/tenants/${T}/delete`, { confirmTenantId: T, reason: 'contract ended' });
    assert.equal(del.status, 200, del.body.toString());
    assert.deepEqual([del.json['status'], del.json['deletedAt']], ['suspended', new Date(clock.now).toISOString()]);
    const again = await h.admin('POST', `/v1/admin/tenants/${T}/delete`, { confirmTenantId: T, reason: 'again' });
    assert.equal(again.status, 409);
    const write = await h.call(T, 'PUT', '/v1/machines/m-d2', {});
    assert.equal(write.status, 403);
    assert.match(String(write.json['detail']), /deleted by the service provider: contract ended/);
    assert.ok((await restore(h, T, 'm-d', 'rp-d1')).get('sda')?.equals(vol.bytes), 'the customer can still take its data home');

    const dry = await runRetention(h.deps, T, { dryRun: true });
    assert.equal(dry.tenantDeletedAt, new Date(clock.now).toISOString());
    assert.deepEqual(dry.machines[0]?.expired.sort(), ['rp-d1', 'rp-d2']);
    const run = await runRetention(h.deps, T);
    assert.deepEqual([run.machines[0]?.expired.sort(), run.machines[0]?.kept, run.machines[0]?.failed], [['rp-d1', 'rp-d2'], [], []]);
    await h.project();
    const bin = (await h.call(T, 'GET', '/v1/recycle-bin')).json.items ?? [];
    assert.deepEqual(bin.map((b) => b['rpId']).sort(), ['rp-d1', 'rp-d2']);
    const tenant = (await h.admin('GET', `/v1/admin/tenants/${T}`)).json;
    assert.deepEqual(tenant['deleted'], { reason: 'contract ended', deletedAt: del.json['deletedAt'] });
  });

  it('after the bin period everything is purged, and GC frees every pack: the counter goes to zero', async () => {
    clock.now += 15 * DAY; // the default bin period is 14 days
    const run = await runRetention(h.deps, T);
    assert.deepEqual(run.machines[0]?.purged.sort(), ['rp-d1', 'rp-d2']);
    await startGc(h.deps, T, { graceSeconds: 86_400, settleSeconds: 60 });
    const gc = await runGcToEnd(h.deps, T, { sleep: async (ms) => { clock.now += ms + 1; } });
    assert.ok((gc.counters['freedBytes'] ?? 0) > 0);
    assert.equal((await listedPacks(h.deps, T)).size, 0, 'no pack left');
    assert.equal(await usedBytes(h.deps, T), 0);
  });

  it('a resume undoes a deletion (before its RPs leave the bin)', async () => {
    const B = h.tenantB;
    const del = await h.admin('POST', `/v1/admin/tenants/${B}/delete`, { confirmTenantId: B, reason: 'by mistake' });
    assert.equal(del.status, 200, del.body.toString());
    const resumed = await h.admin('POST', `/v1/admin/tenants/${B}/resume`, {});
    assert.equal(resumed.status, 200, resumed.body.toString());
    assert.equal(resumed.json['deletedAt'], undefined);
    assert.equal((await h.call(B, 'PUT', '/v1/machines/m-b', {})).status, 201, 'writes work again');
    await h.project();
    assert.equal((await h.admin('GET', `/v1/admin/tenants/${B}`)).json['deleted'], undefined);
  });
});
