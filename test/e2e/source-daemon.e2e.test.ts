/**
 * Issue 13 "Done when": the source daemon (`drcore source run`, a spawned process) replicates a
 * machine on its schedule against a real core (mTLS, in this process) for several runs with real
 * changes between them (made while the machine is paused on the source), and each RP restores
 * byte-identical. Its log is JSON off a terminal; `drcore source status` shows the machine paused
 * (yellow) while paused and offline (grey) once SIGTERM stopped it cleanly (exit 0). Killed with SIGKILL in the middle of a run, a restarted daemon resumes
 * that RP (same rpId, only what the target lacks) and commits it.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createCipheriv, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, readdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DaemonFiles } from '../../source/daemon/daemon-files.js';
import { restore } from '../../source/restore.js';
import { SOURCE_CLI } from '../support/core-process.js';
import { drcore, eventually, startCore, type TestCore } from '../support/in-process-core.js';
import { pairSource, sourceApi, type PairedSource } from '../support/paired-source.js';

const MiB = 1024 * 1024;
const random = (size: number, seed: number) => createCipheriv('aes-128-ctr', Buffer.alloc(16, seed), Buffer.alloc(16)).update(Buffer.alloc(size));

/** Packs stored for the tenant on the core. */
function packs(t: TestCore, tenantId: string): number {
  const d = join(t.dataDir, 'blobs', 'tenants', tenantId, 'packs');
  return existsSync(d) ? readdirSync(d).filter((f) => !f.includes('~')).length : 0;
}

interface Daemon { child: ChildProcess; log: () => string; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> }

