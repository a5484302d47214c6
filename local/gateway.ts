import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { APIGatewayAuthorizerResult, APIGatewayProxyEvent, APIGatewayProxyResult, APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';
import { HttpProblem, problemResponse } from '../shared/http/problem.js';
import { rawOf } from '../shared/http/raw-body.js';
import { matchPath, ROUTES, type FunctionName } from '../shared/http/routes.js';
import { logger } from '../shared/runtime/logger.js';
import { authorizerEvent, clientCertOf, proxyEvent } from './api-event.js';
import { lambdaContext } from './lambda-context.js';
import { BodyPool } from './body-pool.js';

export type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
export type AuthorizerHandler = (event: APIGatewayRequestAuthorizerEvent, context: Context) => Promise<APIGatewayAuthorizerResult>;

export interface GatewayOptions {
  readonly tls: { key: string; cert: string; ca: string };
  readonly functions: Record<FunctionName, ApiHandler>;
  readonly authorizer: AuthorizerHandler;
  /** API Gateway's payload limit is 10 MB; a pack (≤ 4 MiB) fits with room to spare. */
  readonly maxBodyBytes?: number;
}

/**
 * The local API Gateway: HTTPS with a mandatory client certificate verified against the
 * CA (TLS ≥ 1.2), then the same REQUEST authorizer and handlers Lambda runs, with events
 * of the same shape. Clients without a valid certificate never reach a handler.
 */
export function createGateway(options: GatewayOptions): Server {
  const maxBody = options.maxBodyBytes ?? 10 * 1024 * 1024;
  const pool = new BodyPool();
  const server = createServer({
    key: options.tls.key, cert: options.tls.cert, ca: options.tls.ca,
    requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2',
  }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error('gateway failure', { error: error as Error });
      send(res, problemResponse(new HttpProblem(500, 'Internal Server Error', 'an unexpected error occurred')));
    });
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 70_000;
  server.requestTimeout = 300_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const socket = req.socket as TLSSocket;
    const peer = socket.getPeerX509Certificate();
    if (!socket.authorized || !peer) return send(res, problemResponse(new HttpProblem(401, 'Unauthorized', 'a client certificate issued by this core is required')));
    const url = new URL(req.url ?? '/', 'https://localhost');
    const method = req.method ?? 'GET';
    const candidates = ROUTES.map((r) => ({ r, params: matchPath(r.path, url.pathname) })).filter((c) => c.params);
    const match = candidates.find((c) => c.r.method === method);
    if (!match) {
      req.resume();
      return send(res, problemResponse(candidates.length
        ? new HttpProblem(405, 'Method Not Allowed', `${method} is not allowed on ${url.pathname}`)
        : new HttpProblem(404, 'Not Found', `no route ${method} ${url.pathname}`)));
    }
    const declared = Number(req.headers['content-length']);
    const lease = Number.isSafeInteger(declared) && declared >= 0 && declared <= maxBody ? pool.take(declared) : undefined;
    // Back to the pool only once the response is sent, i.e. after the handler is done with the
    // body; a connection dropped mid-request never returns its buffer (the GC frees it).
    if (lease) res.once('finish', lease.release);
    const body = await readBody(req, maxBody, lease?.buffer);
    if (!body) return send(res, problemResponse(new HttpProblem(413, 'Payload Too Large', `request bodies are limited to ${maxBody} bytes`)), true);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    const event = proxyEvent({ method, path: url.pathname, query: url.searchParams, headers, body, sourceIp: socket.remoteAddress ?? '127.0.0.1' },
      match.r, match.params ?? {}, clientCertOf(peer), { handOverRawBody: true });

    let policy: APIGatewayAuthorizerResult;
    try {
      policy = await options.authorizer(authorizerEvent(event), lambdaContext('authorizer'));
    } catch {
      return send(res, problemResponse(new HttpProblem(401, 'Unauthorized', 'the client certificate was not accepted')));
    }
    const allowed = policy.policyDocument.Statement.some((s) => s.Effect === 'Allow');
    if (!allowed) return send(res, problemResponse(new HttpProblem(403, 'Forbidden', 'the client certificate is revoked or unknown')));
    event.requestContext.authorizer = { ...policy.context, principalId: policy.principalId };
    const result = await options.functions[match.r.fn](event, lambdaContext(match.r.fn));
    send(res, result);
  }
  return server;
}

/** The whole body, or undefined past `max`. With a content-length it lands in `exact`, copied once. */
function readBody(req: IncomingMessage, max: number, exact: Buffer | undefined): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number.isSafeInteger(declared) && declared > max;
    req.on('data', (c: Buffer) => {
      if (tooLarge) return;
      if (size + c.length > max || (exact && size + c.length > exact.length)) { tooLarge = true; chunks.length = 0; return; }
      if (exact) c.copy(exact, size); else chunks.push(c);
      size += c.length;
    });
    req.on('end', () => resolve(tooLarge ? undefined : exact ? exact.subarray(0, size) : Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, result: APIGatewayProxyResult, close = false): void {
  const raw = rawOf(result);
  const body = raw ?? (result.body === undefined ? Buffer.alloc(0) : result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body, 'utf8'));
  const headers: Record<string, string | number> = { ...(result.headers as Record<string, string> | undefined), 'content-length': body.length };
  if (close) headers['connection'] = 'close';
  res.writeHead(result.statusCode, headers);
  res.end(body);
}
