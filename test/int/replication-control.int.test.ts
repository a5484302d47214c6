/**
 * The operator's control of incoming replication through the admin API (issue 13): a machine's
 * pause (423 with scope machine, the tenant's other machines go on), a tenant's lease end (403
 * Lease Ended for writes, reads kept), refusals of bad input that change nothing, and the RPO:
 * the lag report, the RPO job's MachineRpoExceeded with its notification, its MachineRpoRestored
 * — with the clock injected.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { streams } from '../../shared/ids.js';
import { localDeps } from '../../shared/runtime/local-deps.js';
import { runRpoJob } from '../../shared/app/lifecycle/rpo-job.js';
import { buildRp, makeVolume, packsOf, readChunks, replicate, startHarness, type Harness } from '../support/replication-api-harness.js';

const P = 'https://drcore.dev/problems/';
let now = new Date('2026-12-01T12:00:00.000Z');

describe('replication control: machine pause, lease, RPO', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness(1 << 30, {
      deps: (dataDir) => Object.assign(localDeps(dataDir), { clock: () => now }),
      close: async () => {},
    });
  });
  after(async () => { await h?.close(); });

  it('a paused machine gets 423 Replication Paused (scope machine, Retry-After); another machine of the tenant replicates; resumed, it goes on', async () => {
    const t = h.tenantA;
    for (const m of ['m-p1', 'm-p2']) assert.equal((await h.call(t, 'PUT', `/v1/machines/${m}`, {})).status, 201);
    const p = await h.admin('POST', `/v1/admin/tenants/${t}/machines/m-p1/replication/pause`, { reason: 'disk replacement' });
    assert.equal(p.status, 200, p.body.toString());
    assert.deepEqual([p.json['machineId'], p.json['paused'], p.json['pausedReason']], ['m-p1', true, 'disk replacement']);
    const [pack] = packsOf(buildRp([makeVolume('sda', 1, 31)]).chunks.values());
    const refused = await h.call(t, 'PUT', `/v1/machines/m-p1/recovery-points/rp-p1/packs/${pack!.id}`, pack!.bytes);
    assert.equal(refused.status, 423);
    assert.equal(refused.headers['content-type'], 'application/problem+json');
    assert.equal(refused.headers['retry-after'], '30');
    assert.deepEqual([refused.json['type'], refused.json['pausedReason'], refused.json['scope']], [`${P}replication-paused`, 'disk replacement', 'machine']);
    const blobsBefore = await h.blobCount();
    assert.equal((await h.call(t, 'POST', '/v1/machines/m-p1/recovery-points/rp-p1/missing', { chunks: [pack!.id] })).status, 423);
    assert.equal(await h.blobCount(), blobsBefore, 'nothing stored while paused');
    assert.equal((await replicate(h, t, 'm-p2', 'rp-p2', buildRp([makeVolume('sda', 2, 32)]))).status, 201, 'the other machine replicates');
    assert.equal((await h.admin('POST', `/v1/admin/tenants/${t}/machines/m-p1/replication/resume`, {})).json['paused'], false);
    assert.equal((await h.call(t, 'PUT', `/v1/machines/m-p1/recovery-points/rp-p1/packs/${pack!.id}`, pack!.bytes)).status, 201);
    const types = (await h.deps.events.readStream(streams.machine(t, 'm-p1'))).map((e) => e.type);
    assert.deepEqual(types, ['MachineRegistered', 'MachineReplicationPaused', 'MachineReplicationResumed']);
  });

  it("the operator's per-tenant bandwidth limit is told to the source on every pack answer (x-drcore-bandwidth-limit; 0: none)", async () => {
    const t = h.tenantA;
    assert.equal((await h.call(t, 'PUT', '/v1/machines/m-bw', {})).status, 201);
    const set = await h.admin('PUT', `/v1/admin/tenants/${t}/bandwidth`, { bytesPerSecond: 1_250_000 });
    assert.equal(set.json['bandwidthLimitBytesPerSecond'], 1_250_000, set.body.toString());
    const [p1, p2] = packsOf(buildRp([makeVolume('sda', 2, 51)]).chunks.values(), 1);
    const limited = await h.call(t, 'PUT', `/v1/machines/m-bw/recovery-points/rp-bw/packs/${p1!.id}`, p1!.bytes);
    assert.deepEqual([limited.status, limited.headers['x-drcore-bandwidth-limit']], [201, '1250000']);
    assert.equal((await h.admin('PUT', `/v1/admin/tenants/${t}/bandwidth`, { bytesPerSecond: null })).status, 200);
    const free = await h.call(t, 'PUT', `/v1/machines/m-bw/recovery-points/rp-bw/packs/${p2!.id}`, p2!.bytes);
    assert.equal(free.headers['x-drcore-bandwidth-limit'], '0');
    const types = (await h.deps.events.readStream(streams.tenant(t))).map((e) => e.type);
    assert.deepEqual(types.filter((ty) => ty === 'TenantBandwidthLimitChanged').length, 2);
  });

  it('bad input is a 4xx problem and appends nothing', async () => {
    const t = h.tenantA;
    const size = await h.logSize();
    const cases: [string, string, unknown, number][] = [
      ['POST', `/v1/admin/tenants/${t}/replication/pause`, {}, 400],
      ['POST', `/v1/admin/tenants/${t}/replication/pause`, { reason: 'x\u0007' }, 400],
      ['POST', `/v1/admin/tenants/${t}/replication/resume`, {}, 409],
      ['POST', '/v1/admin/tenants/t-nobody/replication/pause', { reason: 'x' }, 404],
      ['POST', `/v1/admin/tenants/${t}/machines/m-none/replication/pause`, { reason: 'x' }, 404],
      ['PUT', `/v1/admin/tenants/${t}/lease`, { leaseEndsAt: 'next tuesday' }, 400],
      ['PUT', `/v1/admin/tenants/${t}/rpo`, { rpoTargetSeconds: 5 }, 400],
      ['PUT', `/v1/admin/tenants/${t}/bandwidth`, { bytesPerSecond: 100 }, 400],
      ['GET', '/v1/admin/lag?tenant=../x', undefined, 400],
    ];
    for (const [method, path, body, status] of cases) {
      const r = await h.admin(method, path, body);
      assert.equal(r.status, status, `${method} ${path} ${JSON.stringify(body)}: ${r.body.toString()}`);
      assert.equal(r.headers['content-type'], 'application/problem+json');
    }
    assert.equal(await h.logSize(), size, 'nothing appended');
  });

  it('after its lease end a tenant cannot write (403 Lease Ended) but restores; the lease moved out, it writes again', async () => {
    const t = h.tenantB;
    assert.equal((await h.call(t, 'PUT', '/v1/machines/m-l', {})).status, 201);
    const base = buildRp([makeVolume('sda', 2, 41)]);
    assert.equal((await replicate(h, t, 'm-l', 'rp-l1', base)).status, 201);
    const set = await h.admin('PUT', `/v1/admin/tenants/${t}/lease`, { leaseEndsAt: '2026-12-31T00:00:00Z' });
    assert.equal(set.json['leaseEndsAt'], '2026-12-31T00:00:00Z');
    const [pack] = packsOf(buildRp([makeVolume('sdb', 1, 42)]).chunks.values());
    now = new Date('2027-01-02T00:00:00.000Z');
    try {
      const refused = await h.call(t, 'PUT', `/v1/machines/m-l/recovery-points/rp-l2/packs/${pack!.id}`, pack!.bytes);
      assert.equal(refused.status, 403);
      assert.deepEqual([refused.json['type'], refused.json['leaseEndsAt']], [`${P}lease-ended`, '2026-12-31T00:00:00Z']);
      assert.match(String(refused.json['detail']), /restores keep working/);
      assert.equal((await readChunks(h, t, 'm-l', 'rp-l1', [base.manifest])).status, 200, 'reads keep working');
      assert.equal((await h.admin('PUT', `/v1/admin/tenants/${t}/lease`, { leaseEndsAt: '2027-12-31T00:00:00Z' })).status, 200);
      assert.equal((await h.call(t, 'PUT', `/v1/machines/m-l/recovery-points/rp-l2/packs/${pack!.id}`, pack!.bytes)).status, 201);
    } finally {
      now = new Date('2026-12-01T12:00:00.000Z');
    }
  });

  it('RPO: the lag report, MachineRpoExceeded with a notification once, MachineRpoRestored after a new RP', async () => {
    const t = h.tenantA;
    now = new Date('2026-12-01T12:00:00.000Z');
    const rpo = await h.admin('PUT', `/v1/admin/tenants/${t}/rpo`, { rpoTargetSeconds: 3600 });
    assert.equal(rpo.json['rpoTargetSeconds'], 3600);
    await h.project();
    const m = 'm-p2'; // its RP rp-p2 was committed at 12:00
    const lagAt = async () => ((await h.admin('GET', `/v1/admin/lag?tenant=${t}`)).json.items ?? []).find((i) => i['machineId'] === m)!;
    assert.deepEqual([(await lagAt())['compliance'], (await lagAt())['lagSeconds']], ['within', 0]);

    now = new Date('2026-12-01T13:30:00.000Z'); // 1.5 h: exceeded
    const first = await runRpoJob(h.deps);
    assert.ok(first.changed.some((c) => c.machineId === m && c.compliance === 'exceeded'));
    await h.project();
    const lag = await lagAt();
    assert.deepEqual([lag['compliance'], lag['lagSeconds'], lag['rpoTargetSeconds']], ['exceeded', 5400, 3600]);
    const notes = (await h.deps.notifier.recent(50)).filter((n) => n.kind === 'rpo-exceeded' && n.subject.includes(m));
    assert.equal(notes.length, 1);
    assert.match(notes[0]!.body, /1\.5 h ago, against an RPO target of 1\.0 h \(exceeded\)/);

    const again = await runRpoJob(h.deps);
    assert.ok(!again.changed.some((c) => c.machineId === m), 'still exceeded: no new event');
    now = new Date('2026-12-01T17:00:00.000Z'); // 5 h: critical
    await runRpoJob(h.deps);
    assert.equal((await h.deps.notifier.recent(50)).filter((n) => n.kind === 'rpo-exceeded' && n.subject.includes(m)).length, 2, 'worse: notified again');

    assert.equal((await replicate(h, t, m, 'rp-p3', buildRp([makeVolume('sda', 2, 33)]))).status, 201);
    await h.project();
    await runRpoJob(h.deps);
    const types = (await h.deps.events.readStream(streams.machine(t, m))).map((e) => e.type);
    assert.deepEqual(types.filter((ty) => ty.startsWith('MachineRpo')), ['MachineRpoExceeded', 'MachineRpoExceeded', 'MachineRpoRestored']);
  });
});
