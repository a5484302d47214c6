import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiClient } from '../../cli/http-client.js';
import type { PairingView } from '../../shared/app/pairing-service.js';
import { startAwsBackedCore, type AwsBackedCore } from '../support/aws-backed-core.js';
import { eventually, openssl } from '../support/in-process-core.js';

/** Pairing end to end through the local gateway on the AWS adapters (DynamoDB, S3, SQS emulators). */
describe('pairing on the AWS adapters (dynalite, s3rver, local-aws-sqs)', () => {
  let t: AwsBackedCore;
  before(async () => { t = await startAwsBackedCore(); });
  after(async () => { await t?.stop(); });

  it('requests, is acknowledged via SQS, approved, and the certificate authenticates as source-core', async () => {
    const p = t.core.pki;
    const ca = await readFile(p.caCert, 'utf8');
    const enrollment = new ApiClient(t.url, { cert: await readFile(p.enrollmentCert, 'utf8'), key: await readFile(p.enrollmentKey, 'utf8'), ca });
    const admin = new ApiClient(t.url, { cert: await readFile(p.adminCert, 'utf8'), key: await readFile(p.adminKey, 'utf8'), ca });
    try {
      await openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 's.key', '-subj', '/CN=s', '-out', 's.csr'], t.dir);
      const created = await enrollment.json<PairingView>('POST', '/v1/pairing-requests', {
        coreName: 'On AWS', coreId: 'aws-1', email: 'aws@example.com', csr: await readFile(join(t.dir, 's.csr'), 'utf8'),
      });
      await eventually(async () => {
        const { items } = await admin.json<{ items: { id: string; acknowledged: boolean }[] }>('GET', '/v1/admin/pairing-requests');
        return items.find((i) => i.id === created.id && i.acknowledged);
      }, 30_000, 'acknowledged request in the DynamoDB read model');
      await admin.json('POST', `/v1/admin/pairing-requests/${created.id}/approve`, { quotaBytes: 2 ** 30 });
      const done = await eventually(async () => {
        const v = await enrollment.json<PairingView>('GET', `/v1/pairing-requests/${created.id}`);
        return v.certificate ? v : undefined;
      }, 30_000, 'certificate');
      const source = new ApiClient(t.url, { cert: done.certificate!, key: await readFile(join(t.dir, 's.key'), 'utf8'), ca });
      try {
        const me = await source.json<{ role: string; tenantId: string }>('GET', '/v1/whoami');
        assert.deepEqual([me.role, me.tenantId], ['source-core', done.tenantId]);
      } finally { source.close(); }
    } finally { enrollment.close(); admin.close(); }
  });
});
