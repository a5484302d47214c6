/**
 * Roll-up over the hard cases (docs/lifecycle.md), on the real handlers and local adapters:
 * volumes that disappear, come back, shrink to a partial extent and grow again; DELTAs over
 * DELTAs; zeroed extents. An RP resting on binned RPs is rolled up onto its nearest kept
 * ancestor, or into a base, and every RP — kept, binned, and kept after the purge — restores
 * byte-identical. On the local adapters and on the AWS adapters against the emulators.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { AppDeps } from '../../shared/app/deps.js';
import { runRetention } from '../../shared/app/lifecycle/retention-job.js';
import { localDeps } from '../../shared/runtime/local-deps.js';
import { awsHarnessAdapters } from '../support/aws-harness-adapters.js';
import { buildRp, GEOMETRY, replicate, restore, startHarness, type Harness, type HarnessAdapters, type Volume } from '../support/replication-api-harness.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const E = GEOMETRY.extentSize;
const SB = GEOMETRY.subBlockSize;
const M = 'db-01';
const clock = { now: Date.UTC(2025, 5, 2) };
const now = () => new Date(clock.now);
function clockedDeps(dir: string): AppDeps {
  const base = localDeps(dir);
  return {
    events: base.events, blobs: base.blobs, queue: base.queue, readModels: base.readModels, operational: base.operational, notifier: base.notifier,
    get ca() { return base.ca; }, clock: () => new Date(clock.now), newId: base.newId,
  };
}

const touch = (b: Buffer, extent: number, sub: number) => { randomBytes(SB).copy(b, extent * E + sub * SB); return b; };
const vol = (name: string, bytes: Buffer): Volume => ({ name, bytes });
const copy = (v: Volume): Volume => vol(v.name, Buffer.from(v.bytes));

/** Six RPs whose volumes come and go and change size. */
function history(): Volume[][] {
  const sda1 = Buffer.concat([randomBytes(2 * E), Buffer.alloc(E), randomBytes(2 * E)]);
  const rp1 = [vol('sda', sda1), vol('sdb', randomBytes(2 * E))];
  const rp2 = [vol('sda', touch(touch(Buffer.from(sda1), 0, 3), 1, 9))]; // sdb gone
  const rp3 = [vol('sda', touch(Buffer.from(rp2[0]!.bytes.subarray(0, 2 * E + E / 2)), 0, 4))]; // sda shrinks to 2.5 extents
  const rp4 = [vol('sda', Buffer.concat([rp3[0]!.bytes, Buffer.alloc(E / 2), randomBytes(2 * E), Buffer.alloc(E)])), vol('sdb', randomBytes(E + 100))]; // grows back; sdb returns
  const rp5 = [vol('sda', touch(touch(Buffer.from(rp4[0]!.bytes), 2, 1), 4, 7)), copy(rp4[1]!)];
  const rp6b = Buffer.from(rp5[0]!.bytes);
  rp6b.fill(0, 4 * E, 5 * E);
  const rp6 = [vol('sda', touch(rp6b, 0, 5)), vol('sdb', touch(Buffer.from(rp5[1]!.bytes), 0, 2))];
  return [rp1, rp2, rp3, rp4, rp5, rp6];
}

const local = (): Promise<HarnessAdapters> => Promise.resolve({ deps: clockedDeps, close: async () => {} });

