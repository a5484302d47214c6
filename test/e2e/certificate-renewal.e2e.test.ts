/**
 * `drcore source renew` (issue 11 item 6): a paired source core renews its certificate with a new
 * key; the target's workflow signs it for the same tenant; the new certificate works at once
 * (replication and listing), the old one until it expires or is revoked; a renewal left half
 * done by a crash is finished at the next start, and a rerun is the same renewal.
 */
import assert from 'node:assert/strict';
import { randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { identityFromCertificate } from '../../shared/pki/identity.js';
import { drcore, startCore, type TestCore } from '../support/in-process-core.js';

describe('drcore source renew', { timeout: 300_000 }, () => {
  let t: TestCore;
  let state: string;
  let env: Record<string, string>;
  before(async () => {
    t = await startCore();
    env = { DRCORE_URL: t.url, DRCORE_DATA: t.dataDir };
    state = join(t.dir, 'source');
    const p = t.core.pki;
    const filed = await drcore(['source', 'pair', '--target', t.url, '--ca', p.caCert, '--enrollment-cert', p.enrollmentCert,
      '--enrollment-key', p.enrollmentKey, '--core-name', 'Renewer', '--email', 'it@example.com', '--state', state, '--json']);
    assert.equal(filed.code, 0, filed.stderr);
    const { requestId } = JSON.parse(filed.stdout) as { requestId: string };
    assert.equal((await drcore(['admin', 'approve', requestId, '--quota', '1GiB', '--json'], { env })).code, 0);
    assert.equal((await drcore(['source', 'status', '--state', state, '--wait', '--json'])).code, 0);
  });
  after(async () => { await t?.stop(); });

  it('issues a certificate for a new key and the same tenant, which works at once; the old one still does', async () => {
    const oldPem = readFileSync(join(state, 'cert.pem'), 'utf8');
    const oldKey = readFileSync(join(state, 'key.pem'), 'utf8');
    const old = identityFromCertificate(oldPem);
    const r = await drcore(['source', 'renew', '--state', state, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { serial: string; oldSerial: string };
    const fresh = identityFromCertificate(readFileSync(join(state, 'cert.pem'), 'utf8'));
    assert.equal(out.oldSerial, old.serial);
    assert.equal(fresh.serial, out.serial);
    assert.notEqual(fresh.serial, old.serial);
    assert.deepEqual([fresh.role, fresh.tenantId], ['source-core', old.tenantId]);
    assert.notEqual(readFileSync(join(state, 'key.pem'), 'utf8'), oldKey, 'a new key');
    assert.equal(statSync(join(state, 'key.pem')).mode & 0o777, 0o600);
    const cert = new X509Certificate(readFileSync(join(state, 'cert.pem')));
    assert.ok(cert.checkPrivateKey((await import('node:crypto')).createPrivateKey(readFileSync(join(state, 'key.pem')))), 'cert and key belong together');
    assert.ok(!existsSync(join(state, 'key.next.pem')) && !existsSync(join(state, 'cert.next.pem')));

    const image = join(t.dir, 'disk.img');
    writeFileSync(image, randomBytes(256 * 1024));
    const rep = await drcore(['source', 'replicate', '--machine', 'm1', '--volume', `disk=${image}`, '--state', state, '--json']);
    assert.equal(rep.code, 0, `the new certificate replicates: ${rep.stderr}`);

    // The old certificate and key still authenticate (until they expire or are revoked).
    const oldState = join(t.dir, 'old-source');
    for (const [f, c] of [['cert.pem', oldPem], ['key.pem', oldKey], ['ca.pem', readFileSync(join(state, 'ca.pem'), 'utf8')], ['pairing.json', readFileSync(join(state, 'pairing.json'), 'utf8')]] as const) {
      (await import('node:fs')).mkdirSync(oldState, { recursive: true, mode: 0o700 });
      writeFileSync(join(oldState, f), c, { mode: 0o600 });
    }
    const listed = await drcore(['source', 'list', '--machine', 'm1', '--state', oldState, '--json']);
    assert.equal(listed.code, 0, listed.stderr);
  });

  it('a swap a crash cut in two is finished at the next start', async () => {
    // As if the renewal had written the new key and certificate and died before renaming them.
    const before = identityFromCertificate(readFileSync(join(state, 'cert.pem'), 'utf8')).serial;
    const r = await drcore(['source', 'renew', '--state', state, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const now = identityFromCertificate(readFileSync(join(state, 'cert.pem'), 'utf8')).serial;
    assert.notEqual(now, before);
    renameSync(join(state, 'cert.pem'), join(state, 'cert.next.pem'));
    renameSync(join(state, 'key.pem'), join(state, 'key.next.pem'));
    writeFileSync(join(state, 'cert.pem'), 'stale');
    writeFileSync(join(state, 'key.pem'), 'stale', { mode: 0o600 });
    const listed = await drcore(['source', 'list', '--machine', 'm1', '--state', state, '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(identityFromCertificate(readFileSync(join(state, 'cert.pem'), 'utf8')).serial, now);
  });
});
