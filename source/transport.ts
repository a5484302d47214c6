/**
 * The source core's HTTPS transport: mutual TLS with its certificate, a keep-alive pool of
 * `sockets` connections, and response bodies gathered straight into one buffer sized from
 * content-length (a 4 MiB chunk is not assembled from a list and copied again). Big binary
 * bodies come from a small free list that `recycle` refills: a restore hands each answer of
 * chunks back once they are written, so it does not pay page faults and GC for a fresh 4 MiB
 * buffer per answer.
 */
import { readFileSync } from 'node:fs';
import { request, type Agent } from 'node:https';
import { mtlsAgent } from '../shared/http/mtls-agent.js';
import type { HttpResponse, HttpTransport } from './client.js';

export interface TlsIdentity { readonly cert: string; readonly key: string; readonly ca: string }

/** The PEM files of a TLS identity (certificate, its key, the CA to trust), read. */
export function readTlsIdentity(files: TlsIdentity): TlsIdentity {
  return { cert: readFileSync(files.cert, 'utf8'), key: readFileSync(files.key, 'utf8'), ca: readFileSync(files.ca, 'utf8') };
}

/** Largest response body accepted (an answer of chunks is ≤ 4 MiB + 68; JSON lists are far smaller). */
const MAX_BODY = 64 * 1024 * 1024;
/** Binary bodies at least this big use recycled buffers of RECYCLED_SIZE bytes. */
const RECYCLE_MIN = 1024 * 1024;
const RECYCLED_SIZE = 4 * 1024 * 1024 + 4096;

export class HttpsTransport implements HttpTransport {
  private readonly agent: Agent;
  private readonly spare: ArrayBuffer[] = [];

  constructor(readonly baseUrl: string, identity: TlsIdentity, sockets: number) {
    this.agent = mtlsAgent(identity, sockets);
  }

  send(method: string, path: string, body?: Buffer, contentType = 'application/json'): Promise<HttpResponse> {
    const url = new URL(path, this.baseUrl);
    return new Promise((resolve, reject) => {
      const req = request(url, {
        method, agent: this.agent,
        headers: body ? { 'content-type': contentType, 'content-length': body.length } : {},
      }, (res) => {
        const declared = Number(res.headers['content-length']);
        const sized = res.headers['content-length'] !== undefined && Number.isSafeInteger(declared) && declared >= 0 && declared <= MAX_BODY;
        const binary = /^application\/octet-stream/i.test(String(res.headers['content-type'] ?? ''));
        const whole = !sized ? undefined : binary && declared >= RECYCLE_MIN && declared <= RECYCLED_SIZE ? this.take(declared) : Buffer.allocUnsafe(declared);
        const pieces: Buffer[] = [];
        let got = 0;
        res.on('data', (piece: Buffer) => {
          if (whole) {
            if (got + piece.length > whole.length) return void req.destroy(new Error('response body longer than its content-length'));
            piece.copy(whole, got);
          } else pieces.push(piece);
          got += piece.length;
          if (got > MAX_BODY) req.destroy(new Error(`response body over ${MAX_BODY} bytes`));
        });
        res.on('end', () => {
          if (whole && got !== whole.length) return reject(Object.assign(new Error('response body cut short'), { code: 'ECONNRESET' }));
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: whole ?? Buffer.concat(pieces, got) });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  private take(size: number): Buffer {
    return Buffer.from(this.spare.pop() ?? new ArrayBuffer(RECYCLED_SIZE), 0, size);
  }

  /**
   * Hands back a response body, or any view of one (a chunk framed in a batched answer), once
   * the caller is done with all of it (any other buffer is ignored).
   */
  recycle(body: Buffer): void {
    const ab = body.buffer;
    if (ab instanceof ArrayBuffer && ab.byteLength === RECYCLED_SIZE && this.spare.length < 16 && !this.spare.includes(ab)) this.spare.push(ab);
  }

  close(): void {
    this.agent.destroy();
  }
}
