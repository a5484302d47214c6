/**
 * GC's repack (issue 11 item 2) and its safety under faults. A committed RP whose packs each
 * hold one chunk it references and two it does not (mostly dead packs): one GC run copies the
 * live chunks into new full packs, rewrites the RP's index as its next generation
 * (`RecoveryPointReindexed`), deletes the old packs, and charges the new packs and releases the
 * old ones so that the counter equals exactly the bytes stored; the RP restores byte-identical.
 *
 * Crash safety: the same scenario with a purged RP and an abandoned upload as well, where every
 * step of the run first fails with a MOCK fault injected after all its work (the append of its
 * `GcStepCompleted` throws: a crash, or a duplicate delivery that loses), and is then run again;
 * and mid-step MOCK faults (a pack delete of the sweep, a new pack's put of the repack, each
 * throwing once). The outcome is the same as without faults: exact counter, exactly the
 * unreferenced bytes freed, the live RPs restore. Local adapters, and the AWS adapters against
 * the emulators for the repack.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gcStep, runGcToEnd, startGc } from '../../shared/app/lifecycle/gc/gc-step.js';
import { GC_LIMITS, type GcLimits } from '../../shared/app/lifecycle/gc/gc-limits.js';
import { rpIndexKey } from '../../shared/app/replication/storage.js';
import type { AppDeps } from '../../shared/app/deps.js';
import { streams } from '../../shared/ids.js';
import type { EventStore } from '../../shared/ports/event-store.js';
import type { BlobStore } from '../../shared/ports/blob-store.js';
import { makeVolume, restore, type Harness, type Volume } from '../support/replication-api-harness.js';
import {
  awsGcHarness, buildRp, commitRp, DAY_MS, encodePack, listedPacks, localGcHarness, packStored, purgeRp, storeRp, sum, uploadRp, usedBytes,
  type GcHarness, type StoredPack,
} from '../support/gc-scenario.js';

const OPTIONS = { graceSeconds: 86_400, settleSeconds: 60 };
const LIMITS: GcLimits = { ...GC_LIMITS, markParts: 1, uploadRecords: 3, planPages: 1, packs: 4, mergeRecords: 9, repackPacks: 2, reindexParts: 1 };

/** Random (incompressible) chunks of another volume: the dead weight of the sparse packs. */
function junkChunks(n: number, seed: number): Buffer[] {
  return [...buildRp([makeVolume('sda', n * 4, seed)]).chunks.values()].filter((c) => c.length > 60_000).slice(0, n);
}

/** Stores an RP whose every pack is one chunk it references and two it does not; returns its volumes and packs. */
async function storeSparseRp(h: Harness, tenant: string, machine: string, rpId: string, seed: number): Promise<{ volumes: Volume[]; packs: StoredPack[] }> {
  const volumes = [makeVolume('sda', 6, seed)];
  const rp = buildRp(volumes);
  const chunks = [...rp.chunks.values()];
  const junk = junkChunks(chunks.length * 2, seed + 1000);
  assert.equal(junk.length, chunks.length * 2);
  assert.ok([200, 201].includes((await h.call(tenant, 'PUT', `/v1/machines/${machine}`, {})).status));
  const packs = await uploadRp(h, tenant, machine, rpId, rp, chunks.map((c, i) => encodePack([c, junk[2 * i] as Buffer, junk[2 * i + 1] as Buffer])));
  await commitRp(h, tenant, machine, rpId, rp);
  return { volumes, packs };
}

/** The counter equals the bytes the tenant's packs take in the store: exact usage. */
async function assertExactUsage(h: Harness, tenant: string): Promise<number> {
  const stored = [...(await listedPacks(h.deps, tenant)).values()].reduce((n, b) => n + b, 0);
  assert.equal(await usedBytes(h.deps, tenant), stored, 'the storage counter equals the bytes stored');
  return stored;
}

