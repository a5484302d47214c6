/**
 * The one PKI bootstrap (shared/app/pki-bootstrap.ts) over its two ports: a SecretStore (here the
 * AWS adapter over a MOCK Secrets Manager client, in memory: no emulator exists here; the local
 * adapter runs the same bootstrap in test/unit/pki-bootstrap.unit.test.ts and the serve tests)
 * and the event-sourced registry (SQLite in memory). Real certificates (node-forge).
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { SecretsManagerSecretStore } from '../../shared/adapters/aws/secrets-manager-secret-store.js';
import { SqliteEventStore } from '../../shared/adapters/local/sqlite-event-store.js';
import { authorize } from '../../shared/app/authorize.js';
import { revokeAnyCertificate } from '../../shared/app/certificate-service.js';
import type { AppDeps } from '../../shared/app/deps.js';
import { bootstrapPki, IncompleteCaError, type PkiBootstrapOptions } from '../../shared/app/pki-bootstrap.js';
import { createCa, newSerial } from '../../shared/pki/ca.js';
import { issueClientCertificate } from '../../shared/pki/client-cert.js';
import { identityFromCertificate } from '../../shared/pki/identity.js';
import { generateKeyPair, privateKeyToPem } from '../../shared/pki/keys.js';
import { MockSecretsManager } from '../support/mock-secrets-manager.js';

const now = new Date('2026-03-01T12:00:00.000Z');
const DAY = 86_400_000;
const OPTIONS: PkiBootstrapOptions = { caCommonName: 'drcore CA test', pkcs12: ['admin', 'enrollment'], withIssuer: true };
const IDS = { ca: 'arn:ca', admin: 'arn:admin', enrollment: 'arn:enrollment' };

describe('bootstrapPki', () => {
  let sm: MockSecretsManager;
  let events: SqliteEventStore;
  const secrets = () => new SecretsManagerSecretStore({ client: sm.client, secretIds: IDS });
  const deps = (at = now) => ({ secrets: secrets(), events, clock: () => at });
  const stored = (id: string) => JSON.parse(sm.value(id)!) as { certificatePem: string; privateKeyPem: string; pkcs12Password?: string };
  const logSize = async () => (await events.readAll(undefined, 10_000)).events.length;
  const allowed = async (pem: string, at = now) => (await authorize(events, pem, at)).allow;

  beforeEach(() => {
    sm = new MockSecretsManager();
    for (const id of Object.values(IDS)) sm.create(id);
    events = SqliteEventStore.open(':memory:');
  });
  afterEach(async () => { await events.close(); });

  it('first run: creates the CA, issues both bundles under it and registers them, so the authorizer accepts them', async () => {
    const r = await bootstrapPki(deps(), OPTIONS);
    assert.deepEqual(r.bundles, { admin: 'issued', enrollment: 'issued' });
    assert.deepEqual(r.reissued, []);
    assert.equal(stored('arn:ca').certificatePem, r.ca.certificatePem);
    for (const role of ['admin', 'enrollment'] as const) {
      const b = stored(IDS[role]);
      assert.ok(new X509Certificate(b.certificatePem).checkIssued(new X509Certificate(r.ca.certificatePem)), role);
      assert.equal(identityFromCertificate(b.certificatePem).role, role);
      assert.equal(await allowed(b.certificatePem), true, `${role} is registered`);
    }
  });

  it('later runs change nothing: no secret written, nothing appended', async () => {
    await bootstrapPki(deps(), OPTIONS);
    const before = { ca: sm.value('arn:ca'), admin: sm.value('arn:admin'), enrollment: sm.value('arn:enrollment'), log: await logSize() };
    sm.calls.length = 0;
    const r = await bootstrapPki(deps(new Date(now.getTime() + DAY)), OPTIONS);
    assert.deepEqual(r.bundles, { admin: 'kept', enrollment: 'kept' });
    assert.deepEqual(sm.calls.filter((c) => c.startsWith('put')), []);
    assert.deepEqual({ ca: sm.value('arn:ca'), admin: sm.value('arn:admin'), enrollment: sm.value('arn:enrollment'), log: await logSize() }, before);
  });

  it('bootstraps racing on an empty store end with one CA and one bundle each, all registered', async () => {
    const results = await Promise.all([1, 2, 3].map(() => bootstrapPki(deps(), OPTIONS)));
    const ca = stored('arn:ca').certificatePem;
    for (const r of results) assert.equal(r.ca.certificatePem, ca, 'every run uses the stored CA');
    for (const role of ['admin', 'enrollment'] as const) {
      const b = stored(IDS[role]);
      assert.ok(new X509Certificate(b.certificatePem).checkIssued(new X509Certificate(ca)));
      assert.equal(await allowed(b.certificatePem), true, role);
    }
    const issued = (await events.readAll(undefined, 10_000)).events.filter((e) => e.type === 'CertificateIssued');
    assert.equal(issued.length, 2, 'only the stored bundles are registered');
  });

  it('a revoked bundle is replaced by a new key and a new serial, registered; the revoked certificate stays refused', async () => {
    await bootstrapPki(deps(), OPTIONS);
    const old = stored('arn:enrollment');
    const oldSerial = identityFromCertificate(old.certificatePem).serial;
    await revokeAnyCertificate({ events, clock: () => now } as unknown as AppDeps, oldSerial, { reason: 'leaked' }, 'other-admin', 'admin:other-admin');
    const r = await bootstrapPki(deps(), OPTIONS);
    const fresh = stored('arn:enrollment');
    const serial = identityFromCertificate(fresh.certificatePem).serial;
    assert.deepEqual(r.reissued, [{ role: 'enrollment', revokedSerial: oldSerial, serial }]);
    assert.deepEqual(r.bundles, { admin: 'kept', enrollment: 'issued' });
    assert.notEqual(fresh.privateKeyPem, old.privateKeyPem, 'a new key');
    assert.notEqual(fresh.pkcs12Password, old.pkcs12Password, 'a new PKCS#12');
    assert.equal(await allowed(fresh.certificatePem), true);
    assert.equal(await allowed(old.certificatePem), false);
  });

  it('a bundle the registry never saw (made by an older bootstrap) is kept and registered', async () => {
    const ca = createCa({ now, serial: newSerial(), commonName: 'older CA' });
    sm.create('arn:ca', JSON.stringify({ initialized: true, certificatePem: ca.certificatePem, privateKeyPem: ca.privateKeyPem }));
    const keys = generateKeyPair();
    const cert = issueClientCertificate(ca, { publicKey: keys.publicKey, role: 'admin', commonName: 'drcore admin', serial: newSerial(), now }).certificatePem;
    sm.create('arn:admin', JSON.stringify({ initialized: true, certificatePem: cert, privateKeyPem: privateKeyToPem(keys.privateKey), caCertificatePem: ca.certificatePem, pkcs12Base64: 'AA==', pkcs12Password: 'p' }));
    assert.equal(await allowed(cert), false, 'unknown before');
    const r = await bootstrapPki(deps(), OPTIONS);
    assert.equal(r.bundles.admin, 'kept');
    assert.equal(stored('arn:admin').certificatePem, cert);
    assert.equal(await allowed(cert), true, 'registered by the bootstrap');
  });

  it('an expired bundle gets a new certificate for the same key; the CA is never replaced', async () => {
    await bootstrapPki(deps(), OPTIONS);
    const [ca, before] = [sm.value('arn:ca'), stored('arn:admin')];
    const later = new Date(now.getTime() + 400 * DAY);
    const r = await bootstrapPki(deps(later), OPTIONS);
    assert.equal(r.bundles.admin, 'issued');
    assert.equal(sm.value('arn:ca'), ca);
    const after = stored('arn:admin');
    assert.equal(after.privateKeyPem, before.privateKeyPem);
    assert.notEqual(identityFromCertificate(after.certificatePem).serial, identityFromCertificate(before.certificatePem).serial);
    assert.equal(await allowed(after.certificatePem, later), true);
  });

  it('half a CA is refused (IncompleteCaError), and nothing is written or appended', async () => {
    const ca = createCa({ now, serial: newSerial() });
    sm.create('arn:ca', JSON.stringify({ initialized: true, certificatePem: ca.certificatePem }));
    await assert.rejects(bootstrapPki(deps(), OPTIONS), (e: unknown) => e instanceof IncompleteCaError && e.missing === 'private key');
    assert.deepEqual(sm.calls.filter((c) => c.startsWith('put')), []);
    assert.equal(await logSize(), 0);
  });
});
