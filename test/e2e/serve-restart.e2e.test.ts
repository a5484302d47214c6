import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { PairingView } from '../../shared/app/pairing-service.js';
import { drcore, eventually, openssl, startCore } from '../support/in-process-core.js';

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
});
