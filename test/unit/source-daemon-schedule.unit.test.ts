/**
 * The source daemon's schedules, windows, configuration and status states (issue 13), pure:
 * times built in host local time, as the daemon reads them.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkConfig } from '../../source/daemon/config.js';
import { nextRun, parseInterval, parseSchedule } from '../../source/daemon/schedule.js';
import { inWindows, nextInWindows, parseWindow } from '../../source/daemon/windows.js';
import { statusRows } from '../../source/daemon/status-view.js';
import type { DaemonStatus } from '../../source/daemon/daemon-files.js';

// Tuesday 1 December 2026, local time (the 4th is a Friday, the 5th a Saturday, the 7th a Monday).
const at = (day: number, h: number, m = 0) => new Date(2026, 11, day, h, m);

describe('source daemon: windows', () => {
  it('weekday office hours, every day, across midnight', () => {
    const office = parseWindow('mon-fri 08:00-18:00');
    assert.equal(inWindows([office], at(1, 9)), true, 'Tuesday morning');
    assert.equal(inWindows([office], at(5, 9)), false, 'Saturday');
    assert.equal(inWindows([office], at(1, 18)), false, 'the end is exclusive');
    const night = parseWindow('22:00-06:00');
    assert.equal(inWindows([night], at(2, 23)), true);
    assert.equal(inWindows([night], at(3, 5, 59)), true, 'the next morning still');
    assert.equal(inWindows([night], at(3, 6)), false);
    assert.deepEqual(nextInWindows([night], at(3, 12)), at(3, 22));
    assert.deepEqual(nextInWindows([office], at(4, 19)), at(7, 8), 'Friday evening → Monday 08:00');
    assert.equal(inWindows([], at(1, 3)), true, 'no windows: always');
  });

  it('refuses what is not a window', () => {
    for (const bad of ['8-18', 'mon-fri', 'xyz 08:00-09:00', '08:00-08:00', '25:00-26:00']) assert.throws(() => parseWindow(bad), /window|time|days|empty/, bad);
  });
});

describe('source daemon: schedules', () => {
  it('every: at once the first time, then interval after the last start', () => {
    const s = parseSchedule({ every: '15m' });
    assert.deepEqual(nextRun(s, undefined, at(1, 10)), at(1, 10));
    assert.deepEqual(nextRun(s, at(1, 10), at(1, 10, 1)), at(1, 10, 15));
    assert.deepEqual(nextRun(s, at(1, 8), at(1, 10)), at(1, 10), 'overdue (the daemon was down): now, once');
  });

  it('times of day, the earlier of both, only inside windows', () => {
    const daily = parseSchedule({ at: ['02:00', '14:00'] });
    assert.deepEqual(nextRun(daily, at(1, 2), at(1, 3)), at(1, 14));
    assert.deepEqual(nextRun(daily, at(1, 14), at(1, 15)), at(2, 2));
    const both = parseSchedule({ every: '6h', at: ['12:00'] });
    assert.deepEqual(nextRun(both, at(1, 9), at(1, 9, 5)), at(1, 12));
    const windowed = parseSchedule({ every: '1h', windows: ['22:00-06:00'] });
    assert.deepEqual(nextRun(windowed, at(1, 5, 30), at(1, 5, 31)), at(1, 22), '06:30 is outside: the window opens at 22:00');
  });

  it('refuses bad intervals and empty schedules', () => {
    assert.equal(parseInterval('1h30m'), 5_400_000);
    assert.throws(() => parseInterval('15 minutes'), /not an interval/);
    assert.throws(() => parseSchedule({}), /needs "every" or "at"/);
    assert.throws(() => parseSchedule({ at: ['2am'] }), /not a time of day/);
  });
});

describe('source daemon: configuration', () => {
  it('checks machines, volumes and schedules, naming where it is wrong', () => {
    const c = checkConfig({ maxConcurrentMachines: 2, machines: [{ id: 'web-1', volumes: { sda: '/dev/sda' }, schedule: { every: '15m' } }] });
    assert.deepEqual([c.maxConcurrentMachines, c.parallel, c.machines[0]!.volumes], [2, 4, [{ name: 'sda', path: '/dev/sda' }]]);
    assert.throws(() => checkConfig({ machines: [] }), /machines/);
    assert.throws(() => checkConfig({ machines: [{ id: '../x', volumes: { sda: '/x' }, schedule: { every: '1m' } }] }), /machines\.0\.id/);
    assert.throws(() => checkConfig({ machines: [{ id: 'a', volumes: { sda: '/x' }, schedule: { every: 'soon' } }] }), /machines\.0\.schedule: "soon" is not an interval/);
    assert.throws(() => checkConfig({ machines: [{ id: 'a', volumes: { sda: '/x' }, schedule: { every: '1m' } }, { id: 'a', volumes: { sda: '/y' }, schedule: { every: '1m' } }] }), /appears twice/);
    assert.throws(() => checkConfig({ machines: [{ id: 'a', volumes: {}, schedule: { every: '1m' } }] }), /at least one volume/);
  });
});

describe('source daemon: status states and colours', () => {
  const now = new Date('2026-12-01T12:00:00.000Z');
  const base = (machines: DaemonStatus['machines'], heartbeatAt = '2026-12-01T11:59:58.000Z'): DaemonStatus => ({ pid: 1, startedAt: '2026-12-01T10:00:00.000Z', heartbeatAt, machines });
  it('online green, paused yellow, error red, offline grey; lag from the last commit', () => {
    const rows = statusRows(base({
      a: { machineId: 'a', state: 'idle', consecutiveFailures: 0, lastRpId: 'rp-1', lastCommittedAt: '2026-12-01T11:00:00.000Z', nextRunAt: '2026-12-01T12:15:00.000Z' },
      b: { machineId: 'b', state: 'paused', paused: { by: 'target', reason: 'maintenance' }, consecutiveFailures: 0 },
      c: { machineId: 'c', state: 'error', lastError: 'ENOENT /dev/x', consecutiveFailures: 2 },
    }), now, () => true);
    assert.deepEqual(rows.map((r) => [r.machineId, r.health, r.colour]), [['a', 'online', 'green'], ['b', 'paused', 'yellow'], ['c', 'error', 'red']]);
    assert.equal(rows[0]!.lagSeconds, 3600);
    assert.match(rows[1]!.detail, /by the service provider: maintenance/);
    assert.match(rows[2]!.detail, /failed \(2×\): ENOENT/);
    const stale = statusRows(base({ a: { machineId: 'a', state: 'running', consecutiveFailures: 0 } }, '2026-12-01T11:50:00.000Z'), now, () => true);
    assert.deepEqual([stale[0]!.health, stale[0]!.colour], ['offline', 'grey']);
    const dead = statusRows(base({ a: { machineId: 'a', state: 'idle', consecutiveFailures: 0 } }), now, () => false);
    assert.equal(dead[0]!.health, 'offline', 'a dead pid is offline at once');
  });
});
