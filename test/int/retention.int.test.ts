/**
 * Issue 11's retention test, on the real handlers over the local adapters (the replication API
 * harness) with an injected clock: 30 RPs committed two hours apart, a policy of keep-last 3 +
 * keep-daily 2, the retention job run. Exactly the expected RPs remain, every kept RP (and every
 * binned one, while it is in the bin) restores byte-identical after the roll-ups and after the
 * purge, chains hold kept RPs only, and a restore that read its chain before a roll-up finishes
 * after it. Then the recycle bin: an operator-deleted RP restores from the bin until its period
 * ends, and not after. Last, garbage collection: it frees exactly the packs no remaining RP
 * references (an oracle read from the remaining RPs' own indexes), the storage counter and the
 * usage export follow, and a second run that repacks the mostly dead packs leaves every remaining
 * RP restoring byte-identical with the counter equal to what is stored.
 *
 * The clock starts tomorrow (UTC midnight): stored objects keep the store's own time, so by the
 * job clock every pack is weeks old when GC runs, past its grace period.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { AppDeps } from '../../shared/app/deps.js';
import { runRetention } from '../../shared/app/lifecycle/retention-job.js';
import { runGcToEnd, startGc } from '../../shared/app/lifecycle/gc/gc-step.js';
import { recoveryPointHandler } from '../../shared/app/handlers.js';
import { rpIndexKey } from '../../shared/app/replication/storage.js';
import { RpIndexPart } from '../../shared/format/rp-index.js';
import { ManifestReader, restoreVolume } from '../../shared/format/index.js';
import { localDeps } from '../../shared/runtime/local-deps.js';
import { listedPacks, usedBytes } from '../support/gc-scenario.js';
import { buildRp, GEOMETRY, readChunks, replicate, restore, startHarness, type Harness, type Volume } from '../support/replication-api-harness.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Math.floor(Date.now() / DAY) * DAY + DAY; // tomorrow, 00:00 UTC
const M = 'web-01';
const N = 30;
const id = (n: number) => `rp-${String(n).padStart(2, '0')}`;
const E = GEOMETRY.extentSize;
const SB = GEOMETRY.subBlockSize;

/** The clock every handler and the job read. */
const clock = { now: T0 };
function clockedDeps(dir: string): AppDeps {
  const base = localDeps(dir);
  return {
    events: base.events, blobs: base.blobs, queue: base.queue, readModels: base.readModels, operational: base.operational, notifier: base.notifier,
    get ca() { return base.ca; }, clock: () => new Date(clock.now), newId: base.newId,
  };
}

/** RP k's volumes from RP k-1's: a few changed sub-blocks (a DELTA), now and then a rewritten extent (FULL), a zeroed one, a new volume. */
function nextImages(prev: readonly Volume[], k: number): Volume[] {
  const out = prev.map((v) => ({ name: v.name, bytes: Buffer.from(v.bytes) }));
  const sda = out[0]!.bytes;
  const d = k % 8;
  randomBytes(SB).copy(sda, d * E + ((k * 7) % 60) * SB);
  if (k % 3 === 0) randomBytes(SB).copy(sda, ((k + 3) % 8) * E + 5 * SB);
  if (k % 5 === 0) randomBytes(E).copy(sda, ((k * 3) % 8) * E);
  if (k % 7 === 0) sda.fill(0, ((k * 5) % 8) * E, ((k * 5) % 8 + 1) * E);
  if (k === 10) out.push({ name: 'sdb', bytes: Buffer.concat([randomBytes(2 * E), Buffer.alloc(E), randomBytes(E)]) });
  if (k > 10 && k % 4 === 0) randomBytes(SB).copy(out[1]!.bytes, (k % 4) * E + 3 * SB);
  return out;
}

