import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { PairingView } from '../../shared/app/pairing-service.js';
import { ApiClient } from '../../cli/http-client.js';
import { revokeAnyCertificate } from '../../shared/app/certificate-service.js';
import { identityFromCertificate } from '../../shared/pki/identity.js';
import { drcore, eventually, openssl, startCore } from '../support/in-process-core.js';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { ensurePki } from '../../local/pki-bootstrap.js';
import { SqliteEventStore } from '../../shared/adapters/local/sqlite-event-store.js';
import { loadState } from '../../shared/app/command-handler.js';
import { certificateDecider } from '../../shared/domain/certificate.js';
import { streams } from '../../shared/ids.js';

/** First start creates the PKI, later starts reuse it; a restart keeps every request and event. */
describe('drcore serve: restart keeps all state', () => {
  it('reuses the PKI byte for byte and keeps pairing requests and the log', async () => {
    const first = await startCore({ keep: true });
    const { dir } = first;
    try {
      const p = first.core.pki;
      for (const f of [p.caKey, p.adminKey, p.enrollmentKey, p.serverKey, p.adminP12Password]) {
        assert.equal((await stat(f)).mode & 0o777, 0o600, `${f} is 0600`);
      }
      const before = await Promise.all([p.caCert, p.adminCert, p.enrollmentCert, p.adminP12].map((f) => readFile(f)));
      await openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'k.pem', '-subj', '/CN=k', '-out', 'k.csr'], dir);
      const enrollment = await first.client('enrollment');
      const created = await enrollment.json<PairingView>('POST', '/v1/pairing-requests', {
        coreName: 'Persist', coreId: 'persist', email: 'p@example.com', csr: await readFile(join(dir, 'k.csr'), 'utf8'),
      });
      await eventually(async () => ((await enrollment.json<PairingView>('GET', `/v1/pairing-requests/${created.id}`)).feedback.length >= 2 ? true : undefined));
      await first.stop();

      const second = await startCore({ dir, keep: true });
      try {
        const after = await Promise.all([p.caCert, p.adminCert, p.enrollmentCert, p.adminP12].map((f) => readFile(f)));
        after.forEach((b, i) => assert.ok(b.equals(before[i]!), 'PKI file reused unchanged'));
        const e2 = await second.client('enrollment');
        const view = await e2.json<PairingView>('GET', `/v1/pairing-requests/${created.id}`);
        assert.equal(view.status, 'pending');
        assert.equal(view.feedback.length, 2);
        const admin = await second.client('admin');
        const { items } = await admin.json<{ items: { id: string }[] }>('GET', '/v1/admin/pairing-requests');
        assert.ok(items.some((i) => i.id === created.id));
        const verified = await drcore(['admin', 'verify-log', '--data', second.dataDir]);
        assert.equal(verified.code, 0, verified.stdout);
      } finally { await second.stop(); }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reissues a revoked enrollment or admin bundle on restart (new key, new serial, registered); the revoked one stays refused', async () => {
    const first = await startCore({ keep: true });
    const { dir } = first;
    try {
      const p = first.core.pki;
      const read = async (...files: string[]) => Promise.all(files.map((f) => readFile(f, 'utf8')));
      const [ca, oldEnrollmentCert, oldEnrollmentKey, oldAdminCert, oldAdminKey, oldP12Password] = await read(
        p.caCert, p.enrollmentCert, p.enrollmentKey, p.adminCert, p.adminKey, p.adminP12Password);
      const oldEnrollmentSerial = identityFromCertificate(oldEnrollmentCert!).serial;
      const oldAdminSerial = identityFromCertificate(oldAdminCert!).serial;
      assert.deepEqual(first.core.reissued, [], 'nothing to reissue on a first start');

      const admin = await first.client('admin');
      await admin.json('POST', `/v1/admin/certificates/${oldEnrollmentSerial}/revoke`, { reason: 'enrollment bundle leaked' });
      // An admin cannot revoke the certificate it calls with: the admin bundle is revoked as a second admin would.
      await revokeAnyCertificate(first.deps, oldAdminSerial, { reason: 'laptop lost' }, 'other-admin', 'admin:other-admin');
      const stale = new ApiClient(first.url, { cert: oldEnrollmentCert!, key: oldEnrollmentKey!, ca: ca! });
      try { assert.equal((await stale.send('GET', '/v1/whoami')).status, 403); } finally { stale.close(); }
      await first.stop();

      const second = await startCore({ dir, keep: true });
      try {
        const [newEnrollmentCert, newEnrollmentKey, newAdminCert, newAdminKey, newP12Password] = await read(
          p.enrollmentCert, p.enrollmentKey, p.adminCert, p.adminKey, p.adminP12Password);
        const newEnrollmentSerial = identityFromCertificate(newEnrollmentCert!).serial;
        const newAdminSerial = identityFromCertificate(newAdminCert!).serial;
        assert.deepEqual(second.core.reissued.map((r) => ({ ...r })), [
          { role: 'admin', revokedSerial: oldAdminSerial, serial: newAdminSerial },
          { role: 'enrollment', revokedSerial: oldEnrollmentSerial, serial: newEnrollmentSerial },
        ]);
        assert.notEqual(newEnrollmentSerial, oldEnrollmentSerial);
        assert.notEqual(newEnrollmentKey, oldEnrollmentKey, 'a new enrollment key');
        assert.notEqual(newAdminKey, oldAdminKey, 'a new admin key');
        assert.notEqual(newP12Password, oldP12Password, 'a new PKCS#12 bundle for the new admin certificate');
        for (const f of [p.adminKey, p.enrollmentKey, p.adminP12, p.adminP12Password]) {
          assert.equal((await stat(f)).mode & 0o777, 0o600, `${f} is 0600`);
        }

        const enrollment = await second.client('enrollment');
        const me = await enrollment.json<{ role: string; serial: string }>('GET', '/v1/whoami');
        assert.deepEqual(me, { ...me, role: 'enrollment', serial: newEnrollmentSerial });
        await openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'r.pem', '-subj', '/CN=r', '-out', 'r.csr'], dir);
        const created = await enrollment.json<PairingView>('POST', '/v1/pairing-requests', {
          coreName: 'Reissued', coreId: 'reissued', email: 'r@example.com', csr: await readFile(join(dir, 'r.csr'), 'utf8'),
        });
        assert.equal(created.status, 'pending');
        const newAdmin = await second.client('admin');
        assert.equal((await newAdmin.json<{ role: string }>('GET', '/v1/whoami')).role, 'admin');

        for (const [cert, key] of [[oldEnrollmentCert!, oldEnrollmentKey!], [oldAdminCert!, oldAdminKey!]] as const) {
          const old = new ApiClient(second.url, { cert, key, ca: ca! });
          try { assert.equal((await old.send('GET', '/v1/whoami')).status, 403, 'the revoked bundle stays refused'); } finally { old.close(); }
        }
      } finally { await second.stop(); }

      // A third start has nothing to reissue: the new bundles are valid and registered.
      const third = await startCore({ dir, keep: true });
      try { assert.deepEqual(third.core.reissued, []); } finally { await third.stop(); }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a data dir whose bootstrap certificates were never registered (an older version) gets them registered at start, and they work', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'drcore-test-'));
    try {
      const elsewhere = SqliteEventStore.open(':memory:'); // the PKI files exist, this data dir's registry has never seen them
      const p = await ensurePki(join(dir, 'data'), { events: elsewhere });
      await elsewhere.close();
      const core = await startCore({ dir, keep: true });
      try {
        for (const [role, cert] of [['admin', p.adminCert], ['enrollment', p.enrollmentCert]] as const) {
          const serial = identityFromCertificate(await readFile(cert, 'utf8')).serial;
          const { state } = await loadState(core.deps.events, streams.cert(serial), certificateDecider);
          assert.equal(state.status, 'valid', `${role} registered`);
          const me = await (await core.client(role)).json<{ role: string; serial: string }>('GET', '/v1/whoami');
          assert.deepEqual([me.role, me.serial], [role, serial]);
        }
        assert.deepEqual(core.core.reissued, []);
      } finally { await core.stop(); }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
