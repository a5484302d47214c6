/**
 * `drcore admin pause | resume | lease | rpo | lag` as an operator runs them (issue 13), against a
 * core in this process whose clock the test moves: a machine past its RPO appears in
 * `drcore admin lag` as exceeded after the RPO job, with the notification sent; pause and resume
 * per tenant and per machine; a lease set and cleared; bad input refused with a clear message.
 */
import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { localDeps } from '../../shared/runtime/local-deps.js';
import { replicate } from '../../source/replicate.js';
import { drcore, startCore, type TestCore } from '../support/in-process-core.js';
import { pairSource, sourceApi, type PairedSource } from '../support/paired-source.js';

let now = new Date('2026-12-01T12:00:00.000Z');

describe('drcore admin pause | resume | lease | rpo | lag', () => {
  let t: TestCore;
  let src: PairedSource;
  const dir = mkdtempSync(join(tmpdir(), 'drcore-control-cli-'));
  const admin = (...args: string[]) => drcore(['admin', ...args, '--url', t.url, '--data', t.dataDir]);

  before(async () => {
    t = await startCore({ dir: join(dir, 'core'), deps: (d) => Object.assign(localDeps(d), { clock: () => now }) });
    src = await pairSource(t, join(dir, 'state'), 'cli-src');
    const img = join(dir, 'sda.img');
    writeFileSync(img, createCipheriv('aes-128-ctr', Buffer.alloc(16, 7), Buffer.alloc(16)).update(Buffer.alloc(5 * 1024 * 1024)));
    const { api, transport } = sourceApi(t, src);
    try {
      await replicate({ api, stateDir: src.stateDir, machineId: 'web-1', volumes: [{ name: 'sda', path: img }], parallel: 2 });
    } finally { transport.close(); }
  });
  after(async () => {
    await t.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a machine past its RPO is listed as exceeded by admin lag, and the operator was notified', async () => {
    const set = await admin('rpo', src.tenantId, '1h');
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /RPO target 1h/);
    now = new Date('2026-12-01T12:30:00.000Z');
    await t.core.runLifecycleJobs();
    let lag = await admin('lag');
    assert.equal(lag.code, 0, lag.stderr);
    assert.match(lag.stdout, /web-1 .* 30m +1h +within/);

    now = new Date('2026-12-01T13:30:00.000Z');
    await t.core.runLifecycleJobs();
    lag = await admin('lag', '--tenant', src.tenantId);
    assert.match(lag.stdout, /^TENANT +MACHINE +LAST RP +LAG +RPO +COMPLIANCE +PAUSED$/m);
    assert.match(lag.stdout, new RegExp(`${src.tenantId} +web-1 +2026-12-01T12:00:00\\.000Z +1h 30m +1h +EXCEEDED +-`));
    const json = JSON.parse((await admin('lag', '--json')).stdout) as { items: { machineId: string; compliance: string; lagSeconds: number }[] };
    assert.deepEqual(json.items.map((i) => [i.machineId, i.compliance, i.lagSeconds]), [['web-1', 'exceeded', 5400]]);
    const notes = (await t.deps.notifier.recent(20)).filter((n) => n.kind === 'rpo-exceeded');
    assert.equal(notes.length, 1, 'one notification');
    assert.match(notes[0]!.subject, /web-1 .* is past its RPO \(exceeded\)/);
  });

  it('pause and resume per tenant and per machine; resume of a tenant not paused lifts its suspension', async () => {
    const p = await admin('pause', src.tenantId, '--reason', 'storage maintenance');
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stdout, /replication paused \(storage maintenance\)/);
    assert.match((await admin('lag')).stdout, /storage maintenance/);
    const twice = await admin('pause', src.tenantId, '--reason', 'again');
    assert.notEqual(twice.code, 0);
    assert.match(twice.stderr, /already paused/);
    assert.match((await admin('resume', src.tenantId)).stdout, /replication accepted/);
    const m = await admin('pause', src.tenantId, '--machine', 'web-1', '--reason', 'disk swap');
    assert.match(m.stdout, /machine web-1 of .*: replication paused \(disk swap\)/);
    assert.match((await admin('resume', src.tenantId, '--machine', 'web-1')).stdout, /machine web-1 .* accepted/);
    assert.equal((await admin('suspend', src.tenantId, '--reason', 'invoice')).code, 0);
    const lifted = await admin('resume', src.tenantId);
    assert.equal(lifted.code, 0, lifted.stderr);
    assert.match(lifted.stdout, /active \(its replication was not paused; its suspension is lifted\)/);
    const bad = await admin('pause', src.tenantId, '--machine', '../x', '--reason', 'x');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--machine must match/);
  });

  it('a lease set, shown and cleared; a malformed one refused', async () => {
    const l = await admin('lease', src.tenantId, '--ends', '2027-06-30');
    assert.equal(l.code, 0, l.stderr);
    assert.match(l.stdout, /lease ends 2027-06-30T00:00:00Z/);
    assert.doesNotMatch((await admin('lease', src.tenantId, '--none')).stdout, /lease ends/);
    const bad = await admin('lease', src.tenantId, '--ends', 'soon');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /a lease end is a day like 2027-06-30/);
  });
});
