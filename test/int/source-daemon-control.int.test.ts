/**
 * The source daemon's control (issue 13), with its run replaced by a stand-in so that the test
 * is about the daemon: a source-side pause skips the machine and a resume brings it back, a
 * forced run starts now whatever the schedule, at most maxConcurrentMachines run at once, a
 * failed run is an error retried after a backoff, a 423 from the target shows as paused by the
 * service provider; each of these is in the journal.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ReplicationApi } from '../../source/api.js';
import type { ReplicateOptions, ReplicateResult } from '../../source/replicate.js';
import { checkConfig } from '../../source/daemon/config.js';
import { SourceDaemon } from '../../source/daemon/daemon.js';
import { DaemonFiles } from '../../source/daemon/daemon-files.js';
import { eventually } from '../support/in-process-core.js';

const result = (rpId: string): ReplicateResult => ({
  rpId, kind: 'base', bytesRead: 1, bytesSent: 1, bytesChanged: 1, seconds: 0.01, recovered: false, packs: 1, chunksSent: 1,
  extents: { full: 1, delta: 0, zero: 0, unchanged: 0 }, reads: {},
});

describe('source daemon control', () => {
  it('pause, resume, force, concurrency, failure backoff and the target\'s pause', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drcore-daemon-ctl-'));
    const files = new DaemonFiles(dir);
    let inFlight = 0;
    let maxInFlight = 0;
    const runs: string[] = [];
    let failNext: string | undefined;
    const pausedBy = new Map<string, (reason: string) => void>();
    let release: (() => void) | undefined;
    const config = checkConfig({
      maxConcurrentMachines: 1,
      machines: [
        { id: 'a', volumes: { sda: '/dev/null' }, schedule: { every: '1h' } },
        { id: 'b', volumes: { sda: '/dev/null' }, schedule: { every: '1h' } },
      ],
    });
    files.pause('b', 'disk swap', new Date());
    const daemon = new SourceDaemon({
      config, stateDir: dir, tickMs: 20, log: () => {},
      api: (machineId, onPaused) => { pausedBy.set(machineId, onPaused); return {} as ReplicationApi; },
      run: async (o: ReplicateOptions) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        runs.push(o.machineId);
        try {
          if (o.machineId === 'a' && runs.length === 3) await new Promise<void>((r) => { release = r; });
          else await new Promise((r) => setTimeout(r, 30));
          if (failNext === o.machineId) { failNext = undefined; throw new Error('ENOENT: no such device /dev/vg0/db'); }
          return result(`rp-${runs.length}`);
        } finally { inFlight--; }
      },
    });
    daemon.start();
    try {
      await eventually(async () => (runs.length === 1 ? true : undefined), 15_000, 'a ran');
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(runs, ['a'], 'b is paused on this source: not run');
      assert.deepEqual(files.readStatus()!.machines['b']!.paused, { by: 'source', reason: 'disk swap' });

      files.resume('b', new Date());
      await eventually(async () => (runs.length === 2 ? true : undefined), 15_000, 'b ran once resumed');
      assert.equal(runs[1], 'b');

      files.force('a', new Date());
      await eventually(async () => (runs.length === 3 && release ? true : undefined), 15_000, 'a forced');
      pausedBy.get('a')!('storage maintenance');
      assert.deepEqual(files.readStatus()!.machines['a']!.paused, { by: 'target', reason: 'storage maintenance' });
      files.force('b', new Date());
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(runs.length, 3, 'b waits: one machine at a time');
      release!();
      await eventually(async () => (runs.length === 4 ? true : undefined), 15_000, 'b after a');
      assert.equal(maxInFlight, 1);

      failNext = 'a';
      files.force('a', new Date());
      await eventually(async () => (files.readStatus()!.machines['a']!.state === 'error' ? true : undefined), 15_000, 'a failed');
      const a = files.readStatus()!.machines['a']!;
      assert.equal(a.consecutiveFailures, 1);
      assert.match(a.lastError!, /no such device/);
      const retryIn = Date.parse(a.nextRunAt!) - Date.now();
      assert.ok(retryIn > 50_000 && retryIn <= 60_000, `retried after about a minute (${retryIn} ms)`);
    } finally {
      await daemon.stop(1000);
    }
    const types = files.readJournal().map((e) => `${e.type}:${e.machineId ?? ''}`);
    for (const t of ['SourceReplicationPaused:b', 'SourceReplicationResumed:b', 'RunForced:a', 'RunStarted:a', 'RunCommitted:b', 'RunFailed:a']) assert.ok(types.includes(t), t);
    assert.ok(files.readStatus()!.stoppedAt, 'the stop is recorded');
    rmSync(dir, { recursive: true, force: true });
  });
});
