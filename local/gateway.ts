import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { APIGatewayAuthorizerResult, APIGatewayProxyEvent, APIGatewayProxyResult, APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';
import { callerOf, requireRole } from '../shared/http/caller.js';
import { HttpProblem, problemResponse } from '../shared/http/problem.js';
import { matchPath, ROUTES, type FunctionName } from '../shared/http/routes.js';
import { logger } from '../shared/runtime/logger.js';
import { authorizerEvent, clientCertOf, headEvent, withBody } from './api-event.js';
import { lambdaContext } from './lambda-context.js';
import { BodyPool } from './body-pool.js';
import { gatewayLimits, limitConnections, serverLimitOptions, type GatewayLimits } from './gateway-limits.js';
import { answerUnread, send } from './http-reply.js';
import { readBody } from './request-body.js';

export type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
export type AuthorizerHandler = (event: APIGatewayRequestAuthorizerEvent, context: Context) => Promise<APIGatewayAuthorizerResult>;

export interface GatewayOptions {
  readonly tls: { key: string; cert: string; ca: string };
  readonly functions: Record<FunctionName, ApiHandler>;
  readonly authorizer: AuthorizerHandler;
  /** Connection and timeout limits; each one defaults to DEFAULT_GATEWAY_LIMITS'. Body limits are per route. */
  readonly limits?: Partial<GatewayLimits>;
}

/**
 * The local API Gateway: HTTPS with a mandatory client certificate verified against the
 * CA (TLS ≥ 1.2), then the same REQUEST authorizer and handlers Lambda runs, with events
 * of the same shape. Clients without a valid certificate never reach a handler.
 *
 * It decides who is calling before it reads a body: route (method + path), then the
 * authorizer on the certificate and the headers, then the route's roles; only then is the
 * body read, up to the route's maxBodyBytes. A refused request is answered without reading
 * its body, and its connection closed.
 */
export function createGateway(options: GatewayOptions): Server {
  const limits = gatewayLimits(options.limits);
  const pool = new BodyPool();
  const server = createServer({
    key: options.tls.key, cert: options.tls.cert, ca: options.tls.ca,
    requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2',
    ...serverLimitOptions(limits),
  }, (req, res) => serveRequest(req, res, false));
  limitConnections(server, limits);
  // Without this listener Node would answer `Expect: 100-continue` itself, before the authorizer.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => serveRequest(req, res, true));

  function serveRequest(req: IncomingMessage, res: ServerResponse, expectsContinue: boolean): void {
    // Nothing more of this connection is read until the caller is let in (readBody resumes it).
    req.socket.pause();
    const state = { bodyRead: false };
    handle(req, res, expectsContinue, state).catch((error: unknown) => {
      logger.error('gateway failure', { error: error as Error });
      const problem = problemResponse(new HttpProblem(500, 'Internal Server Error', 'an unexpected error occurred'));
      if (res.headersSent) res.destroy();
      else if (state.bodyRead) send(res, problem);
      else answerUnread(req, res, problem);
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse, expectsContinue: boolean, state: { bodyRead: boolean }): Promise<void> {
    const refuse = (problem: HttpProblem) => answerUnread(req, res, problemResponse(problem));
    const socket = req.socket as TLSSocket;
    const peer = socket.getPeerX509Certificate();
    if (!socket.authorized || !peer) return refuse(new HttpProblem(401, 'Unauthorized', 'a client certificate issued by this core is required'));
    const url = new URL(req.url ?? '/', 'https://localhost');
    const method = req.method ?? 'GET';
    const candidates = ROUTES.map((r) => ({ r, params: matchPath(r.path, url.pathname) })).filter((c) => c.params);
    const match = candidates.find((c) => c.r.method === method);
    if (!match) {
      return refuse(candidates.length
        ? new HttpProblem(405, 'Method Not Allowed', `${method} is not allowed on ${url.pathname}`)
        : new HttpProblem(404, 'Not Found', `no route ${method} ${url.pathname}`));
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    const head = headEvent({ method, path: url.pathname, query: url.searchParams, headers, sourceIp: socket.remoteAddress ?? '127.0.0.1' },
      match.r, match.params ?? {}, clientCertOf(peer));

    // Who is calling, from the certificate and the headers alone.
    let policy: APIGatewayAuthorizerResult;
    try {
      policy = await options.authorizer(authorizerEvent(head), lambdaContext('authorizer'));
    } catch {
      return refuse(new HttpProblem(401, 'Unauthorized', 'the client certificate was not accepted'));
    }
    const allowed = policy.policyDocument.Statement.some((s) => s.Effect === 'Allow');
    if (!allowed) return refuse(new HttpProblem(403, 'Forbidden', 'the client certificate is revoked or unknown'));
    head.requestContext.authorizer = { ...policy.context, principalId: policy.principalId };
    try {
      requireRole(callerOf(head), match.r.roles); // as the handler would, but before the body
    } catch (e) {
      if (e instanceof HttpProblem) return refuse(e);
      throw e;
    }

    // Only now the body, up to the route's limit.
    const limit = match.r.maxBodyBytes;
    const tooLarge = () => refuse(new HttpProblem(413, 'Payload Too Large', `request bodies on ${match.r.method} ${match.r.path} are limited to ${limit} bytes`));
    const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
    if (declared !== undefined && declared > limit) return tooLarge();
    const lease = declared !== undefined && Number.isSafeInteger(declared) ? pool.take(declared) : undefined;
    // Back to the pool only once the response is sent, i.e. after the handler is done with the
    // body; a connection dropped mid-request never returns its buffer (the GC frees it).
    if (lease) res.once('finish', lease.release);
    if (expectsContinue) res.writeContinue();
    state.bodyRead = true;
    const body = await readBody(req, limit, lease?.buffer);
    if (!body) return tooLarge();
    const event = withBody(head, body, { handOverRawBody: true });
    const result = await options.functions[match.r.fn](event, lambdaContext(match.r.fn));
    send(res, result);
  }
  return server;
}
