/**
 * Quotas an MSP can sell (issue 11 item 5): crossing 80 % and 90 % of the quota at pack upload
 * raises `StorageQuotaWarning` (once per crossing) and notifies the operator, before the hard stop;
 * the admin usage report gives each tenant's daily high-water marks (as `drcore admin usage --csv`
 * exports them) with its quota: stored, logical (the kept RPs' volume sizes), recycle-bin and
 * egress (what restores read) per day, a quiet day carrying the figures of the day before.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storageHandler, tenantHandler } from '../../shared/app/handlers.js';
import { streams } from '../../shared/ids.js';
import { encodePack } from '../../shared/format/index.js';
import { localDeps } from '../../shared/runtime/local-deps.js';
import { buildRp, makeVolume, replicate, restore, startHarness, type Harness } from '../support/replication-api-harness.js';

describe('soft quota warnings and the usage report', () => {
  let h: Harness;
  before(async () => { h = await startHarness(); });
  after(async () => { await h?.close(); });

  it('80 % and 90 % raise one warning each and a notification; the usage report shows the day\'s high-water mark', async () => {
    const t = h.tenantA;
    assert.equal((await h.call(t, 'PUT', '/v1/machines/m-q', {})).status, 201);
    const packs = [...buildRp([makeVolume('sda', 16, 7)]).chunks.values()].filter((c) => c.length > 60_000).map((c) => encodePack([c]));
    const total = packs.reduce((n, p) => n + p.bytes.length, 0);
    const quota = Math.floor(total / 0.95); // all the packs take the tenant to 95 %: both levels crossed, no refusal
    await tenantHandler(h.deps, t, { type: 'ChangeQuota', data: { tenantId: t, quotaBytes: quota, adminSerial: '00ad' } }, 'test');
    for (const [i, pack] of packs.entries()) {
      const r = await h.call(t, 'PUT', `/v1/machines/m-q/recovery-points/rp-q/packs/${pack.id}`, pack.bytes);
      assert.equal(r.status, 201, `pack ${i}: ${r.body.toString()}`);
    }
    const warnings = (await h.deps.events.readStream(streams.storage(t))).filter((e) => e.type === 'StorageQuotaWarning');
    assert.deepEqual(warnings.map((e) => (e.data as { level: number }).level), [80, 90], 'each level once');
    const notes = (await h.deps.notifier.recent(50)).filter((n) => n.kind === 'quota-warning');
    assert.equal(notes.length, 2);
    assert.match(notes.map((n) => n.subject).join('\n'), new RegExp(`Tenant ${t} passed 90 % of its quota`));

    await h.project();
    const today = new Date().toISOString().slice(0, 10);
    const r = await h.admin('GET', `/v1/admin/usage?from=${today}&to=${today}&tenant=${t}`);
    assert.equal(r.status, 200, r.body.toString());
    const used = (await storageHandler.load(h.deps, t)).state.usedBytes;
    assert.deepEqual(r.json['days'], [{ tenantId: t, day: today, storedBytes: used, logicalBytes: 0, binBytes: 0, egressBytes: 0, quotaBytes: quota }]);
    const [tenant] = r.json['tenants'] as { storedBytes: number; estimatedFullAt: string | null }[];
    assert.equal(tenant?.storedBytes, used);
    assert.equal(tenant?.estimatedFullAt, null, 'one day of history: no pace to forecast from (unit-tested in domain-usage-forecast)');
    const bad = await h.admin('GET', '/v1/admin/usage?from=2026-12-02&to=2026-12-01');
    assert.equal(bad.status, 400, 'from after to is refused');
  });
});

describe('the usage export: logical, recycle-bin and egress bytes per day', () => {
  const DAY = 86_400_000;
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const clock = { now: Date.now() - 3 * DAY };
  let h: Harness;
  before(async () => {
    h = await startHarness(1 << 30, { deps: (dir) => Object.assign(localDeps(dir), { clock: () => new Date(clock.now) }), close: async () => {} });
  });
  after(async () => { await h?.close(); });

  it('a commit raises logical bytes, a restore meters egress, a deletion moves bytes to the bin; quiet days carry the day before', async () => {
    const t = h.tenantA;
    const d0 = day(clock.now);
    const vol = makeVolume('sda', 6, 11);
    assert.equal((await h.call(t, 'PUT', '/v1/machines/m-u', { volumes: [{ name: 'sda', sizeBytes: vol.bytes.length }] })).status, 201);
    const built = buildRp([vol]);
    assert.equal((await replicate(h, t, 'm-u', 'rp-u1', built)).status, 201);
    const restored = await restore(h, t, 'm-u', 'rp-u1');
    assert.ok(restored.get('sda')?.equals(vol.bytes));
    const served = [...built.chunks.values()].reduce((n, c) => n + c.length, 0);

    clock.now += 2 * DAY; // day 1 is quiet; on day 2 the RP is deleted into the bin
    const d2 = day(clock.now);
    const del = await h.admin('POST', `/v1/admin/tenants/${t}/recovery-points/rp-u1/delete`, { confirmRpId: 'rp-u1', reason: 'test' });
    assert.equal(del.status, 200, del.body.toString());
    await h.project();

    const r = await h.admin('GET', `/v1/admin/usage?from=${d0}&to=${d2}&tenant=${t}`);
    assert.equal(r.status, 200, r.body.toString());
    const rows = r.json['days'] as { day: string; storedBytes: number; logicalBytes: number; binBytes: number; egressBytes: number }[];
    const used = (await storageHandler.load(h.deps, t)).state.usedBytes;
    const added = (await h.call(t, 'GET', '/v1/machines/m-u/recovery-points/rp-u1')).json['addedBytes'] as number;
    assert.deepEqual(rows.map((d) => d.day), [d0, day(clock.now - DAY), d2], 'every day of the range, the quiet one too');
    assert.deepEqual(rows.map((d) => [d.storedBytes, d.logicalBytes, d.egressBytes]), [[used, vol.bytes.length, served], [used, vol.bytes.length, 0], [used, vol.bytes.length, 0]],
      'stored and logical carried over the quiet day; egress counted on the day of the restore only; the deleting day keeps its logical high-water mark');
    assert.deepEqual(rows.map((d) => d.binBytes), [0, 0, added], 'the bin holds the deleted RP from its day on');
    const [tenant] = r.json['tenants'] as { logicalBytes: number; binBytes: number }[];
    assert.deepEqual([tenant?.logicalBytes, tenant?.binBytes], [0, added], 'now: nothing kept, the RP in the bin');
    const far = await h.admin('GET', `/v1/admin/usage?from=2020-01-01&to=2026-01-01`);
    assert.equal(far.status, 400, 'more than a year at a time is refused');
  });
});
