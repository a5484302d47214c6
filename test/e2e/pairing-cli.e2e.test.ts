import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { drcore, eventually, ROOT, startCore, type TestCore } from '../support/in-process-core.js';

/** The operator's and the source core's command lines against a real core over mTLS. */
describe('drcore CLI: pairing end to end', () => {
  let t: TestCore;
  let adminArgs: string[];
  before(async () => {
    t = await startCore();
    adminArgs = ['--url', t.url, '--data', t.dataDir];
  });
  after(async () => { await t.stop(); });

  function pairArgs(state: string, name: string): string[] {
    const p = t.core.pki;
    return ['source', 'pair', '--target', t.url, '--ca', p.caCert, '--enrollment-cert', p.enrollmentCert, '--enrollment-key', p.enrollmentKey,
      '--core-name', name, '--email', 'it@example.com', '--customer-id', 'CUST-1', '--state', state];
  }

  it('source pair --wait prints feedback as it arrives and stores key, certificate and CA once approved', async () => {
    const state = join(t.dir, 'source-a');
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', '--import', 'tsx', join(ROOT, 'cli/main.ts'), ...pairArgs(state, 'Core A'), '--wait'], { cwd: ROOT });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    const exited = new Promise<number>((r) => child.on('exit', (code) => r(code ?? 1)));

    const id = await eventually(async () => {
      const res = await drcore(['admin', 'requests', ...adminArgs, '--json']);
      const items = JSON.parse(res.stdout || '[]') as { id: string; coreName: string }[];
      return items.find((i) => i.coreName === 'Core A')?.id;
    }, 30_000, 'the request in the review queue');
    const listed = await drcore(['admin', 'requests', ...adminArgs]);
    assert.match(listed.stdout, new RegExp(`${id}\\s+pending\\s+Core A`));

    const approved = await drcore(['admin', 'approve', id, '--quota', '50GiB', ...adminArgs]);
    assert.equal(approved.code, 0, approved.stderr);
    assert.match(approved.stdout, /approved\s+tenant t-/);

    assert.equal(await exited, 0, output);
    assert.match(output, /Pairing request received/);
    assert.match(output, /queued for review/);
    assert.match(output, /Approved by the service provider/);
    assert.match(output, /Paired as tenant t-/);
    for (const f of ['key.pem', 'cert.pem', 'ca.pem']) assert.ok(existsSync(join(state, f)), f);
    assert.equal(statSync(join(state, 'key.pem')).mode & 0o777, 0o600);

    const status = await drcore(['source', 'status', '--state', state]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /Status: approved \(certificate stored\)/);
  });

  it('source status picks the certificate up when the approval came later', async () => {
    const state = join(t.dir, 'source-b');
    const filed = await drcore(pairArgs(state, 'Core B'));
    assert.equal(filed.code, 0, filed.stderr);
    const id = /Pairing request (\S+) submitted/.exec(filed.stdout)?.[1];
    assert.ok(id);
    assert.ok(!existsSync(join(state, 'cert.pem')));
    assert.equal((await drcore(['admin', 'approve', id, '--quota', '1TiB', ...adminArgs])).code, 0);
    await eventually(async () => {
      await drcore(['source', 'status', '--state', state]);
      return existsSync(join(state, 'cert.pem')) ? true : undefined;
    }, 30_000, 'certificate pickup');
  });

  it('admin reject shows the reason to the source; pair --wait exits non-zero', async () => {
    const state = join(t.dir, 'source-c');
    const filed = await drcore(pairArgs(state, 'Core C'));
    const id = /Pairing request (\S+) submitted/.exec(filed.stdout)?.[1] ?? '';
    const rejected = await drcore(['admin', 'reject', id, '--reason', 'unknown customer', ...adminArgs]);
    assert.equal(rejected.code, 0, rejected.stderr);
    const status = await drcore(['source', 'status', '--state', state]);
    assert.match(status.stdout, /Rejected: unknown customer/);
    assert.match(status.stdout, /Status: rejected/);
  });

  it('admin commands explain bad usage and API refusals', async () => {
    const noQuota = await drcore(['admin', 'approve', 'pr-x', ...adminArgs]);
    assert.equal(noQuota.code, 2);
    assert.match(noQuota.stderr, /--quota/);
    const unknown = await drcore(['admin', 'approve', 'pr-unknown', '--quota', '1GiB', ...adminArgs]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /404 Not Found/);
  });

  it('admin events --stream reads one stream by its id (kind:id, a query parameter) and refuses a malformed one', async () => {
    const requests = JSON.parse((await drcore(['admin', 'requests', '--status', 'rejected', ...adminArgs, '--json'])).stdout || '[]') as { id: string; coreName: string }[];
    const id = requests.find((r) => r.coreName === 'Core C')?.id;
    assert.ok(id, 'Core C was filed');
    const one = await drcore(['admin', 'events', '--stream', `pairing:${id}`, ...adminArgs]);
    assert.equal(one.code, 0, one.stderr);
    const rows = one.stdout.trim().split('\n').slice(1);
    assert.ok(rows.length >= 2, one.stdout);
    for (const row of rows) assert.match(row, new RegExp(`\\spairing:${id}\\s`), row);
    assert.match(one.stdout, /PairingRequested/);
    assert.match(one.stdout, /PairingRejected/);
    const old = await drcore(['admin', 'events', '--stream', `pairing-${id}`, ...adminArgs]);
    assert.equal(old.code, 1);
    assert.match(old.stderr, /400/);
  });

  it('admin events lists the log; verify-log says OK, then names the first tampered event', async () => {
    const events = await drcore(['admin', 'events', ...adminArgs]);
    assert.match(events.stdout, /PairingRequested/);
    assert.match(events.stdout, /CertificateIssued/);
    const ok = await drcore(['admin', 'verify-log', '--data', t.dataDir]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /^OK: \d+ events/);

    const db = new DatabaseSync(join(t.dataDir, 'events.db'));
    const row = db.prepare("SELECT position, stream_id, version FROM events WHERE type = 'PairingApproved' ORDER BY position LIMIT 1").get() as { position: number; stream_id: string; version: number };
    db.prepare("UPDATE events SET data = replace(data, '53687091200', '99999999999999') WHERE position = ?").run(row.position);
    db.close();
    const bad = await drcore(['admin', 'verify-log', '--data', t.dataDir]);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, new RegExp(`TAMPERED: first bad event: stream ${row.stream_id} version ${row.version} \\(log position ${row.position}\\)`));
    assert.match(bad.stdout, /edited/);
  });
});