function startDaemon(args: string[]): Daemon {
  const [node, ...pre] = SOURCE_CLI;
  const child = spawn(node, [...pre, 'source', 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr.on('data', (b: Buffer) => { log += b.toString(); });
  child.stdout.on('data', (b: Buffer) => { log += b.toString(); });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  return { child, log: () => log, exit };
}

describe('the source daemon against a real core', () => {
  let t: TestCore;
  let src: PairedSource;
  const dir = mkdtempSync(join(tmpdir(), 'drcore-daemon-'));
  const running: Daemon[] = [];

  before(async () => {
    t = await startCore({ dir: join(dir, 'core') });
    src = await pairSource(t, join(dir, 'state'), 'daemon-src');
  });
  after(async () => {
    for (const d of running) if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGKILL');
    await t.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('three scheduled runs with changes between them; each RP restores byte-identical; SIGTERM stops it cleanly', async () => {
    const img = join(dir, 'web.img');
    writeFileSync(img, random(3 * 4 * MiB + 5000, 11));
    const config = join(dir, 'daemon.json');
    writeFileSync(config, JSON.stringify({ parallel: 2, machines: [{ id: 'web-1', volumes: { sda: img }, schedule: { every: '3s' } }] }));
    const files = new DaemonFiles(src.stateDir);
    const d = startDaemon(['--config', config, '--state', src.stateDir]);
    running.push(d);
    const expected = new Map<string, Buffer>();
    const changedAt: number[] = [];
    // The changes are made while the machine is paused on this source (`drcore source pause`), so
    // that none lands in the middle of a run however slow the machine is; its next run starts on
    // its schedule once resumed.
    const count = (type: string) => files.readJournal().filter((e) => e.type === type && e.machineId === 'web-1');
    for (let n = 1; n <= 3; n++) {
      await eventually(async () => (count('RunStarted').length >= n ? true : undefined), 120_000, `run ${n} started`);
      if (n < 3) files.pause('web-1', 'test: changing the image between runs', new Date());
      const committed = await eventually(async () => count('RunCommitted')[n - 1], 120_000, `run ${n} committed`);
      expected.set(String(committed['rpId']), readFileSync(img));
      if (n === 1) {
        const view = await eventually(async () => {
          const s = await drcore(['source', 'status', '--state', src.stateDir, '--json']);
          assert.equal(s.code, 0, s.stderr);
          const v = (JSON.parse(s.stdout) as { daemon: { running: boolean; machines: { machineId: string; health: string; colour: string; detail: string; lastRpId: string }[] } }).daemon;
          return v.machines[0]?.health === 'paused' ? v : undefined;
        }, 30_000, 'the machine shown paused');
        assert.equal(view.running, true);
        assert.deepEqual(view.machines.map((m) => [m.machineId, m.health, m.colour, m.lastRpId]), [['web-1', 'paused', 'yellow', String(committed['rpId'])]]);
        assert.match(view.machines[0]!.detail, /paused by this source: test: changing the image/);
      }
      if (n < 3) {
        // Real changes between runs: 64 KiB in two extents, 1 MiB at the end.
        const fd = openSync(img, 'r+');
        try {
          writeSync(fd, randomBytes(64 * 1024), 0, 64 * 1024, (n * 777_777) % (4 * MiB));
          writeSync(fd, randomBytes(64 * 1024), 0, 64 * 1024, 4 * MiB + n * 100_000);
          writeSync(fd, randomBytes(MiB), 0, MiB, 2 * 4 * MiB);
        } finally { closeSync(fd); }
        changedAt.push(Date.now());
        files.resume('web-1', new Date());
      }
    }
    const started = count('RunStarted').map((e) => Date.parse(e.at));
    assert.ok(started[1]! >= changedAt[0]! && started[2]! >= changedAt[1]!, 'each change was made before the next run started (not during a run)');
    assert.ok(count('RunStarted').every((e) => e['forced'] === false), 'every run was a scheduled one');

    d.child.kill('SIGTERM');
    const exit = await d.exit;
    assert.deepEqual(exit, { code: 0, signal: null }, d.log());
    const lines = d.log().trim().split('\n').map((l) => JSON.parse(l) as { time: string; level: string; msg: string; machineId?: string });
    assert.ok(lines.every((l) => l.time && l.level && l.msg), 'every log line is JSON with time, level and msg');
    assert.ok(lines.filter((l) => l.msg === 'run committed').length >= 3);
    assert.equal(lines.at(-1)!.msg, 'source daemon stopped');

    const { api, transport } = sourceApi(t, src);
    try {
      const rps = await api.recoveryPoints('web-1');
      assert.ok(rps.length >= 3);
      assert.deepEqual(rps.slice(0, 3).map((r) => r.kind).sort(), ['base', 'incremental', 'incremental']);
      for (const [rpId, bytes] of expected) {
        const r = await restore({ api, machineId: 'web-1', rp: rpId, outDir: join(dir, `out-${rpId}`), parallel: 2 });
        assert.ok(readFileSync(r.files[0]!.file).equals(bytes), `${rpId} restores byte-identical`);
      }
    } finally { transport.close(); }

    const s = await drcore(['source', 'status', '--state', src.stateDir]);
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, /Daemon: not running/);
    assert.match(s.stdout, /web-1 +offline \(grey\) +rp-/);
  });

  it('killed mid-run (SIGKILL), a restarted daemon resumes the same RP and commits it', async () => {
    const img = join(dir, 'db.img');
    writeFileSync(img, random(40 * 4 * MiB, 12));
    const args = ['--machine', 'db-1', '--volume', `sda=${img}`, '--every', '1h', '--parallel', '1', '--state', src.stateDir];
    const files = new DaemonFiles(src.stateDir);
    const first = startDaemon(args);
    running.push(first);
    // Kill it once a few packs of the run are stored on the target.
    const before = packs(t, src.tenantId);
    await eventually(async () => (packs(t, src.tenantId) >= before + 3 ? true : undefined), 60_000, 'packs of the run stored');
    first.child.kill('SIGKILL');
    await first.exit;
    assert.equal(files.readJournal().filter((e) => e.type === 'RunCommitted' && e.machineId === 'db-1').length, 0, 'killed before its commit');
    const pending = JSON.parse(readFileSync(join(src.stateDir, 'machines', 'db-1', 'run.json'), 'utf8')) as { rpId: string };
    const second = startDaemon(args);
    running.push(second);
    const committed = await eventually(async () => files.readJournal().find((e) => e.type === 'RunCommitted' && e.machineId === 'db-1'), 120_000, 'the resumed run committed');
    assert.equal(committed['rpId'], pending.rpId, 'the same RP');
    assert.match(second.log(), /an interrupted run resumes now/);
    assert.match(second.log(), new RegExp(`resuming recovery point ${pending.rpId}`));
    assert.ok(Number(committed['bytesSent']) < 40 * 4 * MiB, `only what the target lacked was sent (${String(committed['bytesSent'])} bytes)`);
    second.child.kill('SIGTERM');
    assert.equal((await second.exit).code, 0);
    const { api, transport } = sourceApi(t, src);
    try {
      const r = await restore({ api, machineId: 'db-1', rp: pending.rpId, outDir: join(dir, 'out-db'), parallel: 2 });
      assert.ok(readFileSync(r.files[0]!.file).equals(readFileSync(img)), 'byte-identical');
    } finally { transport.close(); }
  });
});
