/**
 * In-process harness for the replication API tests: the real handlers over local adapters in
 * a temp dir, API Gateway proxy events as the local gateway builds them (with the authorizer
 * context a source-core certificate gets), two real tenants, and a tiny reference source
 * (small geometry) that replicates and restores through the API. The mTLS end-to-end path is
 * covered by the e2e suites; this one exercises every server rule quickly.
 * (A support module, no tests: test/int/replication-api*.int.test.ts use it.)
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { proxyEvent } from '../../local/api-event.js';
import { lambdaContext } from '../../local/lambda-context.js';
import { ensurePki } from '../../local/pki-bootstrap.js';
import { handleCommand } from '../../shared/app/command-handler.js';
import type { AppDeps } from '../../shared/app/deps.js';
import { projectEvent } from '../../shared/app/projections/projector.js';
import { tenantDecider } from '../../shared/domain/tenant.js';
import {
  encodeExtent, encodeManifest, encodePack, ManifestReader, PackBuilder, restoreVolume, type EncodedPack, type ExtentEntry, type Geometry, type Manifest,
} from '../../shared/format/index.js';
import { streams } from '../../shared/ids.js';
import { matchPath, ROUTES } from '../../shared/http/routes.js';
import { localDeps } from '../../shared/runtime/local-deps.js';
import { makeHandler as makeReplicationApi } from '../../functions/handlers/replication-api.js';
import { makeHandler as makeAdminApi } from '../../functions/handlers/admin-api.js';

export const GEOMETRY: Geometry = { extentSize: 64 * 1024, subBlockSize: 1024 };
type Handler = (e: APIGatewayProxyEvent, c: ReturnType<typeof lambdaContext>) => Promise<APIGatewayProxyResult>;

export interface Reply { status: number; headers: Record<string, string>; body: Buffer; rawResult?: Buffer; json: Record<string, unknown> & { items?: Record<string, unknown>[] } }
export interface Volume { name: string; bytes: Buffer }
export interface BuiltRp { kind: 'base' | 'incremental'; manifest: string; volumes: { name: string; sizeBytes: number }[]; chunks: Map<string, Buffer> }

export interface Harness {
  deps: AppDeps; dir: string; tenantA: string; tenantB: string;
  call(tenant: string, method: string, path: string, body?: unknown, contentType?: string): Promise<Reply>;
  admin(method: string, path: string, body?: unknown): Promise<Reply>;
  /** The replication API with any authorizer context (other roles, a source-core certificate without a tenant). */
  callWith(authorizer: Record<string, string>, method: string, path: string, body?: unknown): Promise<Reply>;
  /** As a gateway that hands binary bodies over as bytes (Symbol.for('drcore.rawBody')), with no base64 `body`. */
  callRaw(tenant: string, method: string, path: string, body?: Buffer, contentType?: string): Promise<Reply>;
  /** Applies every new event to the read models, as the stream dispatcher does. */
  project(): Promise<void>;
  logSize(): Promise<number>;
  blobCount(): Promise<number>;
  close(): Promise<void>;
}

/** Other adapters than the local ones: `deps` builds them for the data dir, `close` releases what they hold. */
export interface HarnessAdapters { deps(dataDir: string): AppDeps; close(): Promise<void> }

