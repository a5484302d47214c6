/**
 * Garbage collection (issue 11 item 2) on one tenant's real storage, through the replication
 * API: several RPs stored, one purged (its `RecoveryPointPurged` appended to its stream as the
 * retention job appends it), an upload abandoned past the grace period, an upload within it, a
 * purged RP that a live incremental still reads through. One GC run (the test's clock two days
 * on, grace one day) frees exactly the packs nothing live references — the bytes the purged RP
 * and the abandoned upload stored — releases exactly those bytes on the storage counter,
 * deletes the purged RP's index and upload records and the abandoned upload's records, touches
 * nothing within the grace period, and every live RP restores byte-identical afterwards. A
 * second run frees nothing. Run on the local adapters and on the AWS adapters against the
 * emulators (test/support/gc-scenario.ts).
 *
 * On this branch the RP decider does not know `RecoveryPointPurged` (the retention change adds
 * it), so nothing here restores through a purged RP; what GC owes such a restore — the purged
 * parent's packs and index kept — is asserted directly.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runGcToEnd, startGc } from '../../shared/app/lifecycle/gc/gc-step.js';
import { GC_LIMITS } from '../../shared/app/lifecycle/gc/gc-limits.js';
import { catalogCollection, type CatalogEntry } from '../../shared/app/lifecycle/gc/gc-keys.js';
import { condemnedCollection } from '../../shared/app/lifecycle/gc/condemned-packs.js';
import { rpIndexKey } from '../../shared/app/replication/storage.js';
import { getUploadRecord } from '../../shared/app/replication/upload-records.js';
import { makeVolume, restore, type Harness } from '../support/replication-api-harness.js';
import {
  awsGcHarness, buildRp, commitRp, DAY_MS, listedPacks, localGcHarness, packStored, purgeRp, storeRp, sum, uploadRp, usedBytes,
  type GcHarness, type StoredPack, type TestClock,
} from '../support/gc-scenario.js';

const GRACE_SECONDS = 86_400;
const SETTLE_SECONDS = 60;

/** Runs a GC of the tenant to its end, the settle waited out on the test clock; small limits so the run takes many steps. */
async function collect(h: Harness, clock: TestClock, tenant: string, dryRun = false) {
  await startGc(h.deps, tenant, { graceSeconds: GRACE_SECONDS, settleSeconds: SETTLE_SECONDS, dryRun });
  const limits = { ...GC_LIMITS, markParts: 1, uploadRecords: 2, planPages: 1, packs: 5, mergeRecords: 7, catalogEvents: 50 };
  let steps = 0;
  const done = await runGcToEnd(h.deps, tenant, { limits, sleep: async (ms) => { clock.offsetMs += ms + 1; }, onStep: () => { steps++; } });
  return { ...done, steps };
}

