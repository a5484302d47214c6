import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { normalizeSerial } from '../../shared/pki/ca.js';
import { drcore, ROOT, startCore, type TestCore } from '../support/in-process-core.js';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

const COMMANDS = [
  'serve',
  'admin requests', 'admin approve', 'admin reject', 'admin ignore', 'admin events', 'admin tenants', 'admin tenant',
  'admin revoke', 'admin revoke-certificate', 'admin verify-log', 'admin rebuild-projections',
  'admin retention', 'admin delete-rp',
  'source pair', 'source status', 'source replicate', 'source restore', 'source list', 'source bin',
];

const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '');
const NO_STACK = /^\s+at /m;

/** One `drcore: …` line and, where useful, one `hint: …` line: nothing else on stderr. */
function assertOneLineError(stderr: string, message: RegExp, hint?: RegExp): void {
  const got = lines(stderr);
  assert.doesNotMatch(stderr, NO_STACK, `no stack trace:\n${stderr}`);
  assert.match(got[0] ?? '', /^drcore: /, stderr);
  assert.match(got[0] ?? '', message, stderr);
  if (hint) {
    assert.equal(got.length, 2, `an error line and a hint line:\n${stderr}`);
    assert.match(got[1] ?? '', /^hint: /, stderr);
    assert.match(got[1] ?? '', hint, stderr);
  } else {
    assert.ok(got.length <= 2, stderr);
  }
}

/** Runs at most `n` at a time (the machine is shared). */
async function limited<T, R>(items: readonly T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) { const i = next++; results[i] = await fn(items[i]!); }
  }));
  return results;
}