function repackSuite(name: string, start: () => Promise<GcHarness>): void {
  describe(`GC repack (${name})`, () => {
    let g: GcHarness;
    after(async () => { await g?.h.close(); });
    before(async () => { g = await start(); });

    it('moves the live chunks of mostly dead packs into new packs, rewrites the index, frees the old packs; usage stays exact; the RP restores', async () => {
      const { h, clock } = g;
      const T = h.tenantA;
      const { volumes, packs } = await storeSparseRp(h, T, 'm1', 'rp-sparse', 1);
      const storedBefore = await assertExactUsage(h, T);
      // Read once before: this process caches the RP and its index parts, which the repack replaces.
      assert.ok((await restore(h, T, 'm1', 'rp-sparse')).get('sda')?.equals(volumes[0]!.bytes));
      clock.offsetMs = 2 * DAY_MS;
      await startGc(h.deps, T, OPTIONS);
      const run = await runGcToEnd(h.deps, T, { limits: LIMITS, sleep: async (ms) => { clock.offsetMs += ms + 1; } });
      assert.equal(run.counters['repackedPacks'], packs.length, 'every sparse pack repacked');
      assert.equal(run.counters['freedPacks'], packs.length);
      assert.equal(run.counters['freedBytes'], sum(packs), 'the old packs freed');
      assert.ok((run.counters['repackWrittenPacks'] ?? 0) < packs.length, 'into fewer, fuller packs');
      for (const p of packs) assert.equal(await packStored(h.deps, T, p.id), false);
      const storedAfter = await assertExactUsage(h, T);
      assert.equal(storedAfter, storedBefore - sum(packs) + (run.counters['repackWrittenBytes'] ?? 0));
      assert.ok(storedAfter < storedBefore / 2, `less than half the bytes (${storedAfter} of ${storedBefore})`);
      const rpEvents = await h.deps.events.readStream(streams.rp(T, 'rp-sparse'));
      assert.deepEqual(rpEvents.map((e) => e.type), ['RecoveryPointCommitted', 'RecoveryPointReindexed']);
      assert.equal(await h.deps.blobs.head(rpIndexKey(T, 'rp-sparse', 0)), undefined, 'the superseded generation is gone');
      assert.ok(await h.deps.blobs.head(rpIndexKey(T, 'rp-sparse', 0, 1)), 'generation 1 is there');
      assert.ok((await restore(h, T, 'm1', 'rp-sparse')).get('sda')?.equals(volumes[0]!.bytes), 'restores byte-identical from the new packs (the cached chain read again)');
      // The new packs are full of live chunks: a second run repacks and frees nothing.
      await startGc(h.deps, T, OPTIONS);
      const again = await runGcToEnd(h.deps, T, { limits: LIMITS, sleep: async (ms) => { clock.offsetMs += ms + 1; } });
      assert.equal(again.counters['repackedPacks'] ?? 0, 0);
      assert.equal(again.counters['freedBytes'] ?? 0, 0);
      await assertExactUsage(h, T);
    });
  });
}

repackSuite('local adapters', () => localGcHarness());
repackSuite('AWS adapters on dynalite and s3rver', () => awsGcHarness());

/** MOCK fault: the store fails the append of a GC step's own event, after the step did all its work. */
function failingGcAppends(inner: EventStore): EventStore {
  return {
    capabilities: inner.capabilities,
    append: (streamId, v, events) => (streamId.startsWith('gc:') ? Promise.reject(new Error('MOCK fault: crash before the step was recorded')) : inner.append(streamId, v, events)),
    readStream: (s, a, l) => inner.readStream(s, a, l),
    readLast: (s) => inner.readLast(s),
    readAll: (a, l) => inner.readAll(a, l),
  };
}

/** MOCK fault: the first call of `method` on a key matching `key` throws (after the store did nothing). */
function failingOnce(inner: BlobStore, method: 'delete' | 'put', key: RegExp, armed: () => boolean): BlobStore & { fired: number } {
  const out = {
    fired: 0,
    put: (k: string, b: Uint8Array, o?: { sha256?: string; contentType?: string }) => {
      if (method === 'put' && key.test(k) && armed() && out.fired === 0 && ++out.fired) return Promise.reject(new Error('MOCK fault: put failed'));
      return inner.put(k, b, o);
    },
    delete: (k: string) => {
      if (method === 'delete' && key.test(k) && armed() && out.fired === 0 && ++out.fired) return Promise.reject(new Error('MOCK fault: delete failed'));
      return inner.delete(k);
    },
    get: (k: string) => inner.get(k),
    getRange: (k: string, o: number, l: number) => inner.getRange(k, o, l),
    head: (k: string) => inner.head(k),
    list: (p: string) => inner.list(p),
    listPage: (p: string, o: { after?: string; limit: number }) => inner.listPage(p, o),
  };
  return out;
}

