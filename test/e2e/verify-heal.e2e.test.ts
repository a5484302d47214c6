/**
 * Verification end to end (issue 11 item 3 "Done when"): a spawned `drcore serve`, the real
 * `drcore source` and `drcore admin` CLIs. A byte flipped in a stored pack of a base is
 * reported by `drcore admin verify` (ChunkCorrupted naming the base), named in the tenant's
 * status for the operator (`drcore admin tenant`) and for its source (`drcore source status`);
 * the next `drcore source replicate` — an incremental with no change in that extent — sends the
 * damaged extent whole, which heals the base: the next verify finds every RP ok, and both RPs
 * restore byte-identical. Then `drcore admin verify-report` writes a report signed by the CA
 * key that the real `openssl` verifies (CMS and bare signature), and a tampered copy fails.
 * Last, the log anchors: `drcore serve` writes a signed checkpoint at start, and deleting the
 * last event of a stream (a CertificateRevoked) with SQL then fails `drcore admin verify-log`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { promisify } from 'node:util';
import { normalizeSerial } from '../../shared/pki/ca.js';
import { CoreProcess, runCli, type PairedSource } from '../support/core-process.js';
import { replicate, restore, sameBytes, summaryOf } from './source-cli.js';

const exec = promisify(execFile);
const MiB = 1024 * 1024;
const EXTENT = 4 * MiB;

interface VerifyJson { runId: string; verified: { rpId: string; result: string; chunks: number }[]; damaged: { chunk: string; problem: string; rps: string[] }[] }

async function openssl(args: string[], cwd: string): Promise<{ ok: boolean; out: string }> {
  try {
    const { stdout, stderr } = await exec('openssl', args, { cwd });
    return { ok: true, out: stdout + stderr };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; code?: unknown };
    if (err.code === 'ENOENT') throw new Error('the openssl binary is not installed: this test needs it to check the signatures', { cause: e });
    return { ok: false, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

describe('verify, report, heal (spawned core, real CLIs)', { timeout: 600_000 }, () => {
  let dir: string;
  let core: CoreProcess;
  let src: PairedSource;
  let image: string;
  let base: string;
  let incremental: string;
  let damagedChunk: string;
  const admin = (...args: string[]) => runCli(['admin', ...args, '--url', core.url, '--data', core.dataDir]);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'drcore-verify-e2e-'));
    core = await CoreProcess.start(join(dir, 'data'));
    src = await core.pairSource(join(dir, 'source'), 'verify-core');
    image = join(dir, 'disk.img');
    const bytes = randomBytes(5 * EXTENT + 12345);
    bytes.fill(0, 2 * EXTENT, 3 * EXTENT); // a hole
    writeFileSync(image, bytes);
  });
  after(async () => {
    await core?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a flipped byte in a base pack is reported by verify, named for the operator and the source, and healed by the next incremental', async () => {
    const first = summaryOf(await replicate('web-01', src.stateDir, { sda: image }));
    assert.equal(first.kind, 'base');
    base = first.rpId;

    const healthy = await admin('verify', '--tenant', src.tenantId, '--json');
    assert.equal(healthy.code, 0, healthy.stderr + healthy.stdout);
    assert.deepEqual((JSON.parse(healthy.stdout) as VerifyJson).verified.map((v) => [v.rpId, v.result]), [[base, 'ok']]);

    // The biggest pack is a 4 MiB FULL extent of the base, packed alone: flip one byte in the middle of it, on disk.
    const packs = join(core.dataDir, 'blobs', 'tenants', src.tenantId, 'packs');
    const biggest = readdirSync(packs).map((f) => ({ f, size: statSync(join(packs, f)).size })).sort((a, b) => b.size - a.size)[0]!;
    assert.ok(biggest.size > EXTENT, `a pack holding a whole extent (${biggest.size} bytes)`);
    const fd = openSync(join(packs, biggest.f), 'r+');
    try {
      const b = Buffer.alloc(1);
      readSync(fd, b, 0, 1, Math.floor(biggest.size / 2));
      b[0] = (b[0] ?? 0) ^ 0x01;
      writeSync(fd, b, 0, 1, Math.floor(biggest.size / 2));
    } finally { closeSync(fd); }

    const found = await admin('verify', '--tenant', src.tenantId, '--json');
    assert.equal(found.code, 1, `verify exits 1 when it finds damage: ${found.stderr}`);
    const report = JSON.parse(found.stdout) as VerifyJson;
    assert.deepEqual(report.verified.map((v) => [v.rpId, v.result]), [[base, 'damaged']]);
    assert.equal(report.damaged.length, 1);
    assert.equal(report.damaged[0]!.problem, 'corrupt');
    assert.deepEqual(report.damaged[0]!.rps, [base], 'ChunkCorrupted names the RP it breaks');
    damagedChunk = report.damaged[0]!.chunk;

    // The operator's view of the tenant (a projection: a moment behind the log).
    let tenant: { verification: { damaged: number; broken: number; damagedChunks: { chunk: string; rps: string[] }[] } } | undefined;
    for (let i = 0; i < 100; i++) {
      const t = await admin('tenant', src.tenantId, '--json');
      assert.equal(t.code, 0, t.stderr);
      tenant = JSON.parse(t.stdout) as typeof tenant;
      if (tenant!.verification.damagedChunks.length > 0 && tenant!.verification.damaged > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(tenant!.verification.damagedChunks.map((d) => [d.chunk, d.rps]), [[damagedChunk, [base]]]);
    assert.equal(tenant!.verification.broken, 1);
    const shown = await admin('tenant', src.tenantId);
    assert.match(shown.stdout, new RegExp(`DAMAGED corrupt chunk ${damagedChunk}.*breaks ${base}`));

    // The tenant's source sees it too.
    const status = await runCli(['source', 'status', '--state', src.stateDir, '--json']);
    assert.equal(status.code, 0, status.stderr);
    const seen = JSON.parse(status.stdout) as { verification: { machines: { recoveryPoints: { rpId: string; brokenBy: string[]; verification: { result: string } | null }[] }[]; damagedChunks: { chunk: string }[] } };
    const rp = seen.verification.machines[0]!.recoveryPoints[0]!;
    assert.deepEqual([rp.rpId, rp.verification?.result, rp.brokenBy], [base, 'damaged', [damagedChunk]]);
    assert.deepEqual(seen.verification.damagedChunks.map((d) => d.chunk), [damagedChunk]);
    const text = await runCli(['source', 'status', '--state', src.stateDir]);
    assert.match(text.stdout, /NO: 1 damaged chunk/);

    // The next replication: nothing changed on the volume; the damaged extent goes whole.
    const next = await replicate('web-01', src.stateDir, { sda: image });
    const second = summaryOf(next);
    assert.equal(second.kind, 'incremental');
    incremental = second.rpId;
    // The volume did not change; the re-sent extent had no parent state, so it counts as changed: exactly one extent.
    assert.equal(second.bytesChanged, EXTENT, 'only the damaged extent is sent as if it changed');
    assert.ok(second.bytesSent >= EXTENT, `the damaged extent was sent whole (${second.bytesSent} bytes sent)`);
    assert.match(next.stderr, /extent\(s\) of .* damaged: sending them whole/);

    const healed = await admin('verify', '--tenant', src.tenantId, '--json');
    assert.equal(healed.code, 0, healed.stderr + healed.stdout);
    assert.deepEqual((JSON.parse(healed.stdout) as VerifyJson).verified.map((v) => [v.rpId, v.result]), [[base, 'ok'], [incremental, 'ok']].sort());
    const events = await admin('events', '--stream', `chunk:${src.tenantId}:${damagedChunk}`, '--json');
    assert.equal(events.code, 0, events.stderr);
    assert.deepEqual((JSON.parse(events.stdout) as { type: string }[]).map((e) => e.type), ['ChunkCorrupted', 'ChunkHealed'], 'found by verify, then the old damage healed');

    for (const rpId of [base, incremental]) {
      const out = join(dir, `restore-${rpId}`);
      const r = await restore('web-01', src.stateDir, rpId, out);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(await sameBytes(join(out, 'sda.img'), image), `${rpId} restores byte-identical`);
    }
  });

  it('the verification report is signed by the CA key: openssl verifies it, and a tampered copy fails', async () => {
    const file = join(dir, 'report.json');
    const made = await admin('verify-report', src.tenantId, '--out', file);
    assert.equal(made.code, 0, made.stderr + made.stdout);
    const report = JSON.parse(readFileSync(file, 'utf8')) as { tenantId: string; summary: { recoveryPoints: number; ok: number }; recoveryPoints: { rpId: string; verification: { result: string; chunks: number } | null }[] };
    assert.equal(report.tenantId, src.tenantId);
    assert.deepEqual(report.recoveryPoints.map((r) => [r.rpId, r.verification?.result]), [[base, 'ok'], [incremental, 'ok']]);
    assert.ok(report.recoveryPoints.every((r) => (r.verification?.chunks ?? 0) > 0), 'chunks checked per RP');

    const ca = core.pki.ca;
    const cms = await openssl(['cms', '-verify', '-binary', '-purpose', 'any', '-CAfile', ca, '-content', file, '-inform', 'PEM', '-in', `${file}.p7s`, '-out', '/dev/null'], dir);
    assert.ok(cms.ok, `openssl cms -verify: ${cms.out}`);
    assert.match(cms.out, /Verification successful/);
    await exec('openssl', ['x509', '-in', ca, '-pubkey', '-noout', '-out', join(dir, 'ca-pub.pem')]);
    const dgst = await openssl(['dgst', '-sha256', '-verify', join(dir, 'ca-pub.pem'), '-signature', `${file}.sig`, file], dir);
    assert.ok(dgst.ok, `openssl dgst -verify: ${dgst.out}`);
    assert.match(dgst.out, /Verified OK/);

    const tampered = join(dir, 'tampered.json');
    writeFileSync(tampered, readFileSync(file, 'utf8').replace('"ok"', '"okay"'));
    const badCms = await openssl(['cms', '-verify', '-binary', '-purpose', 'any', '-CAfile', ca, '-content', tampered, '-inform', 'PEM', '-in', `${file}.p7s`, '-out', '/dev/null'], dir);
    assert.equal(badCms.ok, false, 'a tampered report fails the CMS check');
    assert.match(badCms.out, /Verification failure/);
    const badDgst = await openssl(['dgst', '-sha256', '-verify', join(dir, 'ca-pub.pem'), '-signature', `${file}.sig`, tampered], dir);
    assert.equal(badDgst.ok, false, 'a tampered report fails the signature check');
    assert.match(badDgst.out, /Verification failure/);
  });

  it('drcore serve anchors the log at start; a CertificateRevoked deleted with SQL afterwards fails drcore admin verify-log, naming its stream', async () => {
    const serial = normalizeSerial(new X509Certificate(readFileSync(core.pki.enrollmentCert)).serialNumber);
    const revoked = await admin('revoke-certificate', serial, '--reason', 'leaked');
    assert.equal(revoked.code, 0, revoked.stderr);
    await core.restart(); // a start writes a checkpoint (then every --checkpoint-every minutes)
    // Stop only once that checkpoint is written: on a loaded machine it can take longer than stop()'s grace.
    for (const end = Date.now() + 120_000; !core.log.includes('log checkpoint done') && Date.now() < end;) await new Promise((r) => setTimeout(r, 100));
    assert.match(core.log, /log checkpoint done/, 'the start wrote its checkpoint');
    await core.stop();
    const verifyLog = (...args: string[]) => runCli(['admin', 'verify-log', '--data', core.dataDir, ...args]);
    const before = await verifyLog();
    assert.equal(before.code, 0, before.stdout + before.stderr);
    assert.match(before.stdout, /every stream head of checkpoint checkpoint-\S+/);

    const db = new DatabaseSync(join(core.dataDir, 'events.db'));
    try {
      const last = db.prepare(`SELECT position, type FROM events WHERE stream_id = 'cert:${serial}' ORDER BY version DESC LIMIT 1`).get() as { position: number; type: string };
      assert.equal(last.type, 'CertificateRevoked');
      const max = (db.prepare('SELECT MAX(position) AS m FROM events').get() as { m: number }).m;
      // Delete it, and close the hole it leaves in the positions as a careful tamperer would.
      db.exec(`DELETE FROM events WHERE position = ${last.position}`);
      db.exec(`UPDATE events SET position = position - 1 WHERE position > ${last.position}`);
      db.exec(`UPDATE sqlite_sequence SET seq = ${max - 1} WHERE name = 'events'`);
    } finally { db.close(); }
    // Against an anchor dir without checkpoints, the chains and positions still verify: the deletion is unseen (the gap).
    const empty = join(dir, 'no-checkpoints');
    mkdirSync(empty);
    const unanchored = await verifyLog('--log-anchors', empty);
    assert.equal(unanchored.code, 0, unanchored.stdout + unanchored.stderr);
    assert.match(unanchored.stdout, /no log checkpoint yet/);
    const missing = await verifyLog('--log-anchors', join(dir, 'absent'));
    assert.equal(missing.code, 1, 'an anchor dir that does not exist is an error, not a pass');
    assert.match(missing.stderr, /no log anchors/);
    const after = await verifyLog();
    assert.equal(after.code, 1, after.stdout + after.stderr);
    assert.match(after.stdout, new RegExp(`TAMPERED: first bad event: stream cert:${serial} version 2: checkpoint checkpoint-\\S+ .*only versions 1\\.\\.1.*deleted`));
  });
});
