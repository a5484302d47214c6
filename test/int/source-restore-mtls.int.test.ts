/**
 * Restore through the source core's real client — HttpsTransport (mutual TLS, keep-alive, bodies
 * sized from content-length, recycled 4 MiB buffers), ReplicationApi.readChunks, the batcher —
 * against a loopback stub target that answers the RP reads and `chunks/read` as the contract
 * says (test/support/chunk-read-answer.ts). The server's own route is the lead's (its int tests);
 * this proves the client's side on real sockets with 4 MiB extents, so an answer carries one
 * big chunk or several small ones: byte-identical images, never more than `parallel`
 * requests at once, and answers' buffers handed back and reused.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import https from 'node:https';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_GEOMETRY } from '../../shared/format/index.js';
import { createCa, newSerial } from '../../shared/pki/ca.js';
import { generateKeyPair, privateKeyToPem } from '../../shared/pki/keys.js';
import { issueServerCertificate } from '../../shared/pki/server-cert.js';
import { ReplicationApi } from '../../source/api.js';
import type { HttpResponse } from '../../source/client.js';
import { restore } from '../../source/restore.js';
import { HttpsTransport } from '../../source/transport.js';
import { chunkReadAnswer } from '../support/chunk-read-answer.js';
import { clientBundle } from '../support/client-bundle.js';
import { buildChain, type Images } from '../support/restore-chain.js';

const MiB = 1024 * 1024;
const E = DEFAULT_GEOMETRY.extentSize;

function images(): Images[] {
  const sda1 = randomBytes(6 * E + 12345);
  sda1.fill(0, 2 * E, 3 * E); // a hole
  for (let i = 0; i < E; i += 4096) sda1.fill((i >> 12) & 0xff, 4 * E + i, 4 * E + i + 4096); // compressible
  const sda2 = Buffer.from(sda1);
  for (const i of [0, 1, 3, 5]) sda2.fill(i + 1, i * E + 70_000, i * E + 200_000); // DELTAs
  sda2.fill(9, 6 * E + 100, 6 * E + 5000); // the short tail extent
  sda2.fill(0, 1 * E + 300_000, 1 * E + 400_000);
  const sdb2 = randomBytes(E + 7);
  return [{ sda: sda1 }, { sda: sda2, sdb: sdb2 }];
}

/**
 * The client's transport, counting the big answers' buffers it is handed back and the bodies
 * that arrive in one of them (small bodies share Node's allocation pool: not counted).
 */
class WatchedTransport extends HttpsTransport {
  readonly recycled: ArrayBufferLike[] = [];
  reusedBodies = 0;
  override async send(method: string, path: string, body?: Buffer, contentType?: string): Promise<HttpResponse> {
    const res = await super.send(method, path, body, contentType);
    if (res.body.buffer.byteLength >= MiB && this.recycled.includes(res.body.buffer)) this.reusedBodies++;
    return res;
  }
  override recycle(body: Buffer): void {
    if (body.buffer.byteLength >= MiB) this.recycled.push(body.buffer);
    super.recycle(body);
  }
}

describe('restore over mutual TLS with batched chunk reads (stub target)', () => {
  const now = new Date();
  const ca = createCa({ now, serial: newSerial() });
  const serverKey = generateKeyPair();
  const serverCert = issueServerCertificate(ca, { publicKey: serverKey.publicKey, serial: newSerial(), now, hostnames: ['127.0.0.1'] }).certificatePem;
  const imgs = images();
  const chain = buildChain('m1', imgs, DEFAULT_GEOMETRY);
  const reads: string[][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let server: https.Server;
  let url = '';
  const dir = mkdtempSync(join(tmpdir(), 'drcore-restore-mtls-'));

  before(async () => {
    server = https.createServer({ key: privateKeyToPem(serverKey.privateKey), cert: serverCert, ca: ca.certificatePem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
      const pieces: Buffer[] = [];
      req.on('data', (p: Buffer) => pieces.push(p));
      req.on('end', () => {
        const path = req.url ?? '';
        const send = (r: HttpResponse) => {
          res.writeHead(r.status, { ...r.headers, 'content-length': r.body.length } as Record<string, string | number>);
          res.end(r.body);
        };
        const json = (status: number, body: unknown) => send({ status, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body)) });
        if (req.method === 'GET' && path === '/v1/machines/m1/recovery-points') return json(200, { items: chain.rps });
        const rp = /^\/v1\/machines\/m1\/recovery-points\/([^/]+)$/.exec(path);
        if (req.method === 'GET' && rp) return json(200, chain.rps.find((r) => r.rpId === rp[1]) ?? {});
        if (req.method === 'POST' && path === '/v1/machines/m1/recovery-points/rp-2/chunks/read') {
          const body = Buffer.concat(pieces);
          reads.push((JSON.parse(String(body)) as { chunks: string[] }).chunks);
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          res.on('finish', () => inFlight--);
          // Answer a little later, so requests overlap as they would against a real target.
          setTimeout(() => send(chunkReadAnswer(body, (id) => chain.chunks.get(id))), 2);
          return;
        }
        json(404, { title: 'Not Found', detail: `${req.method} ${path}` });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('restores the chain byte-identical, ≤ parallel requests at once, reusing answers\' buffers', async () => {
    const bundle = clientBundle(ca, 'source-core', 'acme', now);
    const transport = new WatchedTransport(url, { cert: bundle.certPem, key: bundle.keyPem, ca: ca.certificatePem }, 2 + 2);
    try {
      const r = await restore({ api: new ReplicationApi(transport), machineId: 'm1', rp: 'latest', outDir: dir, parallel: 2 });
      assert.deepEqual(r.chain, ['rp-1', 'rp-2']);
      for (const [name, bytes] of Object.entries(imgs[1]!)) assert.ok(readFileSync(join(dir, `${name}.img`)).equals(bytes), `${name}.img byte-identical`);
      const served = new Set(reads.flat());
      assert.equal(r.bytesFetched, [...served].reduce((n, id) => n + chain.chunks.get(id)!.length, 0), 'every chunk fetched once');
      assert.ok(maxInFlight <= 2, `${maxInFlight} chunk reads at once`);
      assert.ok(reads.some((ids) => ids.length > 1), 'several extents\' chunks asked in one request');
      assert.ok(transport.recycled.length > 0, 'answers handed back');
      assert.ok(transport.reusedBodies > 0, `later answers arrive in recycled buffers (${transport.reusedBodies} of them, ${transport.recycled.length} hand-backs)`);
      assert.ok(r.bytesFetched > 6 * MiB);
    } finally {
      transport.close();
    }
  });
});
