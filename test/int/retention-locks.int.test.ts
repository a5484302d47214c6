/**
 * Object Lock by retention class (issue 11 item 4), through the retention job: with ObjectLocks
 * in the deps (S3ObjectLocks over a MOCK of S3's retention API — no emulator here has Object Lock,
 * test/support/mock-s3-retention.ts), every kept RP's chain — its packs and index parts and its
 * parents' — is locked until its class's date, a shared pack until the latest of the RPs that
 * read it; a monthly's packs end later than a daily's; a second run sends nothing; without
 * ObjectLocks (the local runtime) the report has no locks.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { S3ObjectLocks } from '../../shared/adapters/aws/s3-object-locks.js';
import type { AppDeps } from '../../shared/app/deps.js';
import { runRetention } from '../../shared/app/lifecycle/retention-job.js';
import { committedChain } from '../../shared/app/replication/rp-chunks.js';
import { packKey, rpIndexKey } from '../../shared/app/replication/storage.js';
import { lockUntil } from '../../shared/domain/lock-period.js';
import { checkRetention } from '../../shared/domain/retention-policy.js';
import { RpIndexPart } from '../../shared/format/rp-index.js';
import { localDeps } from '../../shared/runtime/local-deps.js';
import { mockRetentionS3, type MockRetentionS3 } from '../support/mock-s3-retention.js';
import { buildRp, makeVolume, replicate, startHarness, type Harness, type Volume } from '../support/replication-api-harness.js';

const M = 'db-01';

describe('retention locks each kept RP\'s data by its retention class (S3 Object Lock)', () => {
  const clock = { now: Date.UTC(2026, 0, 10, 12) };
  let h: Harness;
  let s3: MockRetentionS3;
  const deps = (dir: string): AppDeps => {
    const base = Object.assign(localDeps(dir), { clock: () => new Date(clock.now) });
    s3 = mockRetentionS3(base.blobs);
    return Object.assign(base, { objectLocks: new S3ObjectLocks({ client: s3.client, bucket: 'data' }) });
  };
  const retention = checkRetention({ keep: { last: 1, daily: 1, monthly: 2 }, binDays: 7 });

  before(async () => {
    h = await startHarness(1 << 30, { deps, close: async () => {} });
    let vol: Volume = makeVolume('sda', 6, 3);
    let prev: Volume | undefined;
    // rp-1 in January (the base), rp-2 and rp-3 on two days of February, each changing an extent.
    for (const [n, when] of [[1, Date.UTC(2026, 0, 10, 12)], [2, Date.UTC(2026, 1, 3, 12)], [3, Date.UTC(2026, 1, 4, 12)]] as const) {
      clock.now = when;
      if (prev) { vol = { name: 'sda', bytes: Buffer.from(prev.bytes) }; vol.bytes.fill(n, n * 65_536, n * 65_536 + 30_000); }
      if (n === 1) assert.equal((await h.call(h.tenantA, 'PUT', `/v1/machines/${M}`, { volumes: [{ name: 'sda', sizeBytes: vol.bytes.length }] })).status, 201);
      const r = await replicate(h, h.tenantA, M, `rp-${n}`, buildRp([vol], prev ? [prev] : undefined), n > 1 ? `rp-${n - 1}` : undefined);
      assert.equal(r.status, 201, r.body.toString());
      prev = vol;
    }
    await h.project();
    clock.now = Date.UTC(2026, 1, 5, 12);
    assert.equal((await h.admin('PUT', `/v1/admin/tenants/${h.tenantA}/retention`, { keep: { last: 1, daily: 1, monthly: 2 }, binDays: 7 })).status, 200);
  });
  after(async () => { await h?.close(); });

  const objectsOf = async (rpId: string): Promise<Set<string>> => {
    const keys = new Set<string>();
    for (const rp of await committedChain(h.deps, h.tenantA, M, rpId, { fresh: true })) {
      for (let n = 0; n < rp.index!.firstChunks.length; n++) {
        const key = rpIndexKey(h.tenantA, rp.rpId, n, rp.index!.generation);
        keys.add(key);
        const part = RpIndexPart.decode(await h.deps.blobs.get(key));
        for (let i = 0; i < part.count; i++) keys.add(packKey(h.tenantA, part.entry(i).pack));
      }
    }
    return keys;
  };

  it('locks every object of each kept chain until the latest date of the RPs that read it; the monthly base outlasts the daily', async () => {
    const report = await runRetention(h.deps, h.tenantA);
    const m = report.machines[0]!;
    assert.deepEqual(m.failed, []);
    const kept = new Map(m.kept.map((k) => [k.rpId, k]));
    assert.deepEqual([...kept.keys()].sort(), ['rp-1', 'rp-2', 'rp-3'], 'last → rp-3, daily → rp-2, monthly → rp-1 (January) and February (covered)');
    assert.equal(kept.get('rp-1')!.by, 'monthly');
    assert.deepEqual(m.locked?.map((l) => l.rpId).sort(), ['rp-1', 'rp-2', 'rp-3']);
    const now = new Date(clock.now).toISOString();
    const expected = new Map<string, number>();
    for (const k of kept.values()) {
      const until = lockUntil(k.by as 'monthly', k.committedAt, now, retention).getTime();
      for (const key of await objectsOf(k.rpId)) expected.set(key, Math.max(expected.get(key) ?? 0, until));
    }
    assert.ok(expected.size > 3);
    for (const [key, until] of expected) assert.equal(s3.until.get(key)?.getTime(), until, `${key} locked until the latest class that reads it`);
    const baseOnly = [...await objectsOf('rp-1')];
    const dailyOwn = [...await objectsOf('rp-2')].filter((k) => !baseOnly.includes(k));
    assert.ok(dailyOwn.length > 0);
    const minBase = Math.min(...baseOnly.map((k) => s3.until.get(k)!.getTime()));
    const maxDaily = Math.max(...dailyOwn.map((k) => s3.until.get(k)!.getTime()));
    assert.ok(minBase > maxDaily, 'every object of the monthly base is locked longer than anything only the daily and the last read');
    assert.ok(new Date(minBase).toISOString() >= '2026-03-17', `the monthly: 2 months from 10 January plus the bin (${new Date(minBase).toISOString()})`);
  });

  it('a second run sends nothing', async () => {
    const puts = s3.puts.length;
    const m = (await runRetention(h.deps, h.tenantA)).machines[0]!;
    assert.deepEqual(m.locked, []);
    assert.equal(s3.puts.length, puts);
  });

  it('without ObjectLocks (the local runtime) there is no lock step', async () => {
    const { objectLocks: _locks, ...plain } = h.deps;
    const m = (await runRetention(plain, h.tenantA)).machines[0]!;
    assert.equal(m.locked, undefined);
  });
});
