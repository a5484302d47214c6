import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import type { ApiClient} from '../../cli/http-client.js';
import { type Response } from '../../cli/http-client.js';
import type { PairingView } from '../../shared/app/pairing-service.js';
import { createCa } from '../../shared/pki/ca.js';
import { issueClientCertificate } from '../../shared/pki/client-cert.js';
import { newSerial } from '../../shared/pki/ca.js';
import { generateKeyPair, privateKeyToPem } from '../../shared/pki/keys.js';
import { eventually, logSize, openssl, startCore, type TestCore } from '../support/in-process-core.js';

/**
 * Every refusal of the pairing API: a clear 4xx application/problem+json
 * {type, title, status, detail}, and nothing appended to the event log.
 */
describe('pairing API refusals', () => {
  let t: TestCore;
  let enrollment: ApiClient;
  let admin: ApiClient;
  let csr: string;
  let decidedId: string;

  before(async () => {
    t = await startCore();
    enrollment = await t.client('enrollment');
    admin = await t.client('admin');
    await openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'r.key', '-subj', '/CN=r', '-out', 'r.csr'], t.dir);
    csr = await readFile(join(t.dir, 'r.csr'), 'utf8');
    const created = await enrollment.json<PairingView>('POST', '/v1/pairing-requests', { coreName: 'c', coreId: 'c', email: 'c@example.com', csr });
    await admin.json('POST', `/v1/admin/pairing-requests/${created.id}/reject`, { reason: 'test' });
    decidedId = created.id;
    // Let the workflow settle (the acknowledgement, if it ran before the rejection; the
    // rejection notification) so the log is quiet while we measure it.
    await eventually(async () => ((await t.deps.notifier.recent()).some((n) => n.id === `pairing-rejected-${decidedId}`) ? true : undefined));
    await new Promise((r) => setTimeout(r, 500));
  });
  after(async () => { await t.stop(); });

  async function refused(client: ApiClient, method: string, path: string, body: Buffer | string | undefined, status: number | number[], contentType?: string): Promise<Response> {
    const before = await logSize(t.deps);
    const res = await client.send(method, path, typeof body === 'string' ? Buffer.from(body) : body, contentType);
    const statuses = Array.isArray(status) ? status : [status];
    assert.ok(statuses.includes(res.status), `expected ${statuses.join('/')}, got ${res.status}: ${res.body.toString()}`);
    assert.equal(res.headers['content-type'], 'application/problem+json');
    const problem = JSON.parse(res.body.toString()) as Record<string, unknown>;
    assert.equal(problem['status'], res.status);
    for (const k of ['type', 'title', 'detail']) assert.equal(typeof problem[k], 'string', `problem.${k}`);
    assert.ok((problem['detail'] as string).length > 0);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(await logSize(t.deps), before, 'nothing appended to the log');
    return res;
  }
  const json = (v: unknown) => JSON.stringify(v);
  const valid = () => ({ coreName: 'ACME', coreId: 'acme', email: 'ops@acme.example', csr });

  it('invalid JSON → 400', async () => { await refused(enrollment, 'POST', '/v1/pairing-requests', '{"coreName":', 400); });
  it('a JSON body that is not an object → 400', async () => { await refused(enrollment, 'POST', '/v1/pairing-requests', '[1,2]', 400); });
  it('a missing field → 400 naming it', async () => {
    const { email: _omit, ...rest } = valid();
    const res = await refused(enrollment, 'POST', '/v1/pairing-requests', json(rest), 400);
    assert.match(res.body.toString(), /email/);
  });
  it('an unknown field → 400', async () => { await refused(enrollment, 'POST', '/v1/pairing-requests', json({ ...valid(), admin: true }), 400); });
  it('an oversized field → 400', async () => { await refused(enrollment, 'POST', '/v1/pairing-requests', json({ ...valid(), coreName: 'x'.repeat(129) }), 400); });
  it('an oversized body → 413', async () => { await refused(enrollment, 'POST', '/v1/pairing-requests', json({ ...valid(), message: 'x'.repeat(70_000) }), 413); });
  it('a bad e-mail or id → 400', async () => {
    await refused(enrollment, 'POST', '/v1/pairing-requests', json({ ...valid(), email: 'not-an-address' }), 400);
    await refused(enrollment, 'POST', '/v1/pairing-requests', json({ ...valid(), coreId: '../etc' }), 400);
  });
  it('a wrong content type → 415', async () => { await refused(enrollment, 'POST', '/v1/pairing-requests', json(valid()), 415, 'text/plain'); });
  it('a CSR that does not parse → 400 or 422', async () => {
    await refused(enrollment, 'POST', '/v1/pairing-requests', json({ ...valid(), csr: '-----BEGIN CERTIFICATE REQUEST-----\nnot base64 at all\n-----END CERTIFICATE REQUEST-----\n' }), [400, 422]);
  });
  it('a CSR whose signature is wrong → 422', async () => {
    const lines = csr.trim().split('\n');
    const body = Buffer.from(lines.slice(1, -1).join(''), 'base64');
    body.writeUInt8(body.readUInt8(body.length - 10) ^ 0xff, body.length - 10); // flip bits in the signature
    const tampered = `${lines[0]}\n${body.toString('base64').match(/.{1,64}/g)!.join('\n')}\n${lines.at(-1)}\n`;
    const res = await refused(enrollment, 'POST', '/v1/pairing-requests', json({ ...valid(), csr: tampered }), [400, 422]);
    assert.match(res.body.toString(), /signature|CSR/i);
  });
  it('an unknown request id → 404; an invalid one → 400', async () => {
    await refused(enrollment, 'GET', '/v1/pairing-requests/pr-doesnotexist', undefined, 404);
    await refused(admin, 'POST', '/v1/admin/pairing-requests/pr-doesnotexist/approve', json({ quotaBytes: 2 ** 30 }), 404);
    await refused(enrollment, 'GET', '/v1/pairing-requests/a%2F..%2Fb', undefined, 400);
  });
  it('an enrollment certificate on admin routes → 403', async () => {
    await refused(enrollment, 'GET', '/v1/admin/pairing-requests', undefined, 403);
    await refused(enrollment, 'POST', `/v1/admin/pairing-requests/${decidedId}/approve`, json({ quotaBytes: 2 ** 30 }), 403);
    await refused(enrollment, 'GET', '/v1/admin/events', undefined, 403);
  });
  it('an admin certificate cannot file pairing requests (enrollment role only) → 403', async () => {
    await refused(admin, 'POST', '/v1/pairing-requests', json(valid()), 403);
  });
  it('deciding an already decided request → 409', async () => {
    await refused(admin, 'POST', `/v1/admin/pairing-requests/${decidedId}/approve`, json({ quotaBytes: 2 ** 30 }), 409);
    await refused(admin, 'POST', `/v1/admin/pairing-requests/${decidedId}/reject`, json({ reason: 'again' }), 409);
    await refused(admin, 'POST', `/v1/admin/pairing-requests/${decidedId}/ignore`, '{}', 409);
  });
  it('bad approval input → 400 (quota missing, negative, not an integer)', async () => {
    await refused(admin, 'POST', `/v1/admin/pairing-requests/${decidedId}/approve`, '{}', 400);
    await refused(admin, 'POST', `/v1/admin/pairing-requests/${decidedId}/approve`, json({ quotaBytes: -5 }), 400);
    await refused(admin, 'POST', `/v1/admin/pairing-requests/${decidedId}/approve`, json({ quotaBytes: 1.5 }), 400);
    await refused(admin, 'POST', `/v1/admin/pairing-requests/${decidedId}/reject`, json({ reason: '  ' }), 400);
  });
  it('an unknown route → 404, a wrong method → 405', async () => {
    await refused(admin, 'GET', '/v1/nothing-here', undefined, 404);
    await refused(admin, 'DELETE', '/v1/whoami', undefined, 405);
  });

  function rawGet(options: { cert?: string; key?: string }): Promise<number> {
    return new Promise((resolve, reject) => {
      readFile(t.core.pki.caCert, 'utf8').then((ca) => {
        const req = request(`${t.url}/v1/whoami`, { ca, ...options, agent: false }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
        req.on('error', reject);
        req.end();
      }, reject);
    });
  }

  it('a client without a certificate never reaches a handler (TLS refuses it)', async () => {
    const before = await logSize(t.deps);
    await assert.rejects(rawGet({}), /certificate|socket hang up|ECONNRESET|alert/i);
    assert.equal(await logSize(t.deps), before);
  });

  it('a client with a certificate from another CA never reaches a handler', async () => {
    const now = new Date();
    const otherCa = createCa({ now, serial: newSerial(), commonName: 'evil CA' });
    const keys = generateKeyPair();
    const forged = issueClientCertificate(otherCa, { publicKey: keys.publicKey, role: 'admin', commonName: 'mallory', serial: newSerial(), now });
    await assert.rejects(rawGet({ cert: forged.certificatePem, key: privateKeyToPem(keys.privateKey) }), /certificate|socket hang up|ECONNRESET|alert/i);
  });
});
