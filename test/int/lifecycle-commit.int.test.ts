/**
 * Commits and the recycle bin (docs/lifecycle.md): an incremental may rest on an RP in the bin
 * (the next retention run rolls it up), but not on one less than an hour from its purge, nor on
 * a purged one — the purge could otherwise pass under a commit in flight.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AppDeps } from '../../shared/app/deps.js';
import { runRetention } from '../../shared/app/lifecycle/retention-job.js';
import { localDeps } from '../../shared/runtime/local-deps.js';
import { buildRp, makeVolume, replicate, startHarness, type Harness } from '../support/replication-api-harness.js';

const DAY = 86_400_000;
const clock = { now: Date.UTC(2025, 3, 1) };
function clockedDeps(dir: string): AppDeps {
  const base = localDeps(dir);
  return {
    events: base.events, blobs: base.blobs, queue: base.queue, readModels: base.readModels, operational: base.operational, notifier: base.notifier,
    get ca() { return base.ca; }, clock: () => new Date(clock.now), newId: base.newId,
  };
}

describe('commits on RPs in the recycle bin', () => {
  let h: Harness;
  const M = 'm1';
  const v1 = makeVolume('sda', 4, 1);
  const next = (fill: number) => ({ name: 'sda', bytes: Buffer.from(v1.bytes).fill(fill, 0, 100) });
  const v2 = next(9);
  const del = (rpId: string) => h.admin('POST', `/v1/admin/tenants/${h.tenantA}/recovery-points/${rpId}/delete`, { confirmRpId: rpId, reason: 'test' });
  before(async () => {
    h = await startHarness(1 << 30, { deps: clockedDeps, close: async () => {} });
    await h.call(h.tenantA, 'PUT', `/v1/machines/${M}`, { volumes: [{ name: 'sda', sizeBytes: v1.bytes.length }] });
    assert.equal((await replicate(h, h.tenantA, M, 'rp-1', buildRp([v1]))).status, 201);
  });
  after(async () => { await h?.close(); });

  it('an incremental rests on a binned parent while its bin period has more than an hour left', async () => {
    assert.equal((await del('rp-1')).status, 200);
    clock.now += 14 * DAY - 2 * 3_600_000;
    const r = await replicate(h, h.tenantA, M, 'rp-2', buildRp([v2], [v1]), 'rp-1');
    assert.equal(r.status, 201, r.body.toString());
  });

  it('not on one within an hour of its purge, nor on a purged one (422 Invalid Parent, nothing committed)', async () => {
    clock.now += 90 * 60_000;
    const near = await replicate(h, h.tenantA, M, 'rp-3', buildRp([next(3)], [v1]), 'rp-1');
    assert.equal(near.status, 422, near.body.toString());
    assert.equal(near.json['type'], 'https://drcore.dev/problems/invalid-parent');
    clock.now += DAY;
    await h.project();
    const m = (await runRetention(h.deps, h.tenantA)).machines[0]!;
    assert.deepEqual([m.rolledUp.map((x) => x.rpId), m.purged], [['rp-2'], ['rp-1']], 'rp-2 rolled up into a base, then rp-1 purged');
    const gone = await replicate(h, h.tenantA, M, 'rp-4', buildRp([next(4)], [v1]), 'rp-1');
    assert.equal(gone.status, 422, gone.body.toString());
    assert.equal((await h.call(h.tenantA, 'GET', `/v1/machines/${M}/recovery-points/rp-3`)).status, 404);
  });
});
