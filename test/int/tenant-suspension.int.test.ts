/**
 * Suspension with a reason (issue 11 item 6): the operator suspends a tenant through the admin API;
 * its source core's writes get 403 `Tenant Suspended` naming the reason, its restores keep working;
 * resuming lets replication go on. A quota change is the operator's too. Each is one tenant event.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { streams } from '../../shared/ids.js';
import { buildRp, makeVolume, packsOf, readChunks, replicate, startHarness, type Harness } from '../support/replication-api-harness.js';

const P = 'https://drcore.dev/problems/';

describe('suspending and resuming a tenant, changing its quota', () => {
  let h: Harness;
  before(async () => { h = await startHarness(); });
  after(async () => { await h?.close(); });

  it('a suspended tenant is refused writes with the reason and keeps its restores; resumed, it replicates again', async () => {
    const t = h.tenantA;
    assert.equal((await h.call(t, 'PUT', '/v1/machines/m-s', {})).status, 201);
    const base = buildRp([makeVolume('sda', 3, 21)]);
    assert.equal((await replicate(h, t, 'm-s', 'rp-s1', base)).status, 201);

    const s = await h.admin('POST', `/v1/admin/tenants/${t}/suspend`, { reason: 'invoice 2026-11 unpaid' });
    assert.equal(s.status, 200, s.body.toString());
    assert.deepEqual([s.json['status'], s.json['suspendedReason']], ['suspended', 'invoice 2026-11 unpaid']);
    const again = await h.admin('POST', `/v1/admin/tenants/${t}/suspend`, { reason: 'twice' });
    assert.equal(again.status, 409, 'already suspended');

    const [pack] = packsOf(buildRp([makeVolume('sdb', 1, 22)]).chunks.values());
    const refused = await h.call(t, 'PUT', `/v1/machines/m-s/recovery-points/rp-s2/packs/${pack!.id}`, pack!.bytes);
    assert.equal(refused.status, 403);
    assert.equal(refused.json['type'], `${P}tenant-suspended`);
    assert.match(String(refused.json['detail']), /invoice 2026-11 unpaid/);
    assert.equal(refused.json['suspendedReason'], 'invoice 2026-11 unpaid');
    const read = await readChunks(h, t, 'm-s', 'rp-s1', [base.manifest]);
    assert.equal(read.status, 200, 'restores keep working');

    const r = await h.admin('POST', `/v1/admin/tenants/${t}/resume`, {});
    assert.equal(r.status, 200, r.body.toString());
    assert.deepEqual([r.json['status'], r.json['suspendedReason']], ['active', undefined]);
    const ok = await h.call(t, 'PUT', `/v1/machines/m-s/recovery-points/rp-s2/packs/${pack!.id}`, pack!.bytes);
    assert.equal(ok.status, 201, ok.body.toString());

    const q = await h.admin('POST', `/v1/admin/tenants/${t}/quota`, { quotaBytes: 5 * 2 ** 30 });
    assert.deepEqual([q.status, q.json['quotaBytes']], [200, 5 * 2 ** 30]);
    assert.equal((await h.admin('POST', `/v1/admin/tenants/${t}/quota`, { quotaBytes: 0 })).status, 400);
    assert.equal((await h.admin('POST', '/v1/admin/tenants/t-nobody/suspend', { reason: 'x' })).status, 404);
    const types = (await h.deps.events.readStream(streams.tenant(t))).map((e) => e.type);
    assert.deepEqual(types.slice(-3), ['TenantSuspended', 'TenantResumed', 'TenantQuotaChanged']);
  });
});
