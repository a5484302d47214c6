/**
 * Quotas an MSP can sell (issue 11 item 5): crossing 80 % and 90 % of the quota at pack upload
 * raises `StorageQuotaWarning` (once per crossing) and notifies the operator, before the hard stop;
 * the admin usage report gives each tenant's daily high-water marks (as `drcore admin usage --csv`
 * exports them) with its quota.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storageHandler, tenantHandler } from '../../shared/app/handlers.js';
import { streams } from '../../shared/ids.js';
import { encodePack } from '../../shared/format/index.js';
import { buildRp, makeVolume, startHarness, type Harness } from '../support/replication-api-harness.js';

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
    assert.deepEqual(r.json['days'], [{ tenantId: t, day: today, storedBytes: used, quotaBytes: quota }]);
    const [tenant] = r.json['tenants'] as { storedBytes: number; estimatedFullAt: string | null }[];
    assert.equal(tenant?.storedBytes, used);
    assert.equal(tenant?.estimatedFullAt, null, 'one day of history: no pace to forecast from (unit-tested in domain-usage-forecast)');
    const bad = await h.admin('GET', '/v1/admin/usage?from=2026-12-02&to=2026-12-01');
    assert.equal(bad.status, 400, 'from after to is refused');
  });
});
