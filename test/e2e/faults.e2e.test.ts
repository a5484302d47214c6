/**
 * Faults (issue 4, item 7): SIGKILL of the server in the middle of an upload and at the commit,
 * SIGKILL of the source CLI in the middle of an upload and at the commit; each time the server
 * restarts on the same data dir, the rerun resumes the same recovery point and finishes it;
 * then every committed RP restores byte-identical and `drcore admin verify-log` says OK.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { mutateBlocks, writeImage } from '../../bench/image.js';
import { CoreProcess, runCli, type PairedSource } from '../support/core-process.js';
import { packBytes, packCount, replicate, restore, runPlan, sameBytes, settled, snapshot, summaryOf, whenWhileRunning } from './source-cli.js';

const MiB = 1024 * 1024;
const SIZE = 128 * MiB;
const MACHINE = 'db-01';

describe('faults: SIGKILL of server and source at any point', { timeout: 900_000 }, () => {
  let dir: string;
  let core: CoreProcess;
  let src: PairedSource;
  let image: string;
  /** rpId → the image as it was when that RP was taken. */
  const expected = new Map<string, string>();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'drcore-faults-'));
    core = await CoreProcess.start(join(dir, 'data'));
    src = await core.pairSource(join(dir, 'source'), 'faulty-core');
    image = join(dir, 'disk.img');
    writeImage(image, SIZE, 'faults');
  });
  after(async () => {
    await core?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Starts a replication and runs `act` on it once `when` holds; returns the killed run's exit. */
  async function interrupt(when: () => boolean, act: (cli: ChildProcess) => Promise<void>): Promise<string> {
    let cli: ChildProcess | undefined;
    const run = replicate(MACHINE, src.stateDir, { sda: image }, (c) => { cli = c; });
    const hit = await whenWhileRunning(cli!, when);
    assert.ok(hit, 'the replication finished before the fault could be injected (make the image bigger)');
    await act(cli!);
    const r = await run;
    assert.notEqual(r.code, 0, `the interrupted run does not claim success: ${r.stdout}`);
    const plan = runPlan(src.stateDir, MACHINE);
    assert.ok(plan, `the interrupted run left its plan in the state dir (exit ${r.code ?? r.signal}: ${r.stderr.slice(-500)})`);
    return plan.rpId;
  }

  it('base: server killed mid-upload, then the source killed mid-upload; the rerun resumes the same RP', async (t) => {
    const snap = snapshot(image, join(dir, 'state-1.img'));
    const rpId = await interrupt(() => packCount(core.dataDir, src.tenantId) >= 3, async () => { await core.kill9(); });
    await core.launch();
    const storedBefore = packCount(core.dataDir, src.tenantId);
    const again = await interrupt(() => packCount(core.dataDir, src.tenantId) >= storedBefore + 3, async (cli) => { cli.kill('SIGKILL'); });
    assert.equal(again, rpId, 'the second attempt worked on the same RP');
    t.diagnostic(`killed twice; ${packCount(core.dataDir, src.tenantId)} packs stored before the rerun`);
    // The server may still be storing a pack the killed source had sent in full: let it land.
    const storedBefore2 = await settled(() => packBytes(core.dataDir, src.tenantId));
    const done = summaryOf(await replicate(MACHINE, src.stateDir, { sda: image }));
    assert.equal(done.rpId, rpId);
    assert.equal(done.kind, 'base');
    const storedAfter = packBytes(core.dataDir, src.tenantId);
    assert.ok(storedBefore2 > 0);
    assert.equal(done.bytesSent, storedAfter - storedBefore2, `the rerun sent only packs the target did not hold (sent ${done.bytesSent}, stored ${storedBefore2} → ${storedAfter})`);
    assert.equal(runPlan(src.stateDir, MACHINE), undefined, 'no replication left in progress');
    expected.set(rpId, snap);
  });

  it('incremental: server killed at the commit; the rerun completes the same RP once', async () => {
    mutateBlocks(image, SIZE, 64 * 1024, 0.05, 21);
    const snap = snapshot(image, join(dir, 'state-2.img'));
    const rpId = await interrupt(() => runPlan(src.stateDir, MACHINE)?.manifest !== undefined, async () => { await core.kill9(); });
    await core.launch();
    const done = summaryOf(await replicate(MACHINE, src.stateDir, { sda: image }));
    assert.equal(done.rpId, rpId);
    assert.equal(done.kind, 'incremental');
    expected.set(rpId, snap);
  });

  it('incremental: source killed at the commit; the rerun records or completes the same RP once', async () => {
    mutateBlocks(image, SIZE, 64 * 1024, 0.05, 31);
    const snap = snapshot(image, join(dir, 'state-3.img'));
    const rpId = await interrupt(() => runPlan(src.stateDir, MACHINE)?.manifest !== undefined, async (cli) => { cli.kill('SIGKILL'); });
    const done = summaryOf(await replicate(MACHINE, src.stateDir, { sda: image }));
    assert.equal(done.rpId, rpId);
    expected.set(rpId, snap);
    // A further run is a new incremental on it (nothing changed: nothing sent but the manifest).
    const next = summaryOf(await replicate(MACHINE, src.stateDir, { sda: image }));
    assert.notEqual(next.rpId, rpId);
    assert.equal(next.kind, 'incremental');
    assert.equal(next.bytesChanged, 0);
    expected.set(next.rpId, snap);
  });

  it('every committed RP restores byte-identical, and the event log verifies', async () => {
    const list = await runCli(['source', 'list', '--machine', MACHINE, '--state', src.stateDir, '--json']);
    assert.equal(list.code, 0, list.stderr);
    const { items } = JSON.parse(list.stdout) as { items: { rpId: string }[] };
    assert.deepEqual(items.map((i) => i.rpId).sort(), [...expected.keys()].sort(), 'exactly the RPs that were committed, each once');
    for (const { rpId } of items) {
      const out = join(dir, `restore-${rpId}`);
      const r = await restore(MACHINE, src.stateDir, rpId, out);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(await sameBytes(join(out, 'sda.img'), expected.get(rpId)!), `restore of ${rpId} is byte-identical`);
    }
    await core.stop();
    const verify = await runCli(['admin', 'verify-log', '--data', core.dataDir]);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    assert.match(verify.stdout, /^OK/);
    await core.launch();
  });
});