describe('drcore CLI manners: help, exit codes, one-line errors, --json, env defaults', () => {
  it('--help on every command and subcommand prints usage with each option described, and exits 0', async () => {
    await limited(COMMANDS, 3, async (cmd) => {
      const r = await drcore([...cmd.split(' '), '--help']);
      assert.equal(r.code, 0, `${cmd} --help: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^Usage: drcore ${cmd}\\b`, 'm'), cmd);
      assert.match(r.stdout, /^Options:$/m, cmd);
      const options = r.stdout.split('\n').filter((l) => /^\s+(-\w, )?--[a-z]/.test(l));
      assert.ok(options.length >= 2, `${cmd}: options listed`);
      for (const o of options) assert.match(o, /^\s+(-\w, )?--[a-z-]+( [A-Z=.…|[\]a-z]+)?\s{2,}\S/, `${cmd}: described: ${o}`);
      assert.equal(r.stderr, '', cmd);
    });
  });

  it('admin --help, serve --help and admin approve --help describe what they take', async () => {
    const admin = await drcore(['admin', '--help']);
    assert.equal(admin.code, 0, admin.stderr);
    for (const sub of ['requests', 'approve', 'reject', 'tenants', 'revoke-certificate', 'verify-log']) assert.match(admin.stdout, new RegExp(`^\\s+${sub}\\s{2,}\\S`, 'm'), sub);
    const approve = await drcore(['admin', 'approve', '-h']);
    assert.equal(approve.code, 0, approve.stderr);
    assert.match(approve.stdout, /--quota SIZE\s{2,}.*quota/i);
    assert.match(approve.stdout, /--url URL\s{2,}.*DRCORE_URL/);
    assert.match(approve.stdout, /--data DIR\s{2,}.*DRCORE_DATA/);
    const serve = await drcore(['serve', '--help']);
    assert.equal(serve.code, 0, serve.stderr);
    assert.match(serve.stdout, /--port PORT\s{2,}.*default: 8006/);
    const top = await drcore(['--help']);
    assert.equal(top.code, 0, top.stderr);
    assert.match(top.stdout, /^\s+admin\s{2,}\S/m);
    assert.match(top.stdout, /^\s+source\s{2,}\S/m);
  });

  it('--version prints the package version', async () => {
    const r = await drcore(['--version']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), VERSION);
  });

  it('usage errors exit 2 with one line and a hint: unknown option, missing argument, unknown command', async () => {
    const unknownOption = await drcore(['admin', 'approve', 'pr-x', '--quota', '1GiB', '--bogus']);
    assert.equal(unknownOption.code, 2);
    assertOneLineError(unknownOption.stderr, /--bogus/, /drcore admin approve --help/);
    const missing = await drcore(['admin', 'tenant']);
    assert.equal(missing.code, 2);
    assertOneLineError(missing.stderr, /ID/, /drcore admin tenant --help/);
    const noSub = await drcore(['admin']);
    assert.equal(noSub.code, 2);
    assert.match(noSub.stderr, /approve/);
    const unknownSub = await drcore(['admin', 'nope']);
    assert.equal(unknownSub.code, 2);
    assertOneLineError(unknownSub.stderr, /nope/, /drcore admin --help/);
    const unknownCommand = await drcore(['nope']);
    assert.equal(unknownCommand.code, 2);
    assertOneLineError(unknownCommand.stderr, /nope/, /drcore --help/);
    const badPort = await drcore(['serve', '--port', 'x']);
    assert.equal(badPort.code, 2);
    assertOneLineError(badPort.stderr, /--port/, /--help/);
  });

  describe('busy port', () => {
    let blocker: Server;
    let port: number;
    before(async () => {
      blocker = createServer();
      await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
      port = (blocker.address() as { port: number }).port;
    });
    after(async () => { await new Promise((r) => blocker.close(r)); });

    it('serve on a busy port says so in one line naming the port, with a --port hint, and exits 1', async () => {
      const core = await startCore();
      try {
        const r = await drcore(['serve', '--data', join(core.dir, 'busy'), '--port', String(port)], { timeoutMs: 30_000 });
        assert.equal(r.signal, undefined, `serve exited by itself:\n${r.stderr}`);
        assert.equal(r.code, 1, r.stderr);
        assertOneLineError(r.stderr, new RegExp(`port ${port}.*in use`), /--port/);
      } finally { await core.stop(); }
    });
  });

  describe('against a running core', () => {
    let t: TestCore;
    let adminArgs: string[];
    let env: Record<string, string>;
    let state: string;
    let tenantId: string;
    before(async () => {
      t = await startCore();
      adminArgs = ['--url', t.url, '--data', t.dataDir];
      env = { DRCORE_URL: t.url, DRCORE_DATA: t.dataDir };
      state = join(t.dir, 'source');
      const p = t.core.pki;
      const filed = await drcore(['source', 'pair', '--target', t.url, '--ca', p.caCert, '--enrollment-cert', p.enrollmentCert,
        '--enrollment-key', p.enrollmentKey, '--core-name', 'Manners', '--email', 'it@example.com', '--state', state, '--json']);
      assert.equal(filed.code, 0, filed.stderr);
      const request = JSON.parse(filed.stdout) as { requestId: string; status: string };
      assert.equal(request.status, 'pending');
      const approved = await drcore(['admin', 'approve', request.requestId, '--quota', '1GiB', '--json'], { env });
      assert.equal(approved.code, 0, approved.stderr);
      tenantId = (JSON.parse(approved.stdout) as { tenantId: string }).tenantId;
      const status = await drcore(['source', 'status', '--state', state, '--wait', '--json']);
      assert.equal(status.code, 0, status.stderr);
      assert.equal((JSON.parse(status.stdout) as { status: string; certificate: boolean }).certificate, true);
      const image = join(t.dir, 'disk.img');
      writeFileSync(image, randomBytes(256 * 1024));
      const rep = await drcore(['source', 'replicate', '--machine', 'm1', '--volume', `disk=${image}`, '--state', state, '--json']);
      assert.equal(rep.code, 0, rep.stderr);
      assert.equal((JSON.parse(rep.stdout) as { kind: string }).kind, 'base');
    });
    after(async () => { await t.stop(); });

    it('DRCORE_URL and DRCORE_DATA are the defaults for --url and --data; flags override them', async () => {
      const viaEnv = await drcore(['admin', 'tenants', '--json'], { env });
      assert.equal(viaEnv.code, 0, viaEnv.stderr);
      assert.ok((JSON.parse(viaEnv.stdout) as { tenantId: string }[]).some((x) => x.tenantId === tenantId));
      const flags = await drcore(['admin', 'tenants', '--json', ...adminArgs], { env: { DRCORE_URL: 'https://127.0.0.1:9', DRCORE_DATA: join(t.dir, 'nowhere') } });
      assert.equal(flags.code, 0, flags.stderr);
      const wrongUrl = await drcore(['admin', 'tenants'], { env: { ...env, DRCORE_URL: 'https://127.0.0.1:9' } });
      assert.equal(wrongUrl.code, 1);
      assertOneLineError(wrongUrl.stderr, /127\.0\.0\.1:9/, /--url|DRCORE_URL/);
      const wrongData = await drcore(['admin', 'tenants'], { env: { ...env, DRCORE_DATA: join(t.dir, 'nowhere') } });
      assert.equal(wrongData.code, 1);
      assertOneLineError(wrongData.stderr, /nowhere/, /--data|DRCORE_DATA/);
      const source = await drcore(['source', 'list', '--machine', 'm1', '--state', state], { env: { DRCORE_URL: 'https://127.0.0.1:9' } });
      assert.equal(source.code, 1);
      assertOneLineError(source.stderr, /127\.0\.0\.1:9/, /--target|DRCORE_URL/);
    });

    it('source restore --rp rp-nope: one line, exit 1, a hint naming drcore source list; DRCORE_DEBUG=1 shows the stack', async () => {
      const args = ['source', 'restore', '--machine', 'm1', '--rp', 'rp-nope', '--out', join(t.dir, 'restored'), '--state', state];
      const r = await drcore(args);
      assert.equal(r.code, 1);
      assertOneLineError(r.stderr, /rp-nope/, /drcore source list --machine m1/);
      const debug = await drcore(args, { env: { DRCORE_DEBUG: '1' } });
      assert.equal(debug.code, 1);
      assert.match(debug.stderr, NO_STACK);
      const unknownMachine = await drcore(['source', 'restore', '--machine', 'nope', '--out', join(t.dir, 'restored'), '--state', state]);
      assert.equal(unknownMachine.code, 1);
      assertOneLineError(unknownMachine.stderr, /nope/, /drcore source list/);
    });

    it('--json output parses; human output has readable sizes (admin tenant, source list)', async () => {
      for (const args of [['admin', 'requests', '--status', 'all'], ['admin', 'events'], ['admin', 'tenants'], ['admin', 'tenant', tenantId]]) {
        const r = await drcore([...args, '--json'], { env });
        assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
        assert.doesNotThrow(() => JSON.parse(r.stdout), args.join(' '));
      }
      const verify = await drcore(['admin', 'verify-log', '--json'], { env });
      assert.equal(verify.code, 0, verify.stderr);
      assert.equal((JSON.parse(verify.stdout) as { ok: boolean }).ok, true);
      const list = await drcore(['source', 'list', '--machine', 'm1', '--state', state, '--json']);
      assert.equal(list.code, 0, list.stderr);
      assert.equal((JSON.parse(list.stdout) as { items: unknown[] }).items.length, 1);

      const tenant = await drcore(['admin', 'tenant', tenantId], { env });
      assert.equal(tenant.code, 0, tenant.stderr);
      assert.doesNotMatch(tenant.stdout, /^\s*[{[]/);
      assert.match(tenant.stdout, new RegExp(`^Tenant ${tenantId}`, 'm'));
      assert.match(tenant.stdout, /quota\s+1\.0 GiB/i);
      assert.match(tenant.stdout, /used\s+\d+(\.\d)? KiB/i);
      assert.match(tenant.stdout, /^\s+m1\s.*\d+(\.\d)? KiB/m);
      assert.match(tenant.stdout, /source-core\s+valid/);
    });

    it('revoke-certificate of an unknown serial: exit 1, the hint says where serials come from (no --pem: every certificate is registered)', async () => {
      const r = await drcore(['admin', 'revoke-certificate', '00abcdef', '--reason', 'test'], { env });
      assert.equal(r.code, 1);
      assertOneLineError(r.stderr, /00abcdef/, /drcore admin tenant ID/);
      assert.doesNotMatch(r.stderr, /--pem/);
      assert.doesNotMatch(r.stderr, /"certificate"/);
    });

    it('revoke and revoke-certificate print a human line, or JSON with --json', async () => {
      const detail = JSON.parse((await drcore(['admin', 'tenant', tenantId, '--json'], { env })).stdout) as { certificates: { serial: string }[] };
      const serial = detail.certificates[0]!.serial;
      const revoked = await drcore(['admin', 'revoke', tenantId, serial, '--reason', 'laptop stolen'], { env });
      assert.equal(revoked.code, 0, revoked.stderr);
      assert.match(revoked.stdout, new RegExp(`^Revoked certificate ${serial} of tenant ${tenantId}`));
      const again = await drcore(['admin', 'revoke', tenantId, serial, '--reason', 'twice'], { env });
      assert.equal(again.code, 1);
      assertOneLineError(again.stderr, /409 Conflict.*already revoked/);

      const enrollment = normalizeSerial(new X509Certificate(readFileSync(t.core.pki.enrollmentCert)).serialNumber);
      const any = await drcore(['admin', 'revoke-certificate', enrollment, '--reason', 'rotated', '--json'], { env });
      assert.equal(any.code, 0, any.stderr);
      assert.deepEqual(JSON.parse(any.stdout), { serial: enrollment, status: 'revoked' });
    });
  });
});
