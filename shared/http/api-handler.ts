import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { z } from 'zod';
import { actorOf, callerOf, requireRole, type Caller } from './caller.js';
import { problemJson } from './middleware/problem-json.js';
import { notFound } from './problem.js';
import { reply } from './responses.js';
import { ROUTES, type FunctionName, type Route, type RouteKey, type RouteOf, type RouteSpec } from './routes.js';
import { lambdaHandler } from '../runtime/lambda-handler.js';

/** What a success of route K carries: its response schema's type, its declared statuses. */
export type BodyOf<K extends RouteKey> = RouteOf<K> extends { response: infer S extends z.ZodType } ? z.input<S> : never;
export type StatusOf<K extends RouteKey> = RouteOf<K>['status'][number];

export interface RouteContext<K extends RouteKey = RouteKey> {
  readonly event: APIGatewayProxyEvent;
  readonly caller: Caller;
  readonly actor: string;
  readonly params: Record<string, string>;
  /** The route's JSON success: its first status unless `status` names another of its statuses. */
  reply(body: BodyOf<K>, options?: { status?: StatusOf<K>; headers?: Record<string, string> }): APIGatewayProxyResult;
}
export type RouteHandler<K extends RouteKey = RouteKey> = (ctx: RouteContext<K>) => Promise<APIGatewayProxyResult>;
export type RouteKeysOf<F extends FunctionName> = RouteKey<Extract<Route, { fn: F }>>;

/**
 * A thin Lambda entry for one function of the route table: it dispatches on
 * `${httpMethod} ${resource}` (as API Gateway's REST proxy sets them), checks the role the
 * route table demands, and leaves errors to the problemJson middleware. Logs carry the request
 * id and cold start, metrics are published per invocation (lambdaHandler).
 */
export function apiHandler<F extends FunctionName>(fn: F, handlers: { [K in RouteKeysOf<F>]: RouteHandler<K> }) {
  const table = handlers as unknown as Record<string, RouteHandler | undefined>;
  const routes = (ROUTES as readonly RouteSpec[]).filter((r) => r.fn === fn);
  for (const r of routes) {
    if (!table[`${r.method} ${r.path}`]) throw new Error(`${fn}: no handler for ${r.method} ${r.path}`);
  }
  return lambdaHandler(middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(problemJson())
    .handler(async (event) => {
      const route = routes.find((r) => r.method === event.httpMethod && r.path === event.resource);
      const handle = route ? table[`${route.method} ${route.path}`] : undefined;
      if (!route || !handle) throw notFound(`no route ${event.httpMethod} ${event.resource}`);
      const caller = callerOf(event);
      requireRole(caller, route.roles);
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries(event.pathParameters ?? {})) if (v !== undefined) params[k] = v;
      return handle({
        event, caller, actor: actorOf(caller), params,
        reply: (body, options) => reply(route, body, options),
      });
    }));
}
