import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { ApiClient, type Response } from '../../cli/http-client.js';
import { normalizeSerial } from '../../shared/pki/ca.js';
import { createCsr } from '../../shared/pki/csr.js';
import { generateKeyPair, privateKeyToPem } from '../../shared/pki/keys.js';
import { matchPath, ROUTES } from '../../shared/http/routes.js';
import { eventually, startCore, type TestCore } from '../support/in-process-core.js';
import { buildRp, makeVolume, packsOf } from '../support/replication-api-harness.js';

interface Operation { responses: Record<string, { content?: Record<string, unknown> }> }
type Doc = { paths: Record<string, Record<string, Operation>> };

/**
 * Every route, called for real over mTLS in a success case (and a few refusals): the status it
 * answers is one the route table declares and the OpenAPI document lists, and its body is exactly
 * what the route's response schema says (strict: no undocumented field).
 */
describe('OpenAPI conformance: what the handlers answer is what the document says', () => {
  let t: TestCore;
  let admin: ApiClient;
  let enrollment: ApiClient;
  let doc: Doc;
  const covered = new Set<string>();

  before(async () => {
    t = await startCore();
    admin = await t.client('admin');
    enrollment = await t.client('enrollment');
    const res = await admin.send('GET', '/openapi.json');
    doc = JSON.parse(res.body.toString('utf8')) as Doc;
  });
  after(async () => { await t.stop(); });

  /** Sends, then checks the answer against the route table and the document; returns the JSON body. */
  async function call<T = Record<string, unknown>>(client: ApiClient, method: string, path: string, body?: unknown, expect?: number): Promise<T> {
    const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    const res: Response = await client.send(method, path, payload, Buffer.isBuffer(body) ? 'application/octet-stream' : 'application/json');
    const [pathOnly] = path.split('?') as [string];
    const route = ROUTES.find((r) => r.method === method && matchPath(r.path, pathOnly));
    assert.ok(route, `a route for ${method} ${path}`);
    const key = `${route.method} ${route.path}`;
    const text = res.body.toString('utf8');
    if (expect !== undefined) assert.equal(res.status, expect, `${key}: ${text}`);
    const documented = Object.keys(doc.paths[route.path]?.[route.method.toLowerCase()]?.responses ?? {});
    assert.ok(documented.includes(String(res.status)), `${key} answered ${res.status}, the document lists ${documented.join(', ')}: ${text}`);
    const type = String(res.headers['content-type'] ?? '');
    if (res.status >= 400) {
      assert.match(type, /^application\/problem\+json/, key);
      return JSON.parse(text) as T;
    }
    const declared = (route as { status?: readonly number[] }).status ?? [];
    assert.ok(declared.includes(res.status), `${key} answered ${res.status}; the route table declares ${declared.join(', ')}`);
    covered.add(key);
    const schema = (route as { response?: z.ZodType }).response;
    if ('media' in route) {
      const media = (route as { media: string }).media;
      assert.ok(type.startsWith(media.replace(/\*$/, '')), `${key} answers ${type}, the document says ${media}`);
      assert.ok(doc.paths[route.path]?.[route.method.toLowerCase()]?.responses[String(res.status)]?.content?.[media], `${key}: the document lists ${media}`);
      return text as T;
    }
    if ('binary' in route && !('response' in route)) {
      assert.match(type, /^application\/octet-stream/, key);
      return undefined as T;
    }
    assert.ok(schema, `${key} declares its response schema`);
    assert.match(type, /^application\/json/, key);
    const parsed = schema.safeParse(JSON.parse(text));
    assert.ok(parsed.success, `${key}: the body matches its schema: ${parsed.success ? '' : parsed.error.message}\n${text}`);
    return JSON.parse(text) as T;
  }

  function pairingBody(name: string, csr: string) {
    return { coreName: name, coreId: name.toLowerCase(), email: `${name.toLowerCase()}@example.com`, csr };
  }

  it('every route answers a status and a body its route table entry and the document declare', async () => {
    await call(admin, 'GET', '/v1/whoami', undefined, 200);
    await call(admin, 'GET', '/openapi.json', undefined, 200);

    const keys = generateKeyPair();
    const csr = createCsr(keys, 'Conform');
    const a = await call<{ id: string }>(enrollment, 'POST', '/v1/pairing-requests', pairingBody('Conform', csr), 202);
    const b = await call<{ id: string }>(enrollment, 'POST', '/v1/pairing-requests', pairingBody('Rejected', csr), 202);
    const c = await call<{ id: string }>(enrollment, 'POST', '/v1/pairing-requests', pairingBody('Ignored', csr), 202);
    await call(enrollment, 'GET', `/v1/pairing-requests/${a.id}`, undefined, 200);
    await call(admin, 'GET', '/v1/admin/pairing-requests?status=all', undefined, 200);
    const approved = await call<{ tenantId: string }>(admin, 'POST', `/v1/admin/pairing-requests/${a.id}/approve`,
      { quotaBytes: 2 ** 30, retention: { keep: { last: 3, daily: 2 }, binDays: 7 } }, 200);
    await call(admin, 'POST', `/v1/admin/pairing-requests/${b.id}/reject`, { reason: 'unknown customer' }, 200);
    await call(admin, 'POST', `/v1/admin/pairing-requests/${c.id}/ignore`, {}, 200);
    const issued = await eventually(async () => {
      const v = await call<{ certificate?: string; caCertificate?: string }>(enrollment, 'GET', `/v1/pairing-requests/${a.id}`, undefined, 200);
      return v.certificate && v.caCertificate ? v as { certificate: string; caCertificate: string } : undefined;
    }, 30_000, 'the certificate');
    const source = new ApiClient(t.url, { cert: issued.certificate, key: privateKeyToPem(keys.privateKey), ca: issued.caCertificate });
    try {
      const volume = makeVolume('sda', 3, 0);
      await call(source, 'PUT', '/v1/machines/m1', { name: 'Web', volumes: [{ name: 'sda', sizeBytes: volume.bytes.length }] }, 201);
      await call(source, 'PUT', '/v1/machines/m1', { name: 'Web', volumes: [{ name: 'sda', sizeBytes: volume.bytes.length }] }, 200);
      await call(source, 'GET', '/v1/machines', undefined, 200);
      const rp = buildRp([volume]);
      const { missing } = await call<{ missing: string[] }>(source, 'POST', '/v1/machines/m1/recovery-points/rp-1/missing', { chunks: [...rp.chunks.keys()] }, 200);
      assert.equal(missing.length, rp.chunks.size);
      const packs = packsOf(rp.chunks.values(), 2);
      for (const p of packs) await call(source, 'PUT', `/v1/machines/m1/recovery-points/rp-1/packs/${p.id}`, p.bytes, 201);
      await call(source, 'PUT', `/v1/machines/m1/recovery-points/rp-1/packs/${packs[0]!.id}`, packs[0]!.bytes, 200);
      const uploads = await call<{ packs: { packId: string }[] }>(source, 'GET', '/v1/machines/m1/recovery-points/rp-1/uploads', undefined, 200);
      assert.ok(uploads.packs.length >= 1 && uploads.packs.every((u) => packs.some((p) => p.id === u.packId)), 'a page of the uploaded packs');
      const commit = { kind: rp.kind, manifest: rp.manifest, volumes: rp.volumes };
      await call(source, 'POST', '/v1/machines/m1/recovery-points/rp-1/commit', commit, 201);
      await call(source, 'POST', '/v1/machines/m1/recovery-points/rp-1/commit', commit, 200);
      await call(source, 'GET', '/v1/machines/m1/recovery-points/rp-1', undefined, 200);
      await eventually(async () => {
        const list = await call<{ items: unknown[] }>(source, 'GET', '/v1/machines/m1/recovery-points', undefined, 200);
        return list.items.length ? true : undefined;
      }, 15_000, 'the recovery point listed');
      await call(source, 'POST', '/v1/machines/m1/recovery-points/rp-1/chunks/read', { chunks: [rp.manifest] }, 200);
      const renewal = await call<{ renewalId: string }>(source, 'POST', '/v1/certificate-renewals', { csr: createCsr(generateKeyPair(), 'renewed') }, 202);
      await call(source, 'GET', `/v1/certificate-renewals/${renewal.renewalId}`, undefined, 200);
      await call(source, 'GET', '/v1/machines/m1/recovery-points/rp-1/damaged-extents', undefined, 200);
      await call(admin, 'POST', '/v1/admin/verification', { tenantId: approved.tenantId }, 200);
      await eventually(async () => {
        const v = await call<{ machines: { recoveryPoints: { verification: unknown }[] }[] }>(source, 'GET', '/v1/verification', undefined, 200);
        return v.machines[0]?.recoveryPoints[0]?.verification ? true : undefined;
      }, 15_000, 'the verify state projected');
      // The lifecycle: the retention set at approval, changed; an RP deleted into the bin and restored from it.
      const retention = await call<{ policy: string; retention: { binDays: number } }>(admin, 'GET', `/v1/admin/tenants/${approved.tenantId}/retention?dryRun=true`, undefined, 200);
      assert.deepEqual([retention.policy, retention.retention.binDays], ['keep-last=3,keep-daily=2', 7], 'the retention given at approval');
      await call(admin, 'PUT', `/v1/admin/tenants/${approved.tenantId}/retention`, { keep: { last: 5 }, binDays: 14 }, 200);
      await call(admin, 'POST', `/v1/admin/tenants/${approved.tenantId}/recovery-points/rp-1/delete`, { confirmRpId: 'rp-1', reason: 'test' }, 200);
      await eventually(async () => {
        const bin = await call<{ items: unknown[] }>(source, 'GET', '/v1/recycle-bin', undefined, 200);
        return bin.items.length ? true : undefined;
      }, 15_000, 'the deleted RP in the recycle bin');
      await call(source, 'POST', '/v1/recycle-bin/rp-1/restore', {}, 200);
    } finally { source.close(); }
    const asked = await call<{ reportId: string }>(admin, 'POST', `/v1/admin/tenants/${approved.tenantId}/verification-reports`, {}, 202);
    await eventually(async () => {
      const r = await call<{ status: string }>(admin, 'GET', `/v1/admin/tenants/${approved.tenantId}/verification-reports/${asked.reportId}`, undefined, 200);
      return r.status === 'ready' ? true : undefined;
    }, 30_000, 'the signed report');

    await call(admin, 'GET', '/v1/admin/events?limit=50', undefined, 200);
    await call(admin, 'GET', `/v1/admin/events?stream=pairing:${a.id}`, undefined, 200);
    await call(admin, 'GET', '/v1/admin/projection-dead-letters', undefined, 200);
    await call(admin, 'POST', '/v1/admin/storage-migration', {}, 200);
    await call(admin, 'GET', '/v1/admin/usage?from=2026-01-01&to=2026-12-31', undefined, 200);
    await call(admin, 'POST', `/v1/admin/tenants/${approved.tenantId}/quota`, { quotaBytes: 2 ** 31 }, 200);
    await call(admin, 'POST', `/v1/admin/tenants/${approved.tenantId}/suspend`, { reason: 'conformance' }, 200);
    await call(admin, 'POST', `/v1/admin/tenants/${approved.tenantId}/resume`, {}, 200);
    await call(admin, 'POST', `/v1/admin/tenants/${approved.tenantId}/delete`, { confirmTenantId: approved.tenantId, reason: 'conformance' }, 200);
    await call(admin, 'POST', `/v1/admin/tenants/${approved.tenantId}/resume`, {}, 200); // undone before any retention run
    // The operator's control of incoming replication (issue 13).
    await call(admin, 'POST', `/v1/admin/tenants/${approved.tenantId}/replication/pause`, { reason: 'conformance' }, 200);
    await call(admin, 'POST', `/v1/admin/tenants/${approved.tenantId}/replication/resume`, {}, 200);
    await call(admin, 'POST', `/v1/admin/tenants/${approved.tenantId}/machines/m1/replication/pause`, { reason: 'conformance' }, 200);
    await call(admin, 'POST', `/v1/admin/tenants/${approved.tenantId}/machines/m1/replication/resume`, {}, 200);
    await call(admin, 'PUT', `/v1/admin/tenants/${approved.tenantId}/lease`, { leaseEndsAt: '2030-01-01T00:00:00Z' }, 200);
    await call(admin, 'PUT', `/v1/admin/tenants/${approved.tenantId}/rpo`, { rpoTargetSeconds: 3600 }, 200);
    await call(admin, 'PUT', `/v1/admin/tenants/${approved.tenantId}/bandwidth`, { bytesPerSecond: 2_500_000 }, 200);
    await call(admin, 'GET', '/v1/admin/lag', undefined, 200);
    await call(admin, 'GET', '/v1/admin/tenants', undefined, 200);
    const tenant = await eventually(async () => {
      const d = await call<{ machines: unknown[]; certificates: { serial: string }[] }>(admin, 'GET', `/v1/admin/tenants/${approved.tenantId}`, undefined, 200);
      return d.machines.length && d.certificates.length ? d : undefined;
    }, 15_000, 'the tenant with its machine and certificate');
    const gc = await call<{ runId: string }>(admin, 'POST', `/v1/admin/tenants/${approved.tenantId}/gc`, { dryRun: true }, 202);
    await call(admin, 'GET', `/v1/admin/tenants/${approved.tenantId}/gc`, undefined, 200);
    await call(admin, 'POST', `/v1/admin/tenants/${approved.tenantId}/gc/cancel`, { runId: gc.runId, reason: 'test' }, 200).catch(async () => {
      // The workers may have finished the dry run already: then there is nothing to cancel (409, also declared).
      await call(admin, 'POST', `/v1/admin/tenants/${approved.tenantId}/gc/cancel`, { runId: gc.runId, reason: 'test' }, 409);
    });
    await call(admin, 'POST', `/v1/admin/tenants/${approved.tenantId}/certificates/${tenant.certificates[0]!.serial}/revoke`, { reason: 'test' }, 200);
    const enrollmentSerial = normalizeSerial(new X509Certificate(readFileSync(t.core.pki.enrollmentCert)).serialNumber);
    await call(admin, 'POST', `/v1/admin/certificates/${enrollmentSerial}/revoke`, { reason: 'rotated' }, 200);

    // The admin console (issue 14) and the admin reads it added.
    const page = await call<string>(admin, 'GET', '/admin', undefined, 200);
    await call(admin, 'GET', '/apprecovery/admin', undefined, 200);
    const script = /src="admin\/assets\/([^"]+)"/.exec(page)?.[1];
    assert.ok(script, page);
    await call(admin, 'GET', `/admin/assets/${script}`, undefined, 200);
    await call(admin, 'GET', `/apprecovery/admin/assets/${script}`, undefined, 200);
    const rps = await call<{ items: Array<{ rpId: string }> }>(admin, 'GET', `/v1/admin/tenants/${approved.tenantId}/machines/m1/recovery-points`, undefined, 200);
    assert.deepEqual(rps.items.map((r) => r.rpId), ['rp-1']);
    await call(admin, 'GET', `/v1/admin/tenants/${approved.tenantId}/recycle-bin`, undefined, 200);
    const chains = await call<{ ok: boolean }>(admin, 'GET', '/v1/admin/log-verification', undefined, 200);
    assert.equal(chains.ok, true);
    // A seed import: the request is queued (202); the worker refuses this empty manifest, and the status says why.
    mkdirSync(join(t.dataDir, 'seed-inbox', 'conformance', 'medium-01'), { recursive: true });
    writeFileSync(join(t.dataDir, 'seed-inbox', 'conformance', 'medium-01', 'seed.json'), '{}');
    const seedImport = await call<{ importId: string }>(admin, 'POST', '/v1/admin/seed-imports', { tenantId: approved.tenantId, prefix: 'conformance' }, 202);
    await eventually(async () => {
      const r = await call<{ status: string }>(admin, 'GET', `/v1/admin/seed-imports/${seedImport.importId}`, undefined, 200);
      return r.status === 'failed' ? true : undefined;
    }, 15_000, 'the seed import refused');
    await call(admin, 'GET', '/v1/admin/seed-imports', undefined, 200);

    const missingRoutes = ROUTES.map((r) => `${r.method} ${r.path}`).filter((k) => !covered.has(k));
    assert.deepEqual(missingRoutes, [], 'every route was called in a success case');
  });

  it('refusals answer statuses the document lists, as problem+json', async () => {
    await call(admin, 'GET', '/v1/pairing-requests/pr-nope', undefined, 404);
    await call(admin, 'POST', '/v1/admin/pairing-requests/pr-nope/approve', { quotaBytes: 'lots' }, 400);
    await call(admin, 'GET', '/v1/admin/tenants/t-nope', undefined, 404);
    await call(admin, 'GET', '/admin/assets/nope.js', undefined, 404);
    await call(admin, 'GET', '/admin/assets/index.html', undefined, 404);
    await call(admin, 'GET', '/v1/admin/log-verification?x=1', undefined, 400);
    await call(enrollment, 'GET', '/admin', undefined, 403);
    await call(admin, 'POST', '/v1/admin/seed-imports', { tenantId: 't-nope', prefix: '../outside' }, 400);
    await call(admin, 'GET', '/v1/admin/seed-imports/seed-nope', undefined, 404);
    await call(admin, 'POST', '/v1/admin/certificates/00abcdef/revoke', { reason: 'x' }, 404);
    await call(admin, 'GET', '/v1/machines', undefined, 403);
  });
});
