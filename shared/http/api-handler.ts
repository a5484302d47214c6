import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { actorOf, callerOf, requireRole, type Caller } from './caller.js';
import { problemJson } from './middleware/problem-json.js';
import { notFound } from './problem.js';
import { ROUTES, type FunctionName } from './routes.js';
import { lambdaHandler } from '../runtime/lambda-handler.js';

export interface RouteContext {
  readonly event: APIGatewayProxyEvent;
  readonly caller: Caller;
  readonly actor: string;
  readonly params: Record<string, string>;
}
export type RouteHandler = (ctx: RouteContext) => Promise<APIGatewayProxyResult>;

/**
 * A thin Lambda entry for one function of the route table: it dispatches on
 * `${httpMethod} ${resource}` (as API Gateway's REST proxy sets them), checks the role the
 * route table demands, and leaves errors to the problemJson middleware. Logs carry the request
 * id and cold start, metrics are published per invocation (lambdaHandler).
 */
export function apiHandler(fn: FunctionName, handlers: Record<string, RouteHandler>) {
  const routes = ROUTES.filter((r) => r.fn === fn);
  for (const r of routes) {
    if (!handlers[`${r.method} ${r.path}`]) throw new Error(`${fn}: no handler for ${r.method} ${r.path}`);
  }
  return lambdaHandler(middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(problemJson())
    .handler(async (event) => {
      const route = routes.find((r) => r.method === event.httpMethod && r.path === event.resource);
      const handle = route ? handlers[`${route.method} ${route.path}`] : undefined;
      if (!route || !handle) throw notFound(`no route ${event.httpMethod} ${event.resource}`);
      const caller = callerOf(event);
      requireRole(caller, route.roles);
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries(event.pathParameters ?? {})) if (v !== undefined) params[k] = v;
      return handle({ event, caller, actor: actorOf(caller), params });
    }));
}
