/**
 * `drcore serve` runs the lifecycle jobs on its own schedule (local/lifecycle-scheduler.ts), on
 * the deps clock: an operator-deleted RP whose bin period is over is purged by the next tick,
 * with no request from anyone.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serve, type RunningCore } from '../../local/serve.js';
import type { AppDeps } from '../../shared/app/deps.js';
import { deleteRecoveryPoint } from '../../shared/app/lifecycle/recycle-bin.js';
import { recoveryPointHandler, tenantHandler } from '../../shared/app/handlers.js';
import { localDeps } from '../../shared/runtime/local-deps.js';
import { eventually } from '../support/in-process-core.js';
import { makeHandler as lifecycleJob } from '../../functions/handlers/lifecycle-job.js';
import { lambdaContext } from '../../local/lambda-context.js';

const DAY = 86_400_000;
const clock = { now: Date.UTC(2025, 0, 1) };

describe('drcore serve: the lifecycle schedule', () => {
  let dir: string;
  let core: RunningCore;
  const tenantId = 't-sched';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'drcore-lifecycle-'));
    const deps = (dataDir: string): AppDeps => {
      const base = localDeps(dataDir);
      return {
        events: base.events, blobs: base.blobs, queue: base.queue, readModels: base.readModels, operational: base.operational, notifier: base.notifier,
        get ca() { return base.ca; }, clock: () => new Date(clock.now), newId: base.newId,
      };
    };
    core = await serve({ dataDir: join(dir, 'data'), host: '127.0.0.1', port: 0, hostnames: [], deps, lifecycleIntervalMs: 25 });
  });
  after(async () => { await core?.stop(); await rm(dir, { recursive: true, force: true }); });

  it('purges an RP whose bin period ended, on a tick of the schedule', async () => {
    const d = core.deps;
    await tenantHandler(d, tenantId, { type: 'CreateTenant', data: { tenantId, name: 'Sched', email: 's@example.com', quotaBytes: 1 << 30, pairingRequestId: 'pr-s', coreId: 'c-s' } }, 'test');
    await recoveryPointHandler(d, { tenantId, rpId: 'rp-1' }, {
      type: 'CommitRecoveryPoint', quota: { quotaBytes: 1 << 30, usedBytes: 0 },
      data: { tenantId, machineId: 'm1', rpId: 'rp-1', kind: 'base', manifest: 'a'.repeat(64), volumes: [{ name: 'sda', sizeBytes: 1 << 20 }], chunkCount: 1, referencedBytes: 1, addedBytes: 1, index: { firstChunks: ['a'.repeat(64)] } },
    }, 'test');
    await deleteRecoveryPoint(d, tenantId, 'rp-1', { confirmRpId: 'rp-1', note: 'test' }, '00ad', 'test');
    // The projector (serve's stream dispatcher) lists the tenant and the RP for the job.
    await eventually(async () => ((await d.readModels.list<{ rpId: string }>('recovery-points')).length ? true : undefined), 10_000, 'the RP projected');
    const state = async () => (await recoveryPointHandler.load(d, { tenantId, rpId: 'rp-1' })).state;
    await new Promise((r) => setTimeout(r, 100));
    const s = await state();
    assert.ok(s.status === 'committed' && s.life?.bin && !s.life.purgedAt, 'in the bin: ticks before its period ends purge nothing');
    clock.now += 14 * DAY;
    await eventually(async () => { const x = await state(); return x.status === 'committed' && x.life?.purgedAt ? true : undefined; }, 10_000, 'the purge by a tick');
  });

  it('the lifecycle function refuses an event that is not a job it knows (nothing runs)', async () => {
    const handler = lifecycleJob(core.deps);
    await assert.rejects(handler({ job: 'gc-everything' }, lambdaContext('lifecycle-job')));
    await assert.rejects(handler({ job: 'retention', extra: 1 }, lambdaContext('lifecycle-job')));
    const r = await handler({ job: 'retention' }, lambdaContext('lifecycle-job', 900_000));
    assert.ok('unfinished' in r, 'the retention job answers its report');
    assert.deepEqual([r.unfinished, r.failed], [[], []]);
  });
});
