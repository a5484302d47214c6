/**
 * The scheduled retention run over every tenant (shared/app/lifecycle/retention-job.ts): it
 * stops taking tenants when its time is up, records where, and the next run starts there.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LIFECYCLE_COLLECTION, runRetentionJob } from '../../shared/app/lifecycle/retention-job.js';
import { startHarness, type Harness } from '../support/replication-api-harness.js';

describe('retention job over the tenants', () => {
  let h: Harness;
  before(async () => { h = await startHarness(); await h.project(); });
  after(async () => { await h?.close(); });

  it('a run cut short by its deadline leaves the rest for the next, which starts with them', async () => {
    const all = [h.tenantA, h.tenantB].sort();
    let asked = 0;
    const first = await runRetentionJob(h.deps, { stopBefore: () => asked++ >= 1 });
    assert.deepEqual(first.tenants.map((t) => t.tenantId), [all[0]]);
    assert.deepEqual(first.unfinished, [all[1]]);
    assert.deepEqual(await h.deps.operational.get(LIFECYCLE_COLLECTION, 'retention'), { next: all[1] });
    const second = await runRetentionJob(h.deps);
    assert.deepEqual(second.tenants.map((t) => t.tenantId), [all[1], all[0]]);
    assert.deepEqual([second.unfinished, second.failed], [[], []]);
    assert.equal(await h.deps.operational.get(LIFECYCLE_COLLECTION, 'retention'), undefined);
  });
});
