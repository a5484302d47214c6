/**
 * The verify job over the real handlers and local adapters (SQLite, files): it re-reads every
 * chunk of every committed RP through the RP indexes, by range, and re-hashes it. A flipped byte
 * in a stored pack becomes one `ChunkCorrupted` naming the RPs it breaks (the RP holding it and
 * the incremental that still resolves its extent through it, not the one that overwrote it), a
 * damaged record (`missing` lists it, the next upload of it heals it), a `damaged` result for
 * the RP, and shows in the verify views. A missing pack is `missing`. Reads are paced by the
 * read-rate limit on an injected clock, and a run resumes from its cursor step after step.
 * Run on the local adapters (SQLite, files) and on the AWS adapters against the emulators
 * (dynalite, s3rver, local-aws-sqs: test/support/aws-harness-adapters.ts); there, a signed log
 * checkpoint goes to its own bucket and the log verifies against it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { damagedCollection } from '../../shared/app/replication/damage.js';
import { packKey } from '../../shared/app/replication/storage.js';
import { uploadedChunks } from '../../shared/app/replication/upload-records.js';
import { verifyRun, verifyStep } from '../../shared/app/lifecycle/verify/verify-job.js';
import { verifyStatus } from '../../shared/app/lifecycle/verify/verify-views.js';
import type { ChunkLocation } from '../../shared/format/rp-index.js';
import { streams } from '../../shared/ids.js';
import { newestCheckpoint } from '../../shared/app/log-anchor-check.js';
import { writeLogCheckpoint } from '../../shared/app/log-anchor.js';
import { verifyLog } from '../../shared/app/verify-log.js';
import { LifecycleMessage } from '../../shared/app/workflows/lifecycle-messages.js';
import { runLifecycleWorkflow } from '../../shared/app/workflows/lifecycle-workflow.js';
import { awsHarnessAdapters } from '../support/aws-harness-adapters.js';
import { GEOMETRY, buildRp, makeVolume, replicate, restore, startHarness, type Harness, type Volume } from '../support/replication-api-harness.js';

verifySuite('local adapters', () => startHarness());
verifySuite('AWS adapters on dynalite, s3rver and local-aws-sqs', async () => startHarness(1 << 30, await awsHarnessAdapters()));

function verifySuite(name: string, start: () => Promise<Harness>): void {
describe(`the verify job (${name})`, () => {
  let h: Harness;
  let A: string;
  const M = 'db-01';
  const E = GEOMETRY.extentSize;
  let base: Volume[];
  let inc1: Volume[];
  let inc2: Volume[];
  let target: { id: string; location: ChunkLocation };

  before(async () => {
    h = await start();
    A = h.tenantA;
    assert.equal((await h.call(A, 'PUT', `/v1/machines/${M}`, {})).status, 201);
    base = [makeVolume('sda', 8, 0)];
    // rp-2 changes extent 5 only; rp-3 rewrites extent 0 whole (FULL): extent 0 of rp-1 is then needed by rp-1 and rp-2 only.
    inc1 = [{ name: 'sda', bytes: Buffer.from(base[0]!.bytes) }];
    inc1[0]!.bytes.fill(7, 5 * E + 10, 5 * E + 200);
    inc2 = [{ name: 'sda', bytes: Buffer.from(inc1[0]!.bytes) }];
    inc2[0]!.bytes.fill(9, 0, E);
    assert.equal((await replicate(h, A, M, 'rp-1', buildRp(base))).status, 201);
    assert.equal((await replicate(h, A, M, 'rp-2', buildRp(inc1, base), 'rp-1')).status, 201);
    assert.equal((await replicate(h, A, M, 'rp-3', buildRp(inc2, inc1), 'rp-2')).status, 201);
    await h.project();
    const chunk0 = buildRp(base).chunks; // extent 0 of the base is a FULL chunk: find it by its bytes' manifest entry
    const rp1 = await uploadedChunks(h.deps, A, 'rp-1');
    const id = [...chunk0.keys()].find((k) => rp1.chunks.has(k) && chunk0.get(k)!.length > 1000 && k !== buildRp(base).manifest)!;
    target = { id, location: rp1.chunks.get(id)! };
  });
  after(async () => { await h.close(); });

  /** A byte of the stored pack flipped, as bit rot would (the object replaced behind the data plane's back, through the port). */
  const flip = async (l: ChunkLocation) => {
    const key = packKey(A, l.pack);
    const bytes = Buffer.from(await h.deps.blobs.get(key));
    bytes[l.offset + 5] = (bytes[l.offset + 5] ?? 0) ^ 0x40;
    await h.deps.blobs.delete(key);
    await h.deps.blobs.put(key, bytes);
  };

  it('verifies every chunk of every RP of a healthy tenant: one ok result per RP, nothing damaged', async () => {
    const steps = await verifyRun(h.deps, { runId: 'run-ok', tenantId: A, budgetMs: 60_000 }, 'system:test');
    const verified = steps.flatMap((s) => s.verified);
    assert.deepEqual(verified.map((v) => [v.rpId, v.result]), [['rp-1', 'ok'], ['rp-2', 'ok'], ['rp-3', 'ok']]);
    for (const rpId of ['rp-1', 'rp-2', 'rp-3']) {
      const events = await h.deps.events.readStream(streams.verification(A, rpId));
      assert.equal(events.length, 1);
      assert.equal(events[0]!.type, 'RecoveryPointVerified');
      const rp = await h.call(A, 'GET', `/v1/machines/${M}/recovery-points/${rpId}`);
      assert.equal((events[0]!.data as { chunks: number }).chunks, rp.json['chunkCount'], `${rpId}: every chunk of its index`);
      assert.equal((events[0]!.data as { bytes: number }).bytes, rp.json['referencedBytes']);
    }
    assert.equal(steps.flatMap((s) => s.damaged).length, 0);
    // The same run again records nothing twice; a run with olderThanDays skips what it just verified.
    const again = await verifyRun(h.deps, { runId: 'run-ok', tenantId: A, budgetMs: 60_000 }, 'system:test');
    assert.equal(again.flatMap((s) => s.verified).length, 0);
    const fresh = await verifyRun(h.deps, { runId: 'run-fresh', tenantId: A, olderThanDays: 7, budgetMs: 60_000 }, 'system:test');
    assert.equal(fresh[0]!.skipped.fresh, 3);
    assert.equal((await h.deps.events.readStream(streams.verification(A, 'rp-1'))).length, 1);
  });

  it('a flipped byte: ChunkCorrupted naming the RPs it breaks, a damaged result, a damaged record, and the views show it', async () => {
    await flip(target.location);
    const steps = await verifyRun(h.deps, { runId: 'run-bad', tenantId: A, budgetMs: 60_000 }, 'admin:00ad');
    const results = Object.fromEntries(steps.flatMap((s) => s.verified).map((v) => [v.rpId, v]));
    assert.equal(results['rp-1']?.result, 'damaged');
    assert.equal(results['rp-1']?.badChunkCount, 1);
    assert.equal(results['rp-2']?.result, 'ok', 'its own chunks are intact');
    const found = (await h.deps.events.readStream(streams.chunk(A, target.id))).filter((e) => e.type === 'ChunkCorrupted');
    assert.equal(found.length, 1);
    const data = found[0]!.data as { rps: string[]; problem: string; rpId: string; pack: string; actualSha256: string };
    assert.equal(data.problem, 'corrupt');
    assert.equal(data.rpId, 'rp-1');
    assert.equal(data.pack, target.location.pack);
    assert.match(data.actualSha256, /^[0-9a-f]{64}$/);
    assert.deepEqual(data.rps, ['rp-1', 'rp-2'], 'rp-3 rewrote that extent: it does not need the chunk');
    assert.ok(await h.deps.operational.get(damagedCollection(A), target.id), 'a damaged record');
    const missing = await h.call(A, 'POST', `/v1/machines/${M}/recovery-points/rp-1/missing`, { chunks: [target.id] });
    assert.deepEqual(missing.json['missing'], [target.id], '`missing` asks for it again');

    await h.project();
    const status = await verifyStatus(h.deps, A);
    const rps = Object.fromEntries(status.machines[0]!.recoveryPoints.map((r) => [r.rpId, r]));
    assert.equal(rps['rp-1']?.verification?.result, 'damaged');
    assert.deepEqual(rps['rp-1']?.brokenBy, [target.id]);
    assert.deepEqual(rps['rp-2']?.brokenBy, [target.id]);
    assert.deepEqual(rps['rp-3']?.brokenBy, []);
    assert.deepEqual(status.damagedChunks.map((d) => [d.chunk, d.problem, d.rps]), [[target.id, 'corrupt', ['rp-1', 'rp-2']]]);

    // A second run finds the same copy again: the result is recorded, the finding is not repeated.
    await verifyRun(h.deps, { runId: 'run-bad-2', tenantId: A, budgetMs: 60_000 }, 'admin:00ad');
    assert.equal((await h.deps.events.readStream(streams.chunk(A, target.id))).filter((e) => e.type === 'ChunkCorrupted').length, 1);
  });

  it('a re-sent copy heals it: the next run verifies it ok through the healed copy, and every RP restores byte-identical', async () => {
    assert.equal((await replicate(h, A, M, 'rp-1', buildRp(base))).status, 200, 'the source re-sends what `missing` lists');
    const types = (await h.deps.events.readStream(streams.chunk(A, target.id))).map((e) => e.type);
    assert.equal(types.at(-1), 'ChunkHealed');
    const steps = await verifyRun(h.deps, { runId: 'run-healed', tenantId: A, budgetMs: 60_000 }, 'system:test');
    assert.deepEqual(steps.flatMap((s) => s.verified).map((v) => [v.rpId, v.result]), [['rp-1', 'ok'], ['rp-2', 'ok'], ['rp-3', 'ok']]);
    await h.project();
    assert.deepEqual((await verifyStatus(h.deps, A)).damagedChunks, []);
    for (const [rpId, vols] of [['rp-1', base], ['rp-2', inc1], ['rp-3', inc2]] as const) {
      const got = await restore(h, A, M, rpId);
      assert.ok(got.get('sda')?.equals(vols[0]!.bytes), `${rpId} byte-identical`);
    }
  });

  it('a pack that is gone: its chunks are `missing`', async () => {
    const volumes = [makeVolume('sdz', 3, 3)];
    assert.equal((await h.call(A, 'PUT', '/v1/machines/db-02', {})).status, 201);
    assert.equal((await replicate(h, A, 'db-02', 'rp-z', buildRp(volumes))).status, 201);
    await h.project();
    const { chunks } = await uploadedChunks(h.deps, A, 'rp-z');
    const pack = [...chunks.values()][0]!.pack;
    await h.deps.blobs.delete(packKey(A, pack)); // lost (as if GC or an operator removed it)
    const steps = await verifyRun(h.deps, { runId: 'run-gone', tenantId: A, budgetMs: 60_000 }, 'system:test');
    const z = steps.flatMap((s) => s.verified).find((v) => v.rpId === 'rp-z');
    assert.equal(z?.result, 'damaged');
    const notes = steps.flatMap((s) => s.damaged).filter((d) => d.rpId === 'rp-z');
    assert.ok(notes.length > 0 && notes.every((d) => d.problem === 'missing'), JSON.stringify(notes));
    assert.equal(notes.length, [...chunks.values()].filter((l) => l.pack === pack).length);
  });

  it('paces its reads at the read rate (injected clock and sleep) and resumes from its cursor after every pack', async () => {
    let nowMs = Date.parse('2026-06-01T00:00:00.000Z');
    const slept: number[] = [];
    const deps = { ...h.deps, clock: () => new Date(nowMs) };
    const sleep = async (ms: number) => { slept.push(ms); nowMs += ms; };
    const rate = 1024 * 1024; // 1 MiB/s
    const steps: Awaited<ReturnType<typeof verifyStep>>[] = [];
    let cursor: string | undefined;
    do {
      // A budget of 0 ms: every step stops after one pack (or one RP skipped), and the next continues.
      const step = await verifyStep(deps, { runId: 'run-paced', tenantId: A, rateBytesPerSecond: rate, budgetMs: 0, cursor }, 'system:test', sleep);
      steps.push(step);
      cursor = step.next;
      assert.ok(steps.length < 500, 'the run ends');
    } while (cursor);
    const bytes = steps.reduce((n, s) => n + s.bytesRead, 0);
    const waited = slept.reduce((n, s) => n + s, 0);
    assert.ok(steps.length > 5, `several steps (${steps.length})`);
    const verified = steps.flatMap((s) => s.verified).map((v) => v.rpId);
    assert.deepEqual(verified, ['rp-1', 'rp-2', 'rp-3', 'rp-z'], 'each RP once, in order, across steps');
    const rp1 = await h.deps.events.readStream(streams.verification(A, 'rp-1'));
    const last = rp1.at(-1)!.data as { chunks: number; indexSha256: string };
    const first = rp1[0]!.data as { chunks: number; indexSha256: string };
    assert.equal(last.chunks, first.chunks, 'a resumed RP counts every chunk once');
    assert.equal(last.indexSha256, first.indexSha256);
    // Each read waits for the bytes before it: the run took at least (bytes - last read) / rate.
    assert.ok(waited >= ((bytes - 256 * 1024) / rate) * 1000 * 0.99, `waited ${waited} ms for ${bytes} bytes`);
    assert.ok(waited <= (bytes / rate) * 1000 + 1, `not more than the rate asks (${waited} ms for ${bytes} bytes)`);
  });

  it('on the workflow worker (AWS: EventBridge starts it), each VerifyStep queues the next step of its run until the run is done', async () => {
    await h.deps.queue.send('workflow', JSON.stringify({ type: 'VerifyStep', tenantId: A }));
    const runs = new Set<string>();
    let steps = 0;
    for (;;) {
      const [m] = await h.deps.queue.receive('workflow', { maxMessages: 1, waitSeconds: 0 });
      if (!m) break;
      const message = LifecycleMessage.parse(JSON.parse(m.body));
      if (message.type === 'VerifyStep' && message.runId) runs.add(message.runId);
      // A budget of 0: each step does one pack (or one RP) and queues the rest.
      await runLifecycleWorkflow(h.deps, message, { verifyBudgetMs: 0 });
      await h.deps.queue.delete('workflow', m.receiptHandle);
      assert.ok(++steps < 500, 'the run ends');
    }
    assert.ok(steps > 3, `several steps (${steps})`);
    assert.equal(runs.size, 1, 'one run, carried from step to step');
    const [runId] = [...runs];
    for (const rpId of ['rp-1', 'rp-2', 'rp-3', 'rp-z']) {
      const events = await h.deps.events.readStream(streams.verification(A, rpId));
      assert.equal(events.filter((e) => (e.data as { runId: string }).runId === runId).length, 1, `${rpId} verified once by the run`);
    }
  });

  it('the admin API step refuses bad input with a 4xx problem and appends nothing', async () => {
    const before = await h.logSize();
    const cases: [Record<string, unknown>, number][] = [
      [{ rateBytesPerSecond: 1000 }, 400], [{ cursor: 'bm90' }, 422], [{ tenantId: 'nobody' }, 404], [{ tenantId: '../x' }, 400], [{ extra: 1 }, 400], [{ olderThanDays: -1 }, 400],
    ];
    for (const [body, status] of cases) {
      const r = await h.admin('POST', '/v1/admin/verification', body);
      assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.body.toString()}`);
      assert.match(r.headers['content-type'] ?? '', /application\/problem\+json/);
    }
    assert.equal(await h.logSize(), before);
  });

  it('refuses a cursor it did not make', async () => {
    await assert.rejects(verifyStep(h.deps, { runId: 'r', budgetMs: 10, cursor: 'bm90IGEgY3Vyc29y' }, 'system:test'), /not a cursor/);
  });

  it('a signed checkpoint of every stream head goes to the log anchors, and the log verifies against it', async () => {
    const anchors = h.deps.logAnchors!;
    const written = await writeLogCheckpoint(h.deps, anchors);
    assert.ok(written && written.checkpoint.heads.some(([s]) => s === streams.verification(A, 'rp-1')), 'the verification streams are anchored too');
    const newest = await newestCheckpoint(anchors, await h.deps.ca.caCertificatePem());
    assert.equal(newest?.name, written.name);
    const result = await verifyLog(h.deps.events, { anchor: newest ?? null });
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.equal(result.anchor?.streams, written.checkpoint.heads.length);
  });
});
}