describe('GC crash safety (local adapters; faults are MOCK faults)', () => {
  let g: GcHarness;
  after(async () => { await g?.h.close(); });
  before(async () => { g = await localGcHarness(); });

  it('every step failing once after its work, then run again, and a failed delete and put mid-step: the same outcome as without faults', async () => {
    const { h, clock } = g;
    const T = h.tenantB;
    const sparse = await storeSparseRp(h, T, 'm1', 'rp-sparse', 11);
    const liveVolumes = [makeVolume('sda', 6, 12)];
    await storeRp(h, T, 'm2', 'rp-live', buildRp(liveVolumes));
    const gone = await storeRp(h, T, 'm3', 'rp-gone', buildRp([makeVolume('sda', 6, 13)]));
    const abandoned = await uploadRp(h, T, 'm3', 'rp-abandoned', buildRp([makeVolume('sda', 6, 14)]));
    await purgeRp(h.deps, T, 'rp-gone');
    await assertExactUsage(h, T);
    clock.offsetMs = 2 * DAY_MS;

    let phase = '';
    const deleteFault = failingOnce(h.deps.blobs, 'delete', /\/packs\//, () => phase === 'sweep');
    const putFault = failingOnce(deleteFault, 'put', /\/packs\//, () => phase === 'repack');
    const faulty: AppDeps = { ...h.deps, events: failingGcAppends(h.deps.events), blobs: putFault };
    const healthy: AppDeps = { ...h.deps, blobs: putFault };
    await startGc(h.deps, T, OPTIONS);
    let faults = 0;
    let finished;
    for (let n = 0; n < 2000 && !finished; n++) {
      const { state } = await import('../../shared/app/handlers.js').then((m) => m.gcRunHandler.load(h.deps, T));
      phase = state.status === 'running' ? state.phase : '';
      if (state.status === 'running' && state.notBefore && clock.now().getTime() < Date.parse(state.notBefore)) { clock.offsetMs += 61_000; continue; }
      // First the MOCK fault after the work, then the same step again (it may also meet a mid-step MOCK fault once).
      await assert.rejects(gcStep(faulty, T, undefined, LIMITS), /MOCK fault/);
      faults++;
      let o;
      try { o = await gcStep(healthy, T, undefined, LIMITS); } catch (err) {
        assert.match(String(err), /MOCK fault: (put|delete) failed/);
        o = await gcStep(healthy, T, undefined, LIMITS);
      }
      if (o.status === 'finished') finished = o;
    }
    assert.ok(finished, 'the run finished');
    assert.equal(deleteFault.fired, 1, 'the sweep met its mid-step fault');
    assert.equal(putFault.fired, 1, 'the repack met its mid-step fault');
    assert.ok(faults > 20, `every one of ${faults} steps failed once first`);
    const c = finished.counters;
    assert.equal(c['freedBytes'], sum(gone) + sum(abandoned) + sum(sparse.packs), 'freed: the purged RP, the abandoned upload, the repacked packs — once each');
    assert.equal(c['repackedPacks'], sparse.packs.length);
    await assertExactUsage(h, T);
    for (const p of [...gone, ...abandoned, ...sparse.packs]) assert.equal(await packStored(h.deps, T, p.id), false);
    assert.ok((await restore(h, T, 'm1', 'rp-sparse')).get('sda')?.equals(sparse.volumes[0]!.bytes), 'the repacked RP restores');
    assert.ok((await restore(h, T, 'm2', 'rp-live')).get('sda')?.equals(liveVolumes[0]!.bytes), 'the other live RP restores');
  });
});