export async function startHarness(quotaBytes = 1 << 30, adapters?: HarnessAdapters): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'drcore-repl-'));
  const deps = adapters ? adapters.deps(join(dir, 'data')) : localDeps(join(dir, 'data'));
  await ensurePki(join(dir, 'data'), { hostnames: [], events: deps.events });
  const replication = makeReplicationApi(deps) as unknown as Handler;
  const adminApi = makeAdminApi(deps) as unknown as Handler;
  const tenantA = `t-a${randomBytes(4).toString('hex')}`;
  const tenantB = `t-b${randomBytes(4).toString('hex')}`;
  for (const t of [tenantA, tenantB]) {
    await handleCommand(deps.events, streams.tenant(t), tenantDecider, {
      type: 'CreateTenant', data: { tenantId: t, name: t, email: `${t}@example.com`, quotaBytes, pairingRequestId: `pr-${t}`, coreId: `core-${t}` },
    }, { at: new Date().toISOString(), actor: 'test' });
  }
  let cursor: string | undefined;
  const RAW = Symbol.for('drcore.rawBody');
  const invoke = async (fn: Handler, authorizer: Record<string, string>, method: string, path: string, body?: unknown, contentType?: string, rawMode = false): Promise<Reply> => {
    const [pathOnly, query = ''] = path.split('?') as [string, string?];
    const matches = ROUTES.map((r) => ({ r, params: matchPath(r.path, pathOnly) })).filter((m) => m.params);
    const match = matches.find((m) => m.r.method === method);
    if (!match?.params) throw new Error(`no route ${method} ${path}`);
    const raw = body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const type = contentType ?? (Buffer.isBuffer(body) ? 'application/octet-stream' : 'application/json');
    const event = proxyEvent({ method, path: pathOnly, query: new URLSearchParams(query), headers: { 'content-type': type }, body: raw, sourceIp: '127.0.0.1' },
      match.r, match.params, {} as never);
    event.requestContext.authorizer = authorizer;
    if (rawMode && Buffer.isBuffer(body) && type === 'application/octet-stream') Object.assign(event, { body: null, isBase64Encoded: false, [RAW]: body });
    const res = await fn(event, lambdaContext('test'));
    const rawResult = (res as unknown as Record<symbol, unknown>)[RAW];
    if (rawMode && Buffer.isBuffer(rawResult)) {
      return { status: res.statusCode, headers: (res.headers ?? {}) as Record<string, string>, body: rawResult, rawResult, json: {} };
    }
    const bytes = res.isBase64Encoded ? Buffer.from(res.body, 'base64') : Buffer.from(res.body ?? '', 'utf8');
    const headers = (res.headers ?? {}) as Record<string, string>;
    const isJson = /json/.test(headers['content-type'] ?? '');
    return { status: res.statusCode, headers, body: bytes, json: isJson ? JSON.parse(bytes.toString('utf8')) : {} };
  };
  return {
    deps, dir, tenantA, tenantB,
    call: (tenant, method, path, body, contentType) =>
      invoke(replication, { role: 'source-core', tenantId: tenant, serial: `00${tenant.slice(-6)}`, subject: `CN=${tenant}` }, method, path, body, contentType),
    callWith: (authorizer, method, path, body) => invoke(replication, authorizer, method, path, body),
    callRaw: (tenant, method, path, body, contentType) =>
      invoke(replication, { role: 'source-core', tenantId: tenant, serial: `00${tenant.slice(-6)}`, subject: `CN=${tenant}` }, method, path, body, contentType, true),
    admin: (method, path, body) => invoke(adminApi, { role: 'admin', serial: '00ad', subject: 'CN=admin' }, method, path, body),
    async project() {
      for (;;) {
        const page = await deps.events.readAll(cursor, 500);
        for (const e of page.events) await projectEvent(deps, e, { outbox: false });
        if (page.events.length === 0 || !page.next) return;
        cursor = page.next;
      }
    },
    async logSize() {
      let n = 0;
      let c: string | undefined;
      for (;;) {
        const page = await deps.events.readAll(c, 1000);
        n += page.events.length;
        if (page.events.length === 0 || !page.next) return n;
        c = page.next;
      }
    },
    async blobCount() {
      let n = 0;
      for await (const _k of deps.blobs.list('tenants/')) n++;
      return n;
    },
    async close() {
      await Promise.all([deps.events.close?.(), deps.queue.close?.(), deps.readModels.close?.(), deps.operational.close?.()]);
      await adapters?.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A deterministic volume: random, zero and repetitive extents. */
export function makeVolume(name: string, extents: number, seed: number): Volume {
  const bytes = Buffer.alloc(extents * GEOMETRY.extentSize);
  for (let i = 0; i < extents; i++) {
    const at = i * GEOMETRY.extentSize;
    if ((i + seed) % 4 === 1) continue; // zero extent
    if ((i + seed) % 4 === 2) bytes.fill(`extent ${i} of ${name}. `, at, at + GEOMETRY.extentSize);
    else randomBytes(GEOMETRY.extentSize).copy(bytes, at);
  }
  return { name, bytes };
}

/** Builds the chunks and manifest of an RP; `previous` (the parent's volumes) makes it incremental. */
export function buildRp(volumes: readonly Volume[], previous?: readonly Volume[]): BuiltRp {
  const chunks = new Map<string, Buffer>();
  const vms = volumes.map((v) => {
    const prev = previous?.find((p) => p.name === v.name);
    const extents: ExtentEntry[] = [];
    for (let i = 0; i * GEOMETRY.extentSize < v.bytes.length; i++) {
      const slice = v.bytes.subarray(i * GEOMETRY.extentSize, (i + 1) * GEOMETRY.extentSize);
      const before = prev?.bytes.subarray(i * GEOMETRY.extentSize, (i + 1) * GEOMETRY.extentSize);
      const u = encodeExtent(slice, before && before.length ? before : undefined, { subBlockSize: GEOMETRY.subBlockSize });
      if (u.kind === 'UNCHANGED' || (u.kind === 'ZERO' && !prev)) continue;
      if (u.kind === 'ZERO') extents.push({ index: i, kind: 'ZERO' });
      else { chunks.set(u.id, u.chunk); extents.push({ index: i, kind: u.kind, chunk: u.id }); }
    }
    return { name: v.name, sizeBytes: v.bytes.length, extents };
  });
  const manifest: Manifest = { type: previous ? 'incremental' : 'base', geometry: GEOMETRY, volumes: vms };
  const enc = encodeManifest(manifest, { partEntries: 4 });
  enc.chunks.forEach((c, i) => chunks.set(enc.chunkIds[i] as string, c));
  chunks.set(enc.rootId, enc.rootChunk);
  return { kind: manifest.type, manifest: enc.rootId, volumes: vms.map((v) => ({ name: v.name, sizeBytes: v.sizeBytes })), chunks };
}

/** Packs of at most `perPack` chunks (several packs even for tiny test chunks), or as PackBuilder fills them. */
export function packsOf(chunks: Iterable<Buffer>, perPack?: number): EncodedPack[] {
  const all = [...chunks];
  if (perPack) {
    const out: EncodedPack[] = [];
    for (let i = 0; i < all.length; i += perPack) out.push(encodePack(all.slice(i, i + perPack)));
    return out;
  }
  const b = new PackBuilder();
  const out: EncodedPack[] = [];
  for (const c of all) { const p = b.add(c); if (p) out.push(p); }
  const last = b.flush();
  if (last) out.push(last);
  return out;
}

/** The reference flow: missing → packs (in parallel) → commit. Returns the commit reply. */
export async function replicate(h: Harness, tenant: string, machine: string, rpId: string, rp: BuiltRp, parentRpId?: string): Promise<Reply> {
  const ids = [...rp.chunks.keys()];
  const missing: string[] = [];
  for (let i = 0; i < ids.length; i += 512) {
    const r = await h.call(tenant, 'POST', `/v1/machines/${machine}/recovery-points/${rpId}/missing`, { chunks: ids.slice(i, i + 512) });
    assert.equal(r.status, 200, r.body.toString());
    missing.push(...(r.json['missing'] as string[]));
  }
  const packs = packsOf(missing.map((id) => rp.chunks.get(id) as Buffer), 3);
  const puts = await Promise.all(packs.map((p) => h.call(tenant, 'PUT', `/v1/machines/${machine}/recovery-points/${rpId}/packs/${p.id}`, p.bytes)));
  for (const r of puts) assert.equal(r.status, 201, r.body.toString());
  return h.call(tenant, 'POST', `/v1/machines/${machine}/recovery-points/${rpId}/commit`, {
    kind: rp.kind, manifest: rp.manifest, volumes: rp.volumes, ...(parentRpId ? { parentRpId } : {}),
  });
}

/** The frames of a `chunks/read` answer (docs/replication-protocol.md), checked against its count header. */
export function readFrames(body: Buffer, count: string | string[] | undefined): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < body.length;) {
    const n = body.readUInt32LE(at);
    out.push(body.subarray(at + 4, at + 4 + n));
    at += 4 + n;
  }
  assert.equal(String(count), String(out.length), 'x-drcore-chunk-count matches the frames');
  return out;
}