for (const [name, adapters] of [['local adapters', local], ['AWS adapters on the emulators', () => awsHarnessAdapters(now)]] as const) {
  describe(`roll-up: volumes that come and go and change size, DELTAs over DELTAs (${name})`, () => {
    let h: Harness;
    const images = new Map<string, Volume[]>();
    const id = (n: number) => `rp-${n}`;
    const assertRestores = async (rpId: string) => {
      const got = await restore(h, h.tenantA, M, rpId);
      const want = images.get(rpId)!;
      assert.deepEqual([...got.keys()].sort(), want.map((v) => v.name).sort(), `${rpId}: its volumes`);
      for (const v of want) assert.ok(got.get(v.name)?.equals(v.bytes), `${rpId}: ${v.name} restores byte-identical`);
    };
    const rp = async (rpId: string) => (await h.call(h.tenantA, 'GET', `/v1/machines/${M}/recovery-points/${rpId}`)).json;

    before(async () => {
      h = await startHarness(1 << 30, await adapters());
      let previous: Volume[] | undefined;
      for (const [k, vols] of history().entries()) {
        clock.now += HOUR;
        await h.call(h.tenantA, 'PUT', `/v1/machines/${M}`, { volumes: vols.map((v) => ({ name: v.name, sizeBytes: v.bytes.length })) });
        const r = await replicate(h, h.tenantA, M, id(k + 1), buildRp(vols, previous), k > 0 ? id(k) : undefined);
        assert.equal(r.status, 201, r.body.toString());
        images.set(id(k + 1), vols.map(copy));
        previous = vols;
      }
      await h.project();
    });
    after(async () => { await h?.close(); });

    it('the RP on two deleted RPs (a shrink and a regrowth between) rolls up onto the kept one below them', async () => {
      for (const n of [3, 4]) {
        const r = await h.admin('POST', `/v1/admin/tenants/${h.tenantA}/recovery-points/${id(n)}/delete`, { confirmRpId: id(n), reason: 'test' });
        assert.equal(r.status, 200, r.body.toString());
      }
      await h.project();
      const m = (await runRetention(h.deps, h.tenantA)).machines[0]!; // the tenant keeps everything: only the roll-up
      assert.deepEqual([m.expired, m.rolledUp.map(({ materialized: _m, addedBytes: _a, ...r }) => r), m.failed], [[], [{ rpId: id(5), onto: id(2), folded: [id(4), id(3)] }], []]);
      assert.ok((m.rolledUp[0]?.materialized ?? 0) > 0 && (m.rolledUp[0]?.addedBytes ?? 0) > 0, 'the DELTAs on folded content were materialized into new packs');
      await h.project();
      assert.equal((await rp(id(5)))['parentRpId'], id(2));
      for (let n = 1; n <= 6; n++) await assertRestores(id(n));
    });

    it('after the bin period the deleted ones are purged, and what rested on them still restores', async () => {
      clock.now += 14 * DAY + HOUR;
      const m = (await runRetention(h.deps, h.tenantA)).machines[0]!;
      assert.deepEqual(m.purged, [id(4), id(3)]);
      await h.project();
      for (const n of [1, 2, 5, 6]) await assertRestores(id(n));
    });

    it('keep-last 1: the newest becomes a base folding everything below it, and restores byte-identical after the purge', async () => {
      const set = await h.admin('PUT', `/v1/admin/tenants/${h.tenantA}/retention`, { keep: { last: 1 }, binDays: 1 });
      assert.equal(set.status, 200, set.body.toString());
      const m = (await runRetention(h.deps, h.tenantA)).machines[0]!;
      assert.deepEqual([...m.expired].sort(), [id(1), id(2), id(5)]);
      assert.deepEqual(m.rolledUp.map(({ materialized: _m, addedBytes: _a, ...r }) => r), [{ rpId: id(6), onto: null, folded: [id(5), id(2), id(1)] }]);
      assert.ok((m.rolledUp[0]?.materialized ?? 0) > 0);
      await h.project();
      const six = await rp(id(6));
      assert.equal(six['kind'], 'base');
      assert.equal(six['parentRpId'], undefined);
      for (const n of [1, 2, 5, 6]) await assertRestores(id(n));
      clock.now += DAY;
      assert.deepEqual((await runRetention(h.deps, h.tenantA)).machines[0]!.purged, [id(5), id(2), id(1)]);
      await h.project();
      await assertRestores(id(6));
      const listed = (await h.call(h.tenantA, 'GET', `/v1/machines/${M}/recovery-points`)).json.items ?? [];
      assert.deepEqual(listed.map((r) => r['rpId']), [id(6)]);
    });
  });
}
