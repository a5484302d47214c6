import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, request } from 'node:https';
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ApiClient } from '../../cli/http-client.js';
import { registerCertificate } from '../../shared/app/certificate-service.js';
import { handleCommand } from '../../shared/app/command-handler.js';
import { tenantDecider } from '../../shared/domain/tenant.js';
import { streams } from '../../shared/ids.js';
import { MAX_PACK_BYTES } from '../../shared/format/index.js';
import { loadCa, newSerial } from '../../shared/pki/ca.js';
import { issueClientCertificate } from '../../shared/pki/client-cert.js';
import { generateKeyPair, privateKeyToPem } from '../../shared/pki/keys.js';
import { eventually, logSize, startCore, type TestCore } from '../support/in-process-core.js';

/**
 * The local gateway decides who is calling before it reads a body (issue 8, item 4): the
 * authorizer sees the certificate and the headers only, a refused caller does not get to
 * upload its body, bodies are limited per route, and connections are limited per client and
 * in all, with short handshake and header timeouts. Real mutual TLS on loopback; the byte
 * counts are the server side's (the raw TCP socket's bytesRead).
 */
describe('local gateway: authorize first, bounded bodies and connections', () => {
  const LIMITS = { maxConnections: 40, maxConnectionsPerClient: 6, handshakeTimeoutMs: 3000, headersTimeoutMs: 2000 };
  const TEN_MB = 10_000_000;
  /** What "a small amount" of a 10 MB body is: one socket read (64 KiB) with the handshake and the headers, and some slack. */
  const SMALL = 256 * 1024;
  let t: TestCore;
  let ca: string;
  let admin: ApiClient;
  let enrollment: { cert: string; key: string };
  let revoked: { cert: string; key: string };
  /** The server's raw TCP sockets by the client's address:port. */
  const serverSockets = new Map<string, Socket>();

  before(async () => {
    t = await startCore({ gatewayLimits: LIMITS });
    t.core.gateway.on('connection', (s: Socket) => { serverSockets.set(`${s.remoteAddress}:${s.remotePort}`, s); });
    const p = t.core.pki;
    ca = await readFile(p.caCert, 'utf8');
    enrollment = { cert: await readFile(p.enrollmentCert, 'utf8'), key: await readFile(p.enrollmentKey, 'utf8') };
    admin = await t.client('admin');
    // A certificate of this CA that the admin revokes (as a stolen laptop's would be).
    const authority = loadCa(ca, await readFile(p.caKey, 'utf8'));
    const keys = generateKeyPair();
    const serial = newSerial();
    const issued = issueClientCertificate(authority, { publicKey: keys.publicKey, role: 'enrollment', commonName: 'stolen', serial, now: new Date() });
    revoked = { cert: issued.certificatePem, key: privateKeyToPem(keys.privateKey) };
    await registerCertificate(t.deps, issued.certificatePem, 'test');
    await admin.json('POST', `/v1/admin/certificates/${serial}/revoke`, { reason: 'stolen' });
  });
  after(async () => { await t.stop(); });

  interface Upload {
    status: number; headers: IncomingHttpHeaders; body: Buffer;
    /** Bytes the server read from this connection (TLS records included), once it closed it. */
    serverRead: number;
    serverClosed: boolean;
    /** The server sent `100 Continue`. */
    continued: boolean;
  }

  /**
   * Sends `body` (or that many spaces) as a client that keeps streaming until the response
   * arrives (then stops), with a Content-Length unless `chunked`, optionally waiting for
   * `100 Continue` first.
   */
  function upload(who: { cert: string; key: string }, method: string, path: string, body: Buffer | number,
    options: { contentType?: string; chunked?: boolean; expectContinue?: boolean } = {}): Promise<Upload> {
    const size = typeof body === 'number' ? body : body.length;
    const piece = typeof body === 'number' ? Buffer.alloc(64 * 1024, 0x20) : undefined;
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { 'content-type': options.contentType ?? 'application/octet-stream' };
      if (!options.chunked) headers['content-length'] = size;
      if (options.expectContinue) headers['expect'] = '100-continue';
      // A keep-alive client, as the source core's: only the server decides to close.
      const agent = new Agent({ keepAlive: true, maxSockets: 1, ca, ...who });
      const req = request(`${t.url}${path}`, { method, agent, headers });
      let sent = 0;
      let answered = false;
      let key = '';
      req.on('socket', (s) => s.once('secureConnect', () => { key = `${s.localAddress}:${s.localPort}`; }));
      const pump = () => {
        while (!answered && sent < size) {
          const n = Math.min(64 * 1024, size - sent);
          const bytes = piece ? piece.subarray(0, n) : (body as Buffer).subarray(sent, sent + n);
          sent += n;
          if (!req.write(bytes)) { req.once('drain', pump); return; }
        }
        if (!answered) req.end();
      };
      let continued = false;
      if (options.expectContinue) req.once('continue', () => { continued = true; pump(); }); else pump();
      req.on('error', (e) => { if (!answered) { agent.destroy(); reject(e); } });
      req.on('response', (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', () => undefined);
        res.on('end', () => {
          agent.destroy();
          const server = serverSockets.get(key);
          if (!server) return reject(new Error(`no server socket for ${key}`));
          const closed = server.destroyed ? Promise.resolve(true)
            : new Promise<boolean>((ok) => { const timer = setTimeout(() => ok(false), 5000); server.once('close', () => { clearTimeout(timer); ok(true); }); });
          void closed.then((serverClosed) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), serverRead: server.bytesRead, serverClosed, continued }));
        });
      });
    });
  }

  function assertProblem(r: Upload, status: number): Record<string, unknown> {
    assert.equal(r.status, status, r.body.toString());
    assert.equal(r.headers['content-type'], 'application/problem+json');
    const problem = JSON.parse(r.body.toString()) as Record<string, unknown>;
    assert.equal(problem['status'], status);
    for (const k of ['type', 'title', 'detail']) assert.equal(typeof problem[k], 'string', `problem.${k}`);
    return problem;
  }

  /** Asserts the server read fewer than `bytes` bytes of the connection (and says how many it read). */
  function readAtMost(ctx: TestContext, r: Upload, bytes: number): void {
    ctx.diagnostic(`the server read ${r.serverRead} bytes`);
    assert.ok(r.serverRead < bytes, `the server read ${r.serverRead} bytes, expected fewer than ${bytes}`);
  }

  const packPath = `/v1/machines/m1/recovery-points/rp-1/packs/${'ab'.repeat(32)}`;

  describe('a refused caller does not get to upload its body', () => {
    it('a revoked certificate PUTs a 10 MB pack → 403, and the server reads a small part of it and closes', async (ctx) => {
      const before = await logSize(t.deps);
      const r = await upload(revoked, 'PUT', packPath, TEN_MB);
      assertProblem(r, 403);
      assert.equal(r.headers['connection'], 'close');
      assert.ok(r.serverClosed, 'the server closed the connection');
      readAtMost(ctx, r, SMALL);
      assert.equal(await logSize(t.deps), before, 'nothing appended');
    });
    it('the same with a chunked body (no Content-Length)', async (ctx) => {
      const r = await upload(revoked, 'PUT', packPath, TEN_MB, { chunked: true });
      assertProblem(r, 403);
      assert.ok(r.serverClosed, 'the server closed the connection');
      readAtMost(ctx, r, SMALL);
    });
    it('a certificate of the wrong role (admin on the pack route) → 403 before its 10 MB body', async (ctx) => {
      const p = t.core.pki;
      const r = await upload({ cert: await readFile(p.adminCert, 'utf8'), key: await readFile(p.adminKey, 'utf8') }, 'PUT', packPath, TEN_MB);
      const problem = assertProblem(r, 403);
      assert.match(problem['detail'] as string, /source-core/);
      assert.ok(r.serverClosed, 'the server closed the connection');
      readAtMost(ctx, r, SMALL);
    });
    it('with Expect: 100-continue the refusal comes instead of 100 Continue: not one body byte is sent', async (ctx) => {
      const r = await upload(revoked, 'PUT', packPath, TEN_MB, { expectContinue: true });
      assertProblem(r, 403);
      assert.equal(r.continued, false, 'no 100 Continue for a refused caller');
      readAtMost(ctx, r, 16 * 1024);
    });
    it('an unknown route → 404 before any body is read', async (ctx) => {
      const r = await upload(enrollment, 'PUT', '/v1/no-such-route', TEN_MB);
      assertProblem(r, 404);
      assert.ok(r.serverClosed, 'the server closed the connection');
      readAtMost(ctx, r, SMALL);
    });
  });

  describe('bodies are limited per route', () => {
    /** A pairing request of `bytes` bytes, valid JSON. */
    const json = (bytes: number) => {
      const head = '{"coreName":"c","coreId":"c","email":"c@example.com","csr":"x","message":"';
      return Buffer.from(`${head}${'x'.repeat(bytes - head.length - 2)}"}`);
    };
    it('a 100 KiB JSON body → 413 problem+json before the handler, nothing appended, the server stops reading', async (ctx) => {
      for (const chunked of [false, true]) {
        const before = await logSize(t.deps);
        const body = json(100 * 1024);
        assert.equal(body.length, 100 * 1024);
        const r = await upload(enrollment, 'POST', '/v1/pairing-requests', body, { contentType: 'application/json', chunked });
        const problem = assertProblem(r, 413);
        assert.match(problem['detail'] as string, /65536/);
        assert.equal(r.headers['connection'], 'close', 'the gateway answers and closes, it does not read the rest');
        assert.ok(r.serverClosed, 'the server closed the connection');
        if (!chunked) readAtMost(ctx, r, body.length);
        await new Promise((ok) => setTimeout(ok, 150));
        assert.equal(await logSize(t.deps), before, 'nothing appended');
      }
    });
    it('a 10 MB JSON body (declared or chunked) → 413, and the server reads a small part of it', async (ctx) => {
      for (const chunked of [false, true]) {
        const r = await upload(enrollment, 'POST', '/v1/pairing-requests', TEN_MB, { contentType: 'application/json', chunked });
        assertProblem(r, 413);
        assert.ok(r.serverClosed, 'the server closed the connection');
        readAtMost(ctx, r, (chunked ? 64 * 1024 : 0) + SMALL); // chunked: counted up to the limit
      }
    });
    it('a pack route body of MAX_PACK_BYTES reaches the handler; one byte more → 413 by its Content-Length, unread', async (ctx) => {
      const source = await sourceCore();
      const fits = await upload(source, 'PUT', packPath, MAX_PACK_BYTES);
      assert.match(assertProblem(fits, 404)['detail'] as string, /machine/, 'the handler answered (the machine is not registered)');
      const r = await upload(source, 'PUT', packPath, MAX_PACK_BYTES + 1);
      assert.match(assertProblem(r, 413)['detail'] as string, new RegExp(`${MAX_PACK_BYTES}`));
      readAtMost(ctx, r, SMALL);
    });
  });

  it('an authorized caller with Expect: 100-continue gets 100 Continue, and its body reaches the handler', async () => {
    const r = await upload(await sourceCore(), 'PUT', packPath, 1000, { expectContinue: true });
    assert.equal(r.continued, true);
    const problem = assertProblem(r, 404);
    assert.match(problem['detail'] as string, /machine/, 'the handler answered (the machine is not registered)');
  });

  /** A registered source-core certificate of this CA bound to a tenant of its own. */
  async function sourceCore(): Promise<{ cert: string; key: string }> {
    const tenantId = `t-${randomBytes(4).toString('hex')}`;
    await handleCommand(t.deps.events, streams.tenant(tenantId), tenantDecider, {
      type: 'CreateTenant', data: { tenantId, name: tenantId, email: `${tenantId}@example.com`, quotaBytes: 1 << 30, pairingRequestId: `pr-${tenantId}`, coreId: `core-${tenantId}` },
    }, { at: new Date().toISOString(), actor: 'test' });
    const authority = loadCa(ca, await readFile(t.core.pki.caKey, 'utf8'));
    const keys = generateKeyPair();
    const issued = issueClientCertificate(authority, { publicKey: keys.publicKey, role: 'source-core', tenantId, commonName: 'limits', serial: newSerial(), now: new Date() });
    await registerCertificate(t.deps, issued.certificatePem, 'test');
    return { cert: issued.certificatePem, key: privateKeyToPem(keys.privateKey) };
  }

  const connections = () => new Promise<number>((ok, fail) => t.core.gateway.getConnections((e, n) => (e ? fail(e) : ok(n))));
  /** Destroys `sockets` and waits until the server has seen them close. */
  async function closeAll(sockets: readonly Socket[]): Promise<void> {
    const before = await connections();
    const open = sockets.filter((s) => !s.destroyed).length;
    for (const s of sockets) s.destroy();
    await eventually(async () => ((await connections()) <= before - open ? true : undefined), 5000, 'the server to see the connections close');
  }

  function openIdle(localAddress: string): Promise<{ socket: Socket; closed: Promise<number> }> {
    return new Promise((resolve, reject) => {
      const socket = tcpConnect({ host: '127.0.0.1', port: t.core.port, localAddress });
      socket.on('error', () => undefined);
      socket.once('connect', () => {
        const at = Date.now();
        resolve({ socket, closed: new Promise((ok) => socket.once('close', () => ok(Date.now() - at))) });
      });
      socket.once('error', reject);
    });
  }

  describe('connections are limited', () => {
    it('idle TCP connections over the per-client limit are closed at once; another client is still served', async () => {
      const idle = await Promise.all(Array.from({ length: LIMITS.maxConnectionsPerClient + 4 }, () => openIdle('127.0.0.2')));
      try {
        let closed = 0;
        for (const c of idle) void c.closed.then(() => { closed++; });
        await eventually(async () => (closed >= 4 ? true : undefined), 1000, 'the 4 excess connections to be closed');
        await new Promise((ok) => setTimeout(ok, 200));
        assert.equal(closed, 4, 'exactly the excess is closed, the first connections stay');
        const who = await admin.send('GET', '/v1/whoami');
        assert.equal(who.status, 200, 'a legitimate client is served meanwhile');
      } finally {
        await closeAll(idle.map((c) => c.socket));
      }
    });
    it('connections over maxConnections are dropped', async () => {
      const open = await connections();
      const want = LIMITS.maxConnections - open + 3;
      const idle: Awaited<ReturnType<typeof openIdle>>[] = [];
      try {
        // Spread over several client addresses so that no per-client limit is reached.
        for (let i = 0; i < want; i++) idle.push(await openIdle(`127.0.1.${1 + Math.floor(i / (LIMITS.maxConnectionsPerClient - 1))}`));
        let closed = 0;
        for (const c of idle) void c.closed.then(() => { closed++; });
        await eventually(async () => (closed >= 3 ? true : undefined), 1000, 'the 3 connections over maxConnections to be dropped');
        await new Promise((ok) => setTimeout(ok, 200));
        assert.equal(closed, 3);
      } finally {
        await closeAll(idle.map((c) => c.socket));
      }
    });
    it('a keep-alive connection idle for longer than the header timeout is still served', async () => {
      const p = t.core.pki;
      const agent = new Agent({ keepAlive: true, maxSockets: 1, ca, cert: await readFile(p.adminCert, 'utf8'), key: await readFile(p.adminKey, 'utf8') });
      const get = () => new Promise<{ status: number; socket: Socket }>((ok, fail) => {
        const req = request(`${t.url}/v1/whoami`, { agent }, (res) => { res.resume(); res.on('end', () => ok({ status: res.statusCode ?? 0, socket: req.socket! })); });
        req.on('error', fail);
        req.end();
      });
      try {
        const first = await get();
        await new Promise((ok) => setTimeout(ok, LIMITS.headersTimeoutMs + 1500));
        const second = await get();
        assert.deepEqual([first.status, second.status], [200, 200]);
        assert.equal(second.socket, first.socket, 'the same connection');
      } finally { agent.destroy(); }
    });
    it('a TCP connection that never starts the TLS handshake is closed after the handshake timeout', async () => {
      const c = await openIdle('127.0.0.3');
      try {
        const limit = LIMITS.handshakeTimeoutMs + 2000;
        const after = await Promise.race([c.closed, new Promise<number>((ok) => setTimeout(() => ok(-1), limit))]);
        assert.notEqual(after, -1, `still open after ${limit} ms`);
        assert.ok(after >= LIMITS.handshakeTimeoutMs - 200, `closed after ${after} ms, not before the timeout`);
      } finally { c.socket.destroy(); }
    });
    it('a client that handshakes but never finishes its headers is closed after the header timeout', async () => {
      const p = t.core.pki;
      const tcp = tcpConnect({ host: '127.0.0.1', port: t.core.port, localAddress: '127.0.0.3' });
      const socket = tlsConnect({ socket: tcp, servername: 'localhost', ca, cert: await readFile(p.adminCert, 'utf8'), key: await readFile(p.adminKey, 'utf8') });
      socket.on('error', () => undefined);
      try {
        await new Promise<void>((ok, fail) => { socket.once('secureConnect', ok); socket.once('error', fail); });
        const at = Date.now();
        let reply = '';
        socket.on('data', (d: Buffer) => { reply += d.toString(); });
        socket.write('GET /v1/whoami HTTP/1.1\r\nHost: localhost\r\n');
        const limit = LIMITS.headersTimeoutMs + 3000;
        const after = await Promise.race([new Promise<number>((ok) => socket.once('close', () => ok(Date.now() - at))), new Promise<number>((ok) => setTimeout(() => ok(-1), limit))]);
        assert.notEqual(after, -1, `still open after ${limit} ms`);
        assert.ok(after >= LIMITS.headersTimeoutMs - 200, `closed after ${after} ms, not before the timeout`);
        assert.match(reply, /^HTTP\/1\.1 408 /);
      } finally { socket.destroy(); }
    });
  });
});