/** `POST …/chunks/read` of RP `rpId`: the response, and its chunks when it is a 200. */
export async function readChunks(h: Harness, tenant: string, machine: string, rpId: string, ids: readonly string[]) {
  const r = await h.call(tenant, 'POST', `/v1/machines/${machine}/recovery-points/${rpId}/chunks/read`, { chunks: ids });
  return { ...r, chunks: r.status === 200 ? readFrames(r.body, r.headers['x-drcore-chunk-count']) : [] };
}

/** Restores every volume of an RP through the API (chain via parentRpId), each chunk verified. */
export async function restore(h: Harness, tenant: string, machine: string, rpId: string): Promise<Map<string, Buffer>> {
  const getChunk = async (id: string): Promise<Buffer> => {
    const r = await readChunks(h, tenant, machine, rpId, [id]);
    assert.equal(r.status, 200, `chunk ${id}: ${r.body.toString()}`);
    return r.chunks[0] as Buffer;
  };
  const chain: ManifestReader[] = [];
  for (let at: string | undefined = rpId; at;) {
    const r = await h.call(tenant, 'GET', `/v1/machines/${machine}/recovery-points/${at}`);
    assert.equal(r.status, 200, r.body.toString());
    chain.unshift(ManifestReader.open(await getChunk(r.json['manifest'] as string), getChunk));
    at = r.json['parentRpId'] as string | undefined;
  }
  const out = new Map<string, Buffer>();
  for (const v of chain.at(-1)?.volumes ?? []) {
    const parts: Buffer[] = [];
    for await (const e of restoreVolume(chain, v.name, getChunk)) parts.push(e);
    out.set(v.name, Buffer.concat(parts));
  }
  return out;
}