function gcSuite(name: string, start: () => Promise<GcHarness>): void {
  describe(`garbage collection (${name})`, () => {
    let g: GcHarness;
    let T: string;
    const volumes = new Map<number, ReturnType<typeof makeVolume>[]>();
    const vol = (seed: number) => { if (!volumes.has(seed)) volumes.set(seed, [makeVolume('sda', 6, seed)]); return volumes.get(seed)!; };
    const packs: Record<string, StoredPack[]> = {};
    let before1: number;

    before(async () => {
      g = await start();
      const { h, clock } = g;
      T = h.tenantA;
      // Live: rp-live (m1), rp-inc (m2, incremental on rp-parent, which gets purged but is still read through).
      packs['live'] = await storeRp(h, T, 'm1', 'rp-live', buildRp(vol(1)));
      const parentVol = vol(2);
      packs['parent'] = await storeRp(h, T, 'm2', 'rp-parent', buildRp(parentVol));
      const childVol = [{ name: 'sda', bytes: Buffer.from(parentVol[0]!.bytes) }];
      childVol[0]!.bytes.fill(7, 0, 20_000);
      packs['inc'] = await storeRp(h, T, 'm2', 'rp-inc', buildRp(childVol, parentVol), 'rp-parent');
      // Purged: rp-gone (m3), nothing live reads through it.
      packs['gone'] = await storeRp(h, T, 'm3', 'rp-gone', buildRp(vol(3)));
      // Abandoned: uploaded now, never committed.
      packs['abandoned'] = await uploadRp(h, T, 'm3', 'rp-abandoned', buildRp(vol(4)));
      // Within the grace period: uploaded 1.5 days on (GC runs at 2 days, grace 1 day), not committed.
      clock.offsetMs = 1.5 * DAY_MS;
      packs['inflight'] = await uploadRp(h, T, 'm1', 'rp-inflight', buildRp(vol(5)));
      await purgeRp(h.deps, T, 'rp-gone');
      await purgeRp(h.deps, T, 'rp-parent');
      clock.offsetMs = 2 * DAY_MS;
      before1 = await usedBytes(h.deps, T);
      for (const [k, v] of Object.entries(packs)) assert.ok(v.length > 0, `${k} stored packs`);
    });
    after(async () => { await g?.h.close(); });

    it('a dry run reports what would be freed and changes nothing', async () => {
      const { h, clock } = g;
      const listed = await listedPacks(h.deps, T);
      const run = await collect(h, clock, T, true);
      assert.equal(run.dryRun, true);
      assert.equal(run.counters['deadBytes'], sum(packs['gone']!) + sum(packs['abandoned']!), 'would free the purged RP and the abandoned upload');
      assert.equal(run.counters['freedBytes'] ?? 0, 0);
      assert.deepEqual(await listedPacks(h.deps, T), listed, 'no pack touched');
      assert.equal(await usedBytes(h.deps, T), before1, 'the counter unchanged');
      assert.ok(await getUploadRecord(h.deps, T, 'rp-abandoned', packs['abandoned']![0]!.id), 'the abandoned upload keeps its records');
    });

    it('frees exactly the unreferenced packs, the counter follows, nothing within the grace period is touched, every live RP restores', async () => {
      const { h, clock } = g;
      const freed = [...packs['gone']!, ...packs['abandoned']!];
      const run = await collect(h, clock, T);
      assert.ok(run.steps > 15, `the run took many bounded steps (${run.steps})`);
      assert.equal(run.counters['freedBytes'], sum(freed), 'freed bytes = what the purged RP and the abandoned upload stored');
      assert.equal(run.counters['freedPacks'], freed.length);
      assert.equal(run.counters['rescuedPacks'] ?? 0, 0);
      assert.equal(await usedBytes(h.deps, T), before1 - sum(freed), 'the storage counter released exactly those bytes');
      for (const p of freed) assert.equal(await packStored(h.deps, T, p.id), false, `freed pack ${p.id} is gone`);
      for (const k of ['live', 'parent', 'inc', 'inflight']) {
        for (const p of packs[k]!) assert.ok(await packStored(h.deps, T, p.id), `${k} pack ${p.id} kept`);
      }
      // Within the grace period: the upload in flight keeps its records (and so can still commit).
      for (const p of packs['inflight']!) assert.ok(await getUploadRecord(h.deps, T, 'rp-inflight', p.id));
      // The abandoned upload's records and the purged RP's index and records are gone; the held parent keeps its index.
      assert.equal(await getUploadRecord(h.deps, T, 'rp-abandoned', packs['abandoned']![0]!.id), undefined);
      assert.equal(await getUploadRecord(h.deps, T, 'rp-gone', packs['gone']![0]!.id), undefined);
      assert.equal(await h.deps.blobs.head(rpIndexKey(T, 'rp-gone', 0)), undefined);
      assert.ok(await h.deps.blobs.head(rpIndexKey(T, 'rp-parent', 0)), 'the purged parent that rp-inc reads through keeps its index');
      assert.equal((await h.deps.operational.get<CatalogEntry>(catalogCollection(T), 'rp-gone'))?.collected, true);
      assert.notEqual((await h.deps.operational.get<CatalogEntry>(catalogCollection(T), 'rp-parent'))?.collected, true);
      assert.deepEqual((await h.deps.operational.listPage(condemnedCollection(T), { limit: 10 })).records, [], 'no marker left');
      assert.deepEqual(await collectKeys(h, `gc/${T}/`), [], 'the work area is gone');
      // Every live RP restores byte-identical.
      assert.ok((await restore(h, T, 'm1', 'rp-live')).get('sda')?.equals(vol(1)[0]!.bytes), 'rp-live restores');
      // The in-flight upload commits and restores.
      await commitRp(h, T, 'm1', 'rp-inflight', buildRp(vol(5)));
      assert.ok((await restore(h, T, 'm1', 'rp-inflight')).get('sda')?.equals(vol(5)[0]!.bytes), 'rp-inflight restores');
    });

    it('a second run frees nothing', async () => {
      const { h, clock } = g;
      const used = await usedBytes(h.deps, T);
      const run = await collect(h, clock, T);
      assert.equal(run.counters['freedBytes'] ?? 0, 0);
      assert.equal(await usedBytes(h.deps, T), used);
    });

    it('packs younger than the grace period are kept even with nothing referencing them', async () => {
      const { h, clock } = g;
      clock.offsetMs = 0; // objects stored just now are young by the run's clock
      const young = await uploadRp(h, T, 'm3', 'rp-young', buildRp(vol(6)));
      await h.deps.operational.delete(`uploads/${T}/by-day/${new Date().toISOString().slice(0, 10)}`, 'rp-young'); // not even registered
      const run = await collect(h, clock, T);
      assert.ok((run.counters['youngPacks'] ?? 0) >= young.length);
      for (const p of young) assert.ok(await packStored(h.deps, T, p.id));
    });
  });
}

async function collectKeys(h: Harness, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const k of h.deps.blobs.list(prefix)) out.push(k);
  return out;
}

gcSuite('local adapters', () => localGcHarness());
gcSuite('AWS adapters on dynalite and s3rver', () => awsGcHarness());
