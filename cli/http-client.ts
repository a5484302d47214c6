import { request, type Agent } from 'node:https';
import { mtlsAgent } from '../shared/http/mtls-agent.js';
import { CliError } from './args.js';

import { readTlsIdentity, type TlsIdentity } from '../source/transport.js';

export type ClientIdentity = TlsIdentity;

export interface Response { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(readonly status: number, readonly problem: { title?: string; detail?: string; type?: string }) {
    super(`${status} ${problem.title ?? ''}: ${problem.detail ?? ''}`.trim());
  }
}

/** The PEMs of a certificate, its key and the CA, read from their files (one reader, the source core's). */
export const identityFromFiles = readTlsIdentity;

/** An mTLS client for the drcore API with a keep-alive connection pool. */
export class ApiClient {
  private readonly agent: Agent;
  constructor(readonly baseUrl: string, identity: ClientIdentity, maxSockets = 8) {
    this.agent = mtlsAgent(identity, maxSockets);
  }

  send(method: string, path: string, body?: Buffer, contentType = 'application/json'): Promise<Response> {
    const url = new URL(path, this.baseUrl);
    return new Promise((resolve, reject) => {
      const req = request(url, {
        method, agent: this.agent,
        headers: body ? { 'content-type': contentType, 'content-length': body.length } : {},
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /** JSON in, JSON out; a problem response becomes an ApiError. */
  async json<T>(method: string, path: string, payload?: unknown): Promise<T> {
    const res = await this.send(method, path, payload === undefined ? undefined : Buffer.from(JSON.stringify(payload)));
    const text = res.body.toString('utf8');
    if (res.status >= 400) {
      let problem: { title?: string; detail?: string } = { detail: text };
      try { problem = JSON.parse(text) as typeof problem; } catch { /* not JSON */ }
      throw new ApiError(res.status, problem);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** An API refusal with a status in `hints` becomes a CliError with that hint (the CLI's advice, not the API's). */
export async function withHints<T>(call: Promise<T>, hints: Partial<Record<number, string>>): Promise<T> {
  try {
    return await call;
  } catch (e) {
    const hint = e instanceof ApiError ? hints[e.status] : undefined;
    if (hint) throw new CliError(e instanceof Error ? e.message : String(e), hint, { cause: e });
    throw e;
  }
}
