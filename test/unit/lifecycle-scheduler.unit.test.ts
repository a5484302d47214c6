/**
 * The local schedule of the lifecycle jobs (local/lifecycle-scheduler.ts): the EventBridge rule's
 * input every interval, one run at a time, a failed run logged and the schedule going on; stop()
 * waits for the run in progress; interval 0 ticks never, runNow() still runs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startLifecycleScheduler } from '../../local/lifecycle-scheduler.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('lifecycle scheduler', () => {
  it('calls the handler with { job: "retention" } every interval, never two runs at once, and goes on after a failure', async () => {
    const calls: unknown[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const s = startLifecycleScheduler(async (event, context) => {
      calls.push(event);
      assert.ok(context.getRemainingTimeInMillis() > 0);
      inFlight++; maxInFlight = Math.max(maxInFlight, inFlight);
      await sleep(15);
      inFlight--;
      if (calls.length === 1) throw new Error('first run fails');
    }, { intervalMs: 5, firstAfterMs: 1 });
    await sleep(120);
    await s.runNow();
    await s.stop();
    const n = calls.length;
    assert.ok(n >= 3, `ran ${n} times`);
    assert.deepEqual(calls[0], { job: 'retention' });
    assert.equal(maxInFlight, 1);
    await sleep(30);
    assert.equal(calls.length, n, 'nothing runs after stop()');
  });

  it('interval 0: no ticks, runNow() runs once', async () => {
    let calls = 0;
    const s = startLifecycleScheduler(async () => { calls++; }, { intervalMs: 0, firstAfterMs: 0 });
    await sleep(20);
    assert.equal(calls, 0);
    await s.runNow();
    assert.equal(calls, 1);
    await s.stop();
  });
});
