/**
 * GC as it runs in production (issue 11 item 2): the admin API starts a run
 * (`POST /v1/admin/tenants/{id}/gc` → 202, `GcRunStarted`), the outbox of the projector turns
 * each of its events into the next step's workflow message (the settle as a queue delay), and
 * the workflow worker runs one step per message — the local stream dispatcher and queue
 * poller with the real projector and worker handlers, as `drcore serve` runs them and as
 * DynamoDB Streams and SQS do on AWS. `GET …/gc` shows the run, then what it freed. Bad
 * requests change nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startQueuePoller } from '../../local/queue-poller.js';
import { startStreamDispatcher } from '../../local/stream-dispatcher.js';
import { makeHandler as projector } from '../../functions/handlers/projector.js';
import { makeHandler as workflowWorker } from '../../functions/handlers/workflow-worker.js';
import { makeVolume } from '../support/replication-api-harness.js';
import { buildRp, DAY_MS, localGcHarness, packStored, storeRp, sum, uploadRp, usedBytes, type GcHarness } from '../support/gc-scenario.js';

describe('GC through the admin API, the outbox and the workflow worker (local runtime)', () => {
  let g: GcHarness;
  let stop: () => Promise<void> = async () => {};
  before(async () => { g = await localGcHarness(); });
  after(async () => { await stop(); await g?.h.close(); });

  it('a started run steps itself to its end off the queue and reports what it freed; a second start while it runs is 409', async () => {
    const { h, clock } = g;
    const T = h.tenantA;
    await storeRp(h, T, 'm1', 'rp-1', buildRp([makeVolume('sda', 4, 1)]));
    const abandoned = await uploadRp(h, T, 'm1', 'rp-abandoned', buildRp([makeVolume('sda', 4, 2)]));
    clock.offsetMs = 2 * DAY_MS;
    const used = await usedBytes(h.deps, T);
    await h.project(); // read models up to now, so the dispatcher below starts from here
    const dispatcher = startStreamDispatcher(h.deps.events, h.deps.operational, projector(h.deps), { idleMs: 20 });
    const poller = startQueuePoller(h.deps.queue, 'workflow', workflowWorker(h.deps), { idleMs: 20 });
    stop = async () => { await Promise.all([dispatcher.stop(), poller.stop()]); };

    const started = await h.admin('POST', `/v1/admin/tenants/${T}/gc`, { graceSeconds: 86_400, settleSeconds: 1 });
    assert.equal(started.status, 202, started.body.toString());
    const runId = started.json['runId'] as string;
    assert.match(runId, /^gc-/);
    const again = await h.admin('POST', `/v1/admin/tenants/${T}/gc`, {});
    assert.equal(again.status, 409, 'one run at a time');
    let status: Record<string, unknown> = {};
    const seenPhases = new Set<string>();
    for (let i = 0; i < 600; i++) {
      status = (await h.admin('GET', `/v1/admin/tenants/${T}/gc`)).json;
      if (typeof status['phase'] === 'string') seenPhases.add(status['phase']);
      if (status['status'] === 'idle') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(status['status'], 'idle', `the run ended (phases seen: ${[...seenPhases].join(', ')})`);
    const last = status['last'] as { runId: string; counters: Record<string, number> };
    assert.equal(last.runId, runId);
    assert.equal(last.counters['freedBytes'], sum(abandoned));
    assert.equal(await usedBytes(h.deps, T), used - sum(abandoned));
    for (const p of abandoned) assert.equal(await packStored(h.deps, T, p.id), false);
  });

  it('refusals change nothing: an unknown tenant 404, a bad body 4xx, cancel of a run not under way 409', async () => {
    const { h } = g;
    const before = await h.logSize();
    assert.equal((await h.admin('POST', '/v1/admin/tenants/t-nobody/gc', {})).status, 404);
    assert.equal((await h.admin('GET', '/v1/admin/tenants/t-nobody/gc')).status, 404);
    const bad = await h.admin('POST', `/v1/admin/tenants/${h.tenantA}/gc`, { graceSeconds: -1 });
    assert.ok(bad.status >= 400 && bad.status < 500, `bad body: ${bad.status}`);
    assert.match(bad.headers['content-type'] ?? '', /problem\+json/);
    assert.equal((await h.admin('POST', `/v1/admin/tenants/${h.tenantA}/gc`, { surprise: true })).status >= 400, true);
    assert.equal((await h.admin('POST', `/v1/admin/tenants/${h.tenantA}/gc/cancel`, { runId: 'gc-none', reason: 'test' })).status, 409);
    assert.equal(await h.logSize(), before, 'nothing appended');
  });
});