describe('retention: 30 RPs, keep-last 3 + keep-daily 2 (issue 11)', () => {
  let h: Harness;
  const images = new Map<string, Map<string, Buffer>>();
  const manifests = new Map<string, string>();
  const at = (n: number) => T0 + 2 * (n - 1) * HOUR; // rp-01 … rp-12 on day 1, rp-13 … rp-24 on day 2, rp-25 … rp-30 on day 3
  const run = async (dryRun = false) => { const r = await runRetention(h.deps, h.tenantA, { dryRun }); await h.project(); return r.machines[0]!; };
  const listed = async () => (await h.call(h.tenantA, 'GET', `/v1/machines/${M}/recovery-points`)).json.items ?? [];
  const assertRestores = async (rpId: string) => {
    const got = await restore(h, h.tenantA, M, rpId);
    const want = images.get(rpId)!;
    assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort(), `${rpId}: volumes`);
    for (const [name, bytes] of want) assert.ok(got.get(name)?.equals(bytes), `${rpId}: volume ${name} restores byte-identical`);
  };
  const chainOf = async (rpId: string): Promise<string[]> => {
    const out: string[] = [];
    for (let at: string | undefined = rpId; at;) {
      out.push(at);
      at = (await h.call(h.tenantA, 'GET', `/v1/machines/${M}/recovery-points/${at}`)).json['parentRpId'] as string | undefined;
    }
    return out;
  };
  const KEPT = [12, 24, 28, 29, 30].map(id);
  const EXPIRED = Array.from({ length: N }, (_, k) => id(k + 1)).filter((r) => !KEPT.includes(r));

  before(async () => {
    h = await startHarness(1 << 30, { deps: clockedDeps, close: async () => {} });
    let vols: Volume[] = [{ name: 'sda', bytes: Buffer.concat(Array.from({ length: 8 }, (_, i) => (i === 6 ? Buffer.alloc(E) : randomBytes(E)))) }];
    let previous: Volume[] | undefined;
    for (let n = 1; n <= N; n++) {
      if (n > 1) vols = nextImages(vols, n);
      clock.now = at(n);
      const reg = await h.call(h.tenantA, 'PUT', `/v1/machines/${M}`, { volumes: vols.map((v) => ({ name: v.name, sizeBytes: v.bytes.length })) });
      assert.ok(reg.status === 200 || reg.status === 201, reg.body.toString());
      const built = buildRp(vols, previous);
      manifests.set(id(n), built.manifest);
      const r = await replicate(h, h.tenantA, M, id(n), built, n > 1 ? id(n - 1) : undefined);
      assert.equal(r.status, 201, r.body.toString());
      images.set(id(n), new Map(vols.map((v) => [v.name, Buffer.from(v.bytes)])));
      previous = vols;
    }
    await h.project();
    clock.now = at(N) + HOUR;
    const set = await h.admin('PUT', `/v1/admin/tenants/${h.tenantA}/retention`, { keep: { last: 3, daily: 2 }, binDays: 14 });
    assert.equal(set.status, 200, set.body.toString());
    assert.equal(set.json['policy'], 'keep-last=3,keep-daily=2');
  });
  after(async () => { await h?.close(); });

  it('the dry run says what the run will do, and changes nothing', async () => {
    const size = await h.logSize();
    const view = await h.admin('GET', `/v1/admin/tenants/${h.tenantA}/retention?dryRun=true`);
    assert.equal(view.status, 200, view.body.toString());
    const next = (view.json['next'] as { machines: { expired: string[]; kept: { rpId: string; by: string }[]; rolledUp: unknown[]; purged: string[] }[] }).machines[0]!;
    assert.deepEqual(next.kept.map((k) => [k.rpId, k.by]), [[id(30), 'last'], [id(29), 'last'], [id(28), 'last'], [id(24), 'daily'], [id(12), 'daily']]);
    assert.deepEqual([...next.expired].sort(), EXPIRED);
    assert.deepEqual(next.rolledUp, [{ rpId: id(12), onto: null, folded: EXPIRED.slice(0, 11).reverse() }, { rpId: id(24), onto: id(12), folded: EXPIRED.slice(11, 22).reverse() },
      { rpId: id(28), onto: id(24), folded: [id(27), id(26), id(25)] }]);
    assert.deepEqual(next.purged, []);
    assert.equal(await h.logSize(), size, 'a dry run appends nothing');
  });

  it('the run expires exactly the 25 the policy does not keep, into the recycle bin; every kept and every binned RP restores byte-identical; a restore begun before the roll-up finishes after it', async () => {
    // A restore of rp-28 that read its chain (rp-28 … rp-01) before the run.
    const getOld = async (cid: string) => { const r = await readChunks(h, h.tenantA, M, id(28), [cid]); assert.equal(r.status, 200, r.body.toString()); return r.chunks[0]!; };
    const oldChain: ManifestReader[] = [];
    for (const rpId of (await chainOf(id(28))).reverse()) {
      const rp = await h.call(h.tenantA, 'GET', `/v1/machines/${M}/recovery-points/${rpId}`);
      oldChain.push(ManifestReader.open(await getOld(rp.json['manifest'] as string), getOld));
    }
    assert.equal(oldChain.length, 28);

    const m = await run();
    assert.deepEqual([...m.expired].sort(), EXPIRED);
    assert.deepEqual(m.rolledUp.map((r) => [r.rpId, r.onto]), [[id(12), null], [id(24), id(12)], [id(28), id(24)]]);
    assert.deepEqual([m.purged, m.failed], [[], []]);

    const items = await listed();
    assert.equal(items.length, N, 'binned RPs are still listed');
    assert.deepEqual(items.filter((r) => !r['bin']).map((r) => r['rpId']), KEPT);
    for (const r of items.filter((x) => x['bin'])) {
      assert.deepEqual(r['bin'], { reason: 'retention', binnedAt: new Date(clock.now).toISOString(), purgeAfter: new Date(clock.now + 14 * DAY).toISOString() });
    }
    // Chains hold kept RPs only: rp-12 is a base now.
    assert.deepEqual(await chainOf(id(30)), [id(30), id(29), id(28), id(24), id(12)]);
    assert.equal((await h.call(h.tenantA, 'GET', `/v1/machines/${M}/recovery-points/${id(12)}`)).json['kind'], 'base');
    for (const rpId of KEPT) await assertRestores(rpId);
    for (const rpId of EXPIRED) await assertRestores(rpId);

    // The old view: rp-28's chain as read before the roll-up still resolves (its superseded manifest and index).
    const want = images.get(id(28))!;
    for (const [name, bytes] of want) {
      const parts: Buffer[] = [];
      for await (const e of restoreVolume(oldChain, name, getOld)) parts.push(e);
      assert.ok(Buffer.concat(parts).equals(bytes), `old view of ${id(28)} ${name}`);
    }

    const tenant = await h.admin('GET', `/v1/admin/tenants/${h.tenantA}`);
    const usage = tenant.json['usage'] as { storedBytes: number; binBytes: number; binCount: number };
    assert.equal(usage.binCount, 25);
    assert.ok(usage.binBytes > 0 && usage.storedBytes > 0, JSON.stringify(usage));
    const bin = await h.call(h.tenantA, 'GET', '/v1/recycle-bin');
    assert.deepEqual((bin.json.items ?? []).map((b) => b['rpId']).sort(), EXPIRED);
  });

  it('a second run changes nothing', async () => {
    const size = await h.logSize();
    const m = await run();
    assert.deepEqual([m.expired, m.rolledUp, m.purged, m.failed], [[], [], [], []]);
    assert.equal(await h.logSize(), size);
  });

  it('after the bin period the 25 are purged (nothing any chain needs), gone from every view; the kept RPs still restore byte-identical', async () => {
    clock.now += 14 * DAY + 1;
    const m = await run();
    assert.deepEqual([...m.purged].sort(), EXPIRED);
    assert.deepEqual(m.failed, []);
    assert.deepEqual((await listed()).map((r) => r['rpId']), KEPT);
    for (const rpId of KEPT) await assertRestores(rpId);
    const gone = await h.call(h.tenantA, 'GET', `/v1/machines/${M}/recovery-points/${id(5)}`);
    assert.equal(gone.status, 404);
    const read = await readChunks(h, h.tenantA, M, id(5), [manifests.get(id(5))!]);
    assert.equal(read.status, 404, 'a purged RP\'s chunks are not served');
    const back = await h.call(h.tenantA, 'POST', `/v1/recycle-bin/${id(5)}/restore`, {});
    assert.equal(back.status, 410, back.body.toString());
    const usage = (await h.admin('GET', `/v1/admin/tenants/${h.tenantA}`)).json['usage'] as { binCount: number; binBytes: number };
    assert.deepEqual([usage.binCount, usage.binBytes], [0, 0]);
  });

  it('an operator deletion needs the rpId typed again; the deleted RP restores from the bin until the bin period ends, and not after', async () => {
    const size = await h.logSize();
    const wrong = await h.admin('POST', `/v1/admin/tenants/${h.tenantA}/recovery-points/${id(29)}/delete`, { confirmRpId: id(28), reason: 'suspected ransomware' });
    assert.equal(wrong.status, 422, wrong.body.toString());
    assert.equal(wrong.json['type'], 'https://drcore.dev/problems/confirmation-mismatch');
    assert.equal(await h.logSize(), size, 'a refused deletion appends nothing');

    const del = await h.admin('POST', `/v1/admin/tenants/${h.tenantA}/recovery-points/${id(29)}/delete`, { confirmRpId: id(29), reason: 'suspected ransomware' });
    assert.equal(del.status, 200, del.body.toString());
    const deletedAt = clock.now;
    assert.deepEqual(del.json['bin'], { reason: 'deleted', binnedAt: new Date(deletedAt).toISOString(), purgeAfter: new Date(deletedAt + 14 * DAY).toISOString() });
    await h.project();
    assert.deepEqual(((await h.call(h.tenantA, 'GET', '/v1/recycle-bin')).json.items ?? []).map((b) => b['rpId']), [id(29)]);
    await assertRestores(id(29)); // in the bin, still restorable as it is

    clock.now = deletedAt + 13 * DAY;
    const back = await h.call(h.tenantA, 'POST', `/v1/recycle-bin/${id(29)}/restore`, {});
    assert.equal(back.status, 200, back.body.toString());
    assert.equal(back.json['bin'], undefined);
    assert.equal(back.json['pinned'], true);
    await h.project();
    await assertRestores(id(29));
    assert.deepEqual((await run()).expired, [], 'a pinned RP is kept by retention');

    const again = await h.admin('POST', `/v1/admin/tenants/${h.tenantA}/recovery-points/${id(29)}/delete`, { confirmRpId: id(29), reason: 'confirmed compromised' });
    assert.equal(again.status, 200, again.body.toString());
    const second = clock.now;
    await h.project();
    clock.now = second + 14 * DAY - 1;
    await assertRestores(id(29));
    clock.now = second + 14 * DAY;
    const late = await h.call(h.tenantA, 'POST', `/v1/recycle-bin/${id(29)}/restore`, {});
    assert.equal(late.status, 410, 'the bin period is over: refused even before the purge ran');
    assert.equal(late.json['type'], 'https://drcore.dev/problems/bin-period-over');

    // rp-30 rested on rp-29: the run rolls it up onto rp-28, then rp-29 is purged.
    const m = await run();
    assert.deepEqual(m.rolledUp.map((r) => [r.rpId, r.onto, r.folded]), [[id(30), id(28), [id(29)]]]);
    assert.deepEqual(m.purged, [id(29)]);
    assert.equal((await h.call(h.tenantA, 'POST', `/v1/recycle-bin/${id(29)}/restore`, {})).status, 410);
    assert.equal((await h.call(h.tenantA, 'GET', `/v1/machines/${M}/recovery-points/${id(29)}`)).status, 404);
    for (const rpId of [12, 24, 28, 30].map(id)) await assertRestores(rpId);
    assert.deepEqual(await chainOf(id(30)), [id(30), id(28), id(24), id(12)]);
  });

  it('GC frees exactly the packs no remaining RP references; the counter and the usage export follow; a repacking run keeps every RP restoring', async (t) => {
    const T = h.tenantA;
    const remaining = [12, 24, 28, 30].map(id);
    const referenced = async (): Promise<Set<string>> => {
      const packs = new Set<string>();
      for (const rpId of remaining) {
        const { state } = await recoveryPointHandler.load(h.deps, { tenantId: T, rpId });
        assert.equal(state.status, 'committed');
        const index = state.status === 'committed' ? state.rp.index : undefined;
        assert.ok(index, `${rpId} has an index`);
        for (let n = 0; n < index.firstChunks.length; n++) {
          const part = RpIndexPart.decode(await h.deps.blobs.get(rpIndexKey(T, rpId, n, index.generation)));
          for (let i = 0; i < part.count; i++) packs.add(part.entry(i).pack);
        }
      }
      return packs;
    };
    const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    const collect = async (options: { repackBelowPercent?: number }) => {
      await startGc(h.deps, T, { graceSeconds: 86_400, settleSeconds: 60, ...options });
      return runGcToEnd(h.deps, T, { sleep: async (ms) => { clock.now += ms + 1; } });
    };
    const exported = async () => {
      await h.project();
      const day = new Date(clock.now).toISOString().slice(0, 10);
      const r = await h.admin('GET', `/v1/admin/usage?from=${day}&to=${day}`);
      assert.equal(r.status, 200, r.body.toString());
      return ((r.json['tenants'] ?? []) as { tenantId: string; storedBytes: number }[]).find((t) => t.tenantId === T)?.storedBytes;
    };

    clock.now += 2 * DAY;
    const stored = await listedPacks(h.deps, T);
    const live = await referenced();
    const unreferenced = [...stored].filter(([p]) => !live.has(p));
    assert.ok(unreferenced.length > 0, 'the purged RPs left packs nothing references');
    const before = await usedBytes(h.deps, T);
    assert.equal(before, total(stored), 'the counter is what is stored');

    const first = await collect({ repackBelowPercent: 0 });
    assert.equal(first.counters['freedBytes'], unreferenced.reduce((n, [, b]) => n + b, 0), 'freed bytes = the unreferenced packs\' bytes');
    assert.equal(first.counters['freedPacks'], unreferenced.length);
    const left = await listedPacks(h.deps, T);
    assert.deepEqual([...left.keys()].sort(), [...live].sort(), 'what is left is exactly what the remaining RPs reference');
    assert.equal(await usedBytes(h.deps, T), before - first.counters['freedBytes']!, 'the counter released exactly the freed bytes');
    assert.equal(await exported(), total(left), 'the usage export follows');
    for (const rpId of remaining) await assertRestores(rpId);

    const second = await collect({ repackBelowPercent: 50 });
    const after = await listedPacks(h.deps, T);
    assert.equal(await usedBytes(h.deps, T), total(after), 'after the repack the counter is still what is stored');
    assert.deepEqual([...after.keys()].sort(), [...await referenced()].sort(), 'nothing unreferenced is left');
    assert.equal(await exported(), total(after));
    for (const rpId of remaining) await assertRestores(rpId);
    const c = second.counters;
    t.diagnostic(`stored ${total(stored)} B in ${stored.size} packs; GC 1 freed ${first.counters['freedBytes']} B (${first.counters['freedPacks']} packs, all unreferenced); `
      + `GC 2 repacked ${c['repackedPacks'] ?? 0} packs, wrote ${c['repackWrittenBytes'] ?? 0} B, freed ${c['freedBytes'] ?? 0} B; left ${total(after)} B in ${after.size} packs`);
    assert.equal(total(after), total(left) - (c['freedBytes'] ?? 0) + (c['repackWrittenBytes'] ?? 0), 'stored = before − freed + what the repack wrote');
    assert.ok((c['freedBytes'] ?? 0) >= (c['repackWrittenBytes'] ?? 0), 'a repack never stores more than it frees');
  });
});
