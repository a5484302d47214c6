import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiClient } from '../../cli/http-client.js';
import type { PairingView } from '../../shared/app/pairing-service.js';
import { loadCa, newSerial } from '../../shared/pki/ca.js';
import { issueClientCertificate } from '../../shared/pki/client-cert.js';
import { generateKeyPair, privateKeyToPem } from '../../shared/pki/keys.js';
import { identityFromCertificate } from '../../shared/pki/identity.js';
import type { PairingRequestSummary } from '../../shared/app/projections/pairing-requests.js';
import { deadLetterProjection, noteProjectionFailure, type ProjectionDeadLetter } from '../../shared/app/projections/projection-dead-letters.js';
import { eventually, openssl, startCore, type TestCore } from '../support/in-process-core.js';

/**
 * The whole pairing flow over real mutual TLS on loopback with a plain HTTPS client:
 * key and CSR made by openssl, enrollment certificate from DATA/pki.
 */
describe('pairing over mTLS (plain HTTPS client, openssl CSR)', () => {
  let t: TestCore;
  let enrollment: ApiClient;
  let admin: ApiClient;

  before(async () => {
    t = await startCore();
    enrollment = await t.client('enrollment');
    admin = await t.client('admin');
  });
  after(async () => { await t.stop(); });

  async function newCsr(name: string): Promise<{ csr: string; keyFile: string }> {
    const keyFile = join(t.dir, `${name}.key`);
    await openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-subj', `/CN=${name}`, '-out', join(t.dir, `${name}.csr`)], t.dir);
    return { csr: await readFile(join(t.dir, `${name}.csr`), 'utf8'), keyFile };
  }

  it('requests, is acknowledged automatically, approved, and the certificate authenticates as source-core of the new tenant', async () => {
    const { csr, keyFile } = await newCsr('acme');
    const created = await enrollment.json<PairingView>('POST', '/v1/pairing-requests', {
      coreName: 'ACME core', coreId: 'acme-01', email: 'ops@acme.example', customerId: 'ACME', message: 'hello', csr,
    });
    assert.equal(created.status, 'pending');
    assert.match(created.id, /^[A-Za-z0-9._-]{1,64}$/);

    const acked = await eventually(async () => {
      const v = await enrollment.json<PairingView>('GET', `/v1/pairing-requests/${created.id}`);
      return v.feedback.length >= 2 ? v : undefined;
    }, 15_000, 'automatic acknowledgement');
    assert.match(acked.feedback[1]!.message, /queued for review/);

    const pending = await eventually(async () => {
      const { items } = await admin.json<{ items: { id: string; status: string; acknowledged: boolean }[] }>('GET', '/v1/admin/pairing-requests?status=pending');
      const mine = items.find((i) => i.id === created.id);
      return mine?.acknowledged ? items : undefined;
    }, 15_000, 'review queue');
    assert.ok(pending.some((i) => i.id === created.id && i.status === 'pending'));

    const approved = await admin.json<PairingView>('POST', `/v1/admin/pairing-requests/${created.id}/approve`, { quotaBytes: 10 * 2 ** 30, note: 'welcome' });
    assert.equal(approved.status, 'approved');
    assert.ok(approved.tenantId);

    const done = await eventually(async () => {
      const v = await enrollment.json<PairingView>('GET', `/v1/pairing-requests/${created.id}`);
      return v.certificate ? v : undefined;
    }, 15_000, 'certificate issuance');
    assert.equal(done.status, 'approved');
    assert.match(done.certificate!, /BEGIN CERTIFICATE/);
    assert.match(done.caCertificate!, /BEGIN CERTIFICATE/);
    assert.match(done.feedback.at(-1)!.message, /Certificate .* issued/);

    const source = new ApiClient(t.url, { cert: done.certificate!, key: await readFile(keyFile, 'utf8'), ca: done.caCertificate! });
    try {
      const me = await source.json<{ role: string; tenantId: string; serial: string; subject: string }>('GET', '/v1/whoami');
      assert.equal(me.role, 'source-core');
      assert.equal(me.tenantId, done.tenantId);
      // A source-core certificate is not an admin's.
      const refused = await source.send('GET', '/v1/admin/pairing-requests');
      assert.equal(refused.status, 403);
      assert.equal(refused.headers['content-type'], 'application/problem+json');
    } finally { source.close(); }

    const tenants = await eventually(async () => {
      const { items } = await admin.json<{ items: { tenantId: string; quotaBytes: number; customerId?: string }[] }>('GET', '/v1/admin/tenants');
      return items.find((i) => i.tenantId === done.tenantId);
    }, 15_000, 'tenant projection');
    assert.equal(tenants.quotaBytes, 10 * 2 ** 30);
    assert.equal(tenants.customerId, 'ACME');
  });

  it('a rejection records its reason as feedback; the request leaves the review queue', async () => {
    const { csr } = await newCsr('rejectme');
    const created = await enrollment.json<PairingView>('POST', '/v1/pairing-requests', { coreName: 'Unknown', coreId: 'x-1', email: 'x@example.com', csr });
    const rejected = await admin.json<PairingView>('POST', `/v1/admin/pairing-requests/${created.id}/reject`, { reason: 'no contract on file' });
    assert.equal(rejected.status, 'rejected');
    const view = await enrollment.json<PairingView>('GET', `/v1/pairing-requests/${created.id}`);
    assert.equal(view.status, 'rejected');
    assert.ok(view.feedback.some((f) => f.message === 'Rejected: no contract on file'));
    assert.equal(view.certificate, undefined);
    await eventually(async () => {
      const { items } = await admin.json<{ items: { id: string }[] }>('GET', '/v1/admin/pairing-requests?status=rejected');
      return items.some((i) => i.id === created.id) ? true : undefined;
    }, 15_000, 'rejected list');
    const { items } = await admin.json<{ items: { id: string }[] }>('GET', '/v1/admin/pairing-requests?status=pending');
    assert.ok(!items.some((i) => i.id === created.id));
  });

  it('an ignored request is set aside with feedback and can no longer be approved', async () => {
    const { csr } = await newCsr('ignoreme');
    const created = await enrollment.json<PairingView>('POST', '/v1/pairing-requests', { coreName: 'Spam', coreId: 'spam', email: 's@example.com', csr });
    const ignored = await admin.json<PairingView>('POST', `/v1/admin/pairing-requests/${created.id}/ignore`, {});
    assert.equal(ignored.status, 'ignored');
    const again = await admin.send('POST', `/v1/admin/pairing-requests/${created.id}/approve`, Buffer.from(JSON.stringify({ quotaBytes: 2 ** 30 })));
    assert.equal(again.status, 409);
  });

  it('a revoked source-core certificate stops working at once', async () => {
    const { csr, keyFile } = await newCsr('revokeme');
    const created = await enrollment.json<PairingView>('POST', '/v1/pairing-requests', { coreName: 'Revoke', coreId: 'rv', email: 'r@example.com', csr });
    await admin.json('POST', `/v1/admin/pairing-requests/${created.id}/approve`, { quotaBytes: 2 ** 30 });
    const done = await eventually(async () => {
      const v = await enrollment.json<PairingView>('GET', `/v1/pairing-requests/${created.id}`);
      return v.certificate ? v : undefined;
    }, 15_000, 'certificate');
    const source = new ApiClient(t.url, { cert: done.certificate!, key: await readFile(keyFile, 'utf8'), ca: done.caCertificate! });
    try {
      assert.equal((await source.send('GET', '/v1/whoami')).status, 200);
      await admin.json('POST', `/v1/admin/tenants/${done.tenantId}/certificates/${done.certificateSerial}/revoke`, { reason: 'laptop stolen' });
      const after = await source.send('GET', '/v1/whoami');
      assert.equal(after.status, 403);
    } finally { source.close(); }
  });

  it('refuses a certificate of the core\'s CA that the registry never saw (403); revocation takes the serial, no PEM', async () => {
    // An enrollment certificate signed by the core's CA outside the registry (a leaked CA key, or a bundle of an older AWS bootstrap).
    const ca = loadCa(await readFile(t.core.pki.caCert, 'utf8'), await readFile(t.core.pki.caKey, 'utf8'));
    const keys = generateKeyPair();
    const serial = newSerial();
    const extra = issueClientCertificate(ca, { publicKey: keys.publicKey, role: 'enrollment', commonName: 'partner enrollment', serial, now: new Date() });
    const partner = new ApiClient(t.url, { cert: extra.certificatePem, key: privateKeyToPem(keys.privateKey), ca: ca.certificatePem });
    try {
      const refused = await partner.send('GET', '/v1/whoami');
      assert.equal(refused.status, 403, 'a certificate the registry does not know is refused');
      assert.equal((await partner.send('POST', '/v1/pairing-requests', Buffer.from('{}'))).status, 403);
      const unknown = await admin.send('POST', `/v1/admin/certificates/${serial}/revoke`, Buffer.from(JSON.stringify({ reason: 'leaked' })));
      assert.equal(unknown.status, 404);
      assert.match(unknown.body.toString(), /not in the registry/);
      const withPem = await admin.send('POST', `/v1/admin/certificates/${serial}/revoke`, Buffer.from(JSON.stringify({ reason: 'x', certificate: extra.certificatePem })));
      assert.equal(withPem.status, 400, 'the certificate field is gone: an unknown field is bad input');

      const me = await admin.json<{ serial: string }>('GET', '/v1/whoami');
      const self = await admin.send('POST', `/v1/admin/certificates/${me.serial}/revoke`, Buffer.from(JSON.stringify({ reason: 'oops' })));
      assert.equal(self.status, 409, 'an admin cannot lock itself out');
    } finally { partner.close(); }
  });

  it('the CA refusing to sign: the source sees why and what to do, no tenant is left, the operator is alerted and the job is dead-lettered', async () => {
    // A real refusal: the CA signs common names of 1 to 64 characters; the core name becomes the
    // common name. The request schema will refuse such a name at the edge, so the request is
    // crafted by appending its event directly, as a request recorded before that limit would be.
    const { csr } = await newCsr('longname');
    const requestId = 'pr-long-core-name';
    const coreName = `Core ${'x'.repeat(95)}`; // 100 characters
    const enrollmentSerial = identityFromCertificate(await readFile(t.core.pki.enrollmentCert, 'utf8')).serial;
    await t.deps.events.append(`pairing:${requestId}`, 0, [{
      type: 'PairingRequested', at: new Date().toISOString(), actor: `enrollment:${enrollmentSerial}`,
      data: { requestId, coreName, coreId: 'long-01', email: 'ops@long.example', csrPem: csr, enrollmentSerial },
    }]);
    const approved = await admin.json<PairingView>('POST', `/v1/admin/pairing-requests/${requestId}/approve`, { quotaBytes: 2 ** 30 });
    assert.equal(approved.status, 'approved');

    // The source, polling its request, is told.
    const failed = await eventually(async () => {
      const v = await enrollment.json<PairingView>('GET', `/v1/pairing-requests/${requestId}`);
      return v.status === 'failed' ? v : undefined;
    }, 15_000, 'the failure as feedback');
    assert.equal(failed.certificate, undefined);
    assert.equal(failed.tenantId, undefined, 'no tenant is announced');
    const last = failed.feedback.at(-1)!.message;
    assert.match(last, /^Your certificate could not be issued: the certificate authority refused it: invalid common name: 1 to 64 characters/);
    assert.match(last, /send a new pairing request/);
    assert.doesNotMatch(last, /\bat \S+\.ts:|Error:|\n/, 'no stack trace');

    // The state is consistent: the failure recorded once, no tenant, no certificate.
    const stream = await t.deps.events.readStream(`pairing:${requestId}`);
    assert.equal(stream.filter((e) => e.type === 'PairingCertificateFailed').length, 1);
    assert.deepEqual(await t.deps.events.readStream(`tenant:${approved.tenantId!}`), [], 'no tenant was created');

    // The operator: the review listing shows the failure, a notification says so, and the job is in the dead-letter queue.
    const listed = await eventually(async () => {
      const { items } = await admin.json<{ items: PairingRequestSummary[] }>('GET', '/v1/admin/pairing-requests?status=failed');
      return items.find((i) => i.id === requestId);
    }, 15_000, 'the failed request in the admin listing');
    assert.match(listed.reason ?? '', /refused it: invalid common name/);
    const notes = await t.deps.notifier.recent();
    assert.ok(notes.some((n) => n.kind === 'pairing-failed' && n.body.includes(requestId)), 'the operator is notified');
    const dead = await eventually(async () => {
      const letters = await t.deps.queue.receiveDeadLetters('workflow', { maxMessages: 10 });
      return letters.find((m) => m.body.includes(requestId));
    }, 15_000, 'the job in the dead-letter queue');
    assert.deepEqual(JSON.parse(dead.body), { type: 'PairingApproved', requestId });
    assert.equal((await t.deps.events.readStream(`pairing:${requestId}`)).filter((e) => e.type === 'PairingCertificateFailed').length, 1,
      'the redeliveries on the way to the dead-letter queue recorded nothing more');
  });

  it('lists the projection dead letters to the admin, with their error', async () => {
    const empty = await admin.json<{ items: ProjectionDeadLetter[] }>('GET', '/v1/admin/projection-dead-letters');
    assert.deepEqual(empty.items, []);
    // Recorded as the projector and the stream dispatcher record them (test/unit/stream-and-queue-handlers covers how a poison event gets here).
    const record = { position: '999999', streamId: 'cert:poison', version: 1, type: 'CertificateMangled' };
    await noteProjectionFailure(t.deps.operational, record, new Error('unknown certificate event'), '2026-11-25T07:00:00.000Z');
    await deadLetterProjection(t.deps.operational, record, 11, '2026-11-25T07:00:00.000Z', '2026-11-25T07:00:13.000Z');
    const { items } = await admin.json<{ items: ProjectionDeadLetter[] }>('GET', '/v1/admin/projection-dead-letters');
    assert.deepEqual(items, [{ ...record, attempts: 11, error: 'Error: unknown certificate event', firstFailedAt: '2026-11-25T07:00:00.000Z', deadLetteredAt: '2026-11-25T07:00:13.000Z' }]);
    assert.equal((await enrollment.send('GET', '/v1/admin/projection-dead-letters')).status, 403, 'admins only');
  });

  it('serves the OpenAPI document generated from the request schemas', async () => {
    const doc = await admin.json<{ openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { required?: string[] } }> } }>> }>('GET', '/openapi.json');
    assert.equal(doc.openapi, '3.1.0');
    const body = doc.paths['/v1/pairing-requests']?.['post']?.requestBody?.content['application/json']?.schema;
    assert.deepEqual(body?.required?.sort(), ['coreId', 'coreName', 'csr', 'email']);
  });
});
