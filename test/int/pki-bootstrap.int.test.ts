import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapCertificates, ensurePki as ensurePkiIn, pkiPaths, reissueClientBundle, type PkiPaths } from '../../local/pki-bootstrap.js';
import { SqliteEventStore } from '../../shared/adapters/local/sqlite-event-store.js';
import { identityFromCertificate, verifyIssuedBy } from '../../shared/pki/identity.js';
import { subjectAltNamesOf } from '../../shared/pki/server-cert.js';

const now = new Date();
const DAY = 86_400_000;
let root = '';
// The certificate registry the bootstrap registers its certificates in (one for every data dir here).
const events = SqliteEventStore.open(':memory:');
const ensurePki = (dataDir: string, options: { hostnames?: string[]; now?: Date } = {}) => ensurePkiIn(dataDir, { ...options, events });

function fresh(name: string): string {
  return join(root, name);
}

function snapshot(paths: PkiPaths): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, path] of Object.entries(paths)) if (key !== 'dir') out[key] = readFileSync(path).toString('base64');
  return out;
}

function mode(path: string): number {
  return statSync(path).mode & 0o777;
}

function changed(a: Record<string, string>, b: Record<string, string>): string[] {
  return Object.keys(a).filter((k) => a[k] !== b[k]).sort();
}

