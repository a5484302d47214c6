import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiClient } from '../../cli/http-client.js';
import type { PairingView } from '../../shared/app/pairing-service.js';
import { startAwsBackedCore, type AwsBackedCore } from '../support/aws-backed-core.js';
import { drcore, eventually, openssl } from '../support/in-process-core.js';

const MiB = 1024 * 1024;

/**
 * The local gateway on the AWS adapters (DynamoDB event log and read models on dynalite,
 * packs on s3rver, workflows on local-aws-sqs): pairing, a base and an incremental
 * replication with the source CLI, both restored byte-identical.
 */
describe('end to end on the AWS adapters (dynalite, s3rver, local-aws-sqs)', () => {
  let t: AwsBackedCore;
  let ca: string;
  let admin: ApiClient;
  before(async () => {
    t = await startAwsBackedCore();
    ca = await readFile(t.core.pki.caCert, 'utf8');
    admin = new ApiClient(t.url, { cert: await readFile(t.core.pki.adminCert, 'utf8'), key: await readFile(t.core.pki.adminKey, 'utf8'), ca });
  });
  after(async () => { admin?.close(); await t?.stop(); });

  it('pairs over plain HTTPS (openssl CSR): acknowledged via SQS, approved, the certificate authenticates as source-core', async () => {
    const p = t.core.pki;
    const enrollment = new ApiClient(t.url, { cert: await readFile(p.enrollmentCert, 'utf8'), key: await readFile(p.enrollmentKey, 'utf8'), ca });
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
    } finally { enrollment.close(); }
  });

  it('replicates a base and an incremental with the source CLI and restores both byte-identical', async () => {
    const p = t.core.pki;
    const state = join(t.dir, 'source');
    const filed = await drcore(['source', 'pair', '--target', t.url, '--ca', p.caCert, '--enrollment-cert', p.enrollmentCert,
      '--enrollment-key', p.enrollmentKey, '--core-name', 'AWS source', '--email', 'src@example.com', '--state', state]);
    assert.equal(filed.code, 0, filed.stderr);
    const id = /Pairing request (\S+) submitted/.exec(filed.stdout)?.[1] ?? '';
    await admin.json('POST', `/v1/admin/pairing-requests/${id}/approve`, { quotaBytes: 2 ** 30 });
    await eventually(async () => {
      const s = await drcore(['source', 'status', '--state', state]);
      return /certificate stored/.test(s.stdout) ? true : undefined;
    }, 30_000, 'certificate pickup');

    // 24 MiB: random, zero and compressible regions.
    const image = Buffer.alloc(24 * MiB);
    randomBytes(8 * MiB).copy(image, 0);
    image.fill('drcore compressible text region. ', 16 * MiB);
    const disk = join(t.dir, 'disk.img');
    await writeFile(disk, image);
    const base = await drcore(['source', 'replicate', '--machine', 'vm-1', '--volume', `sys=${disk}`, '--state', state, '--json'], { timeoutMs: 120_000 });
    assert.equal(base.code, 0, base.stderr);
    const baseRp = JSON.parse(base.stdout.trim().split('\n').at(-1)!) as { rpId: string; kind: string };
    assert.equal(baseRp.kind, 'base');
    await copyFile(disk, join(t.dir, 'disk-at-base.img'));

    for (let i = 0; i < 4; i++) randomBytes(64 * 1024).copy(image, (3 + i * 5) * MiB);
    await writeFile(disk, image);
    const incr = await drcore(['source', 'replicate', '--machine', 'vm-1', '--volume', `sys=${disk}`, '--state', state, '--json'], { timeoutMs: 120_000 });
    assert.equal(incr.code, 0, incr.stderr);
    const incrRp = JSON.parse(incr.stdout.trim().split('\n').at(-1)!) as { rpId: string; kind: string; bytesSent: number; bytesChanged: number };
    assert.equal(incrRp.kind, 'incremental');
    assert.ok(incrRp.bytesSent <= 1.3 * incrRp.bytesChanged, `sent ${incrRp.bytesSent} for ${incrRp.bytesChanged} changed`);

    for (const [rp, expected] of [[baseRp.rpId, join(t.dir, 'disk-at-base.img')], [incrRp.rpId, disk]] as const) {
      const out = join(t.dir, `restore-${rp}`);
      const restored = await drcore(['source', 'restore', '--machine', 'vm-1', '--rp', rp, '--out', out, '--state', state], { timeoutMs: 120_000 });
      assert.equal(restored.code, 0, restored.stderr);
      assert.ok((await readFile(join(out, 'sys.img'))).equals(await readFile(expected)), `RP ${rp} restores byte-identical`);
    }
  });
});
