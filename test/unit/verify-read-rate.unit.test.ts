import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReadRate } from '../../shared/app/lifecycle/verify/read-rate.js';

/** A fake clock that only moves when someone sleeps. */
function pacing(start = 1_000_000) {
  const clock = { now: start, slept: [] as number[] };
  return { clock, pacing: { now: () => clock.now, sleep: async (ms: number) => { clock.slept.push(ms); clock.now += ms; } } };
}

describe('the verify job\'s read rate', () => {
  it('a read waits until the bytes read before it had their time at the rate', async () => {
    const { clock, pacing: p } = pacing();
    const rate = new ReadRate(1000, p); // 1000 B/s
    assert.equal(await rate.ready(), true);
    rate.spent(500);
    await rate.ready();
    assert.deepEqual(clock.slept, [500]);
    rate.spent(2000);
    await rate.ready();
    assert.deepEqual(clock.slept, [500, 2000]);
    assert.equal(rate.waitedMs, 2500);
  });

  it('no limit: never waits', async () => {
    const { clock, pacing: p } = pacing();
    for (const limit of [undefined, 0]) {
      const rate = new ReadRate(limit, p);
      rate.spent(10 ** 9);
      await rate.ready();
    }
    assert.deepEqual(clock.slept, []);
  });

  it('a pause banks at most one second of reading ahead', async () => {
    const { clock, pacing: p } = pacing();
    const rate = new ReadRate(1000, p);
    rate.spent(1000);
    clock.now += 60_000; // a minute idle
    rate.spent(3000); // counted from one second ago: due two seconds from now
    await rate.ready();
    assert.deepEqual(clock.slept, [2000]);
  });

  it('ready(until) does not wait past `until`: the step ends, and the pace goes on in the next step', async () => {
    const { clock, pacing: p } = pacing();
    const rate = new ReadRate(1000, p);
    rate.spent(5000);
    assert.equal(await rate.ready(clock.now + 1000), false);
    assert.deepEqual(clock.slept, [], 'nothing slept');
    const next = new ReadRate(1000, p, rate.resumeAt());
    assert.equal(await next.ready(), true);
    assert.deepEqual(clock.slept, [5000], 'the next step waits the debt out');
  });

  it('refuses a rate that is not a number of bytes per second', () => {
    const { pacing: p } = pacing();
    assert.throws(() => new ReadRate(-1, p), RangeError);
    assert.throws(() => new ReadRate(Number.NaN, p), RangeError);
  });
});