describe('ensurePki', () => {
  let paths: PkiPaths;
  let first: Record<string, string>;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'drcore-pki-'));
    paths = await ensurePki(fresh('data'), { hostnames: ['drcore.internal', '192.168.1.20'], now });
    first = snapshot(paths);
  });
  after(async () => { rmSync(root, { recursive: true, force: true }); await events.close(); });

  it('creates the CA, server, admin (PEM + PKCS#12) and enrollment material under DATA/pki', () => {
    assert.deepEqual(paths, pkiPaths(fresh('data')));
    assert.equal(paths.dir, join(fresh('data'), 'pki'));
    for (const path of Object.values(paths)) assert.ok(existsSync(path), path);
    const ca = readFileSync(paths.caCert, 'utf8');
    assert.equal(new X509Certificate(ca).ca, true);
    for (const cert of [paths.serverCert, paths.adminCert, paths.enrollmentCert]) {
      assert.ok(verifyIssuedBy(readFileSync(cert, 'utf8'), ca, now), cert);
    }
    const sans = subjectAltNamesOf(readFileSync(paths.serverCert, 'utf8'));
    assert.deepEqual(sans.dns, ['localhost', 'drcore.internal']);
    assert.deepEqual(sans.ips, ['127.0.0.1', '192.168.1.20']);
    assert.equal(identityFromCertificate(readFileSync(paths.adminCert, 'utf8')).role, 'admin');
    assert.equal(identityFromCertificate(readFileSync(paths.enrollmentCert, 'utf8')).role, 'enrollment');
  });

  it('keeps keys, the PKCS#12 bundle and its password 0600, and the directory 0700', () => {
    assert.equal(mode(paths.dir), 0o700);
    for (const secret of [paths.caKey, paths.serverKey, paths.adminKey, paths.enrollmentKey, paths.adminP12, paths.adminP12Password]) {
      assert.equal(mode(secret), 0o600, secret);
    }
    assert.equal(mode(paths.caCert), 0o644);
  });

  it('makes a PKCS#12 bundle that openssl 3 opens without -legacy', () => {
    const passFile = `file:${paths.adminP12Password}`;
    const certs = execFileSync('openssl', ['pkcs12', '-in', paths.adminP12, '-passin', passFile, '-nokeys'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.match(certs, /subject=.*OU ?= ?admin/);
    assert.match(certs, /subject=.*CN ?= ?drcore local CA/);
    const key = execFileSync('openssl', ['pkcs12', '-in', paths.adminP12, '-passin', passFile, '-nocerts', '-nodes'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.match(key, /BEGIN PRIVATE KEY/);
    const info = spawnSync('openssl', ['pkcs12', '-in', paths.adminP12, '-passin', passFile, '-info', '-noout'], { encoding: 'utf8' });
    assert.equal(info.status, 0, info.stderr);
    assert.match(info.stdout + info.stderr, /AES-256-CBC/);
  });

  it('reuses everything byte for byte on a later start, and restores modes that were loosened', async () => {
    chmodSync(paths.adminKey, 0o644);
    const again = await ensurePki(fresh('data'), { hostnames: ['drcore.internal', '192.168.1.20'], now: new Date(now.getTime() + DAY) });
    assert.deepEqual(snapshot(again), first);
    assert.equal(mode(paths.adminKey), 0o600);
    const withoutOptions = await ensurePki(fresh('data'));
    assert.deepEqual(snapshot(withoutOptions), first, 'default names are a subset of the existing SANs');
  });

  it('reissues only the server certificate (same key) when a requested host name is missing', async () => {
    const again = await ensurePki(fresh('data'), { hostnames: ['new.example.com'], now });
    const after = snapshot(again);
    assert.deepEqual(changed(first, after), ['serverCert']);
    assert.ok(subjectAltNamesOf(readFileSync(paths.serverCert, 'utf8')).dns.includes('new.example.com'));
    first = after;
  });

  it('lists the admin and enrollment certificates for the registry', async () => {
    const certs = await bootstrapCertificates(paths);
    assert.deepEqual(certs.map((c) => c.role), ['admin', 'enrollment']);
    const admin = certs[0]!;
    const id = identityFromCertificate(admin.certificatePem);
    assert.deepEqual(admin, { serial: id.serial, role: 'admin', subject: id.subject, notBefore: id.notBefore, notAfter: id.notAfter, certificatePem: readFileSync(paths.adminCert, 'utf8') });
    assert.equal(admin.subject, 'CN=drcore admin, OU=admin');
    assert.match(admin.serial, /^[89a-f][0-9a-f]{31}$/);
  });

  it('recreates a missing PKCS#12 password (with a new bundle), and renews expired client certificates', async () => {
    unlinkSync(paths.adminP12Password);
    let after = snapshot(await ensurePki(fresh('data'), { now }));
    assert.deepEqual(changed(first, after), ['adminP12', 'adminP12Password']);
    first = after;
    const later = new Date(now.getTime() + 400 * DAY);
    after = snapshot(await ensurePki(fresh('data'), { now: later }));
    assert.deepEqual(changed(first, after), ['adminCert', 'adminP12', 'adminP12Password', 'enrollmentCert']);
    assert.ok(verifyIssuedBy(readFileSync(paths.adminCert, 'utf8'), readFileSync(paths.caCert, 'utf8'), later));
  });

  it('refuses half a CA and bad host names, writing nothing', async () => {
    const half = await ensurePki(fresh('half'), { now });
    unlinkSync(half.caCert);
    await assert.rejects(ensurePki(fresh('half'), { now }), /only half of the CA/);
    await assert.rejects(ensurePki(fresh('bad'), { hostnames: ['not a host'], now }), /invalid host name/);
    assert.equal(existsSync(fresh('bad')), false);
  });

  it('reissueClientBundle replaces one bundle with a new key and a new serial, over the same files (0600); a later start keeps it', async () => {
    const p = await ensurePki(fresh('reissue'), { now });
    const before = snapshot(p);
    const serial = (pem: string) => identityFromCertificate(pem).serial;
    const enrollment = await reissueClientBundle(p, 'enrollment', { now });
    let after = snapshot(p);
    assert.deepEqual(changed(before, after), ['enrollmentCert', 'enrollmentKey']);
    assert.equal(enrollment.role, 'enrollment');
    assert.equal(enrollment.certificatePem, readFileSync(p.enrollmentCert, 'utf8'));
    assert.notEqual(enrollment.serial, serial(Buffer.from(before['enrollmentCert']!, 'base64').toString()));
    const admin = await reissueClientBundle(p, 'admin', { now });
    const afterAdmin = snapshot(p);
    assert.deepEqual(changed(after, afterAdmin), ['adminCert', 'adminKey', 'adminP12', 'adminP12Password']);
    assert.equal(admin.subject, 'CN=drcore admin, OU=admin');
    for (const f of [p.enrollmentKey, p.adminKey, p.adminP12, p.adminP12Password]) assert.equal(mode(f), 0o600, f);
    after = snapshot(await ensurePki(fresh('reissue'), { now }));
    assert.deepEqual(changed(afterAdmin, after), [], 'the next start reuses the reissued bundles');
  });

  it('reissues a certificate that is not for its key file (a write cut short), keeping the key', async () => {
    const p = await ensurePki(fresh('mismatch'), { now });
    copyFileSync(p.serverKey, p.enrollmentKey); // a valid key, but not the enrollment certificate's
    const before = snapshot(p);
    const after = snapshot(await ensurePki(fresh('mismatch'), { now }));
    assert.deepEqual(changed(before, after), ['enrollmentCert']);
    assert.ok(new X509Certificate(readFileSync(p.enrollmentCert, 'utf8')).checkPrivateKey(createPrivateKey(readFileSync(p.enrollmentKey, 'utf8'))));
  });
});
