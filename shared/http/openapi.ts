import { z } from 'zod';
import { ROUTES, type ErrorStatus, type RouteSpec } from './routes.js';
import { REQUEST_SCHEMAS } from './schemas/index.js';
import * as RESPONSES from './schemas/responses/index.js';

/**
 * The OpenAPI 3.1 document, generated from the route table (success statuses and response
 * schemas, which also type the handlers' reply()) and the request schemas that validate
 * requests. Linted in CI by `npm run lint:openapi` (Redocly CLI).
 */
type Schemas = { body?: z.ZodType; query?: z.ZodType };

const SUCCESS: Record<number, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted: queued for review', 204: 'No Content' };

const REFUSAL: Record<ErrorStatus | '5XX', string> = {
  400: 'Bad Request: an invalid id, query or body; nothing changed',
  401: 'Unauthorized: no client certificate this core accepts',
  403: "Forbidden: the certificate's role may not do this, or it is revoked",
  404: 'Not Found',
  409: 'Conflict: the state does not allow it, or it changed concurrently (retry)',
  410: 'Gone: it was purged, or its time in the recycle bin is over',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content: refused by a rule of the domain; nothing changed',
  423: 'Locked: replication is paused by the service provider (the reason is in the problem); retry after the Retry-After header',
  429: 'Too Many Requests: retry after the Retry-After header',
  502: 'Bad Gateway: the stored bytes failed verification; nothing was served, and the data now counts as missing (send it again)',
  '5XX': 'The core failed or a backing service is unavailable (retry)',
};

/**
 * The refusals a route can answer: any route 401 (gateway) and 403 (revoked, or the wrong role);
 * path ids, a query or a body 400; path ids 404; writes 409; a body 413 and 415; plus those the
 * route table names (422 domain refusals, 429, …).
 */
export function errorStatuses(r: RouteSpec, schemas: Schemas = REQUEST_SCHEMAS[`${r.method} ${r.path}`] ?? {}): ErrorStatus[] {
  const hasParams = r.path.includes('{');
  const hasBody = r.method === 'POST' || r.method === 'PUT';
  const s = new Set<ErrorStatus>([401, 403, ...(r.errors ?? [])]);
  if (hasParams || hasBody || schemas.query) s.add(400);
  if (hasParams) s.add(404);
  if (r.method !== 'GET') s.add(409);
  if (hasBody) { s.add(413); s.add(415); }
  return [...s].sort((a, b) => a - b);
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io }) as Record<string, unknown>;
  return rest;
}

const problem = (description: string) => ({
  description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

/** Response schemas by the name they are exported under: components/schemas/<name>. */
const RESPONSE_NAMES = new Map<z.ZodType, string>(Object.entries(RESPONSES).map(([name, schema]) => [schema, name]));

export function responseSchemaName(schema: z.ZodType): string {
  const name = RESPONSE_NAMES.get(schema);
  if (!name) throw new Error('a route response schema must be exported from shared/http/schemas/responses/index.ts');
  return name;
}

function successResponses(r: RouteSpec): Record<string, unknown> {
  const content = r.response
    ? { 'application/json': { schema: { $ref: `#/components/schemas/${responseSchemaName(r.response)}` } } }
    : r.media
      ? { [r.media]: { schema: { type: 'string' } } }
      : { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } };
  return Object.fromEntries(r.status.map((status) => [String(status), { description: SUCCESS[status] ?? 'Success', content }]));
}

function operation(r: RouteSpec): Record<string, unknown> {
  const key = `${r.method} ${r.path}`;
  const schemas = REQUEST_SCHEMAS[key] ?? {};
  const pathParams = [...r.path.matchAll(/\{([^}]+)\}/g)].map((m) => ({
    name: m[1], in: 'path', required: true,
    schema: m[1] === 'sha256' || m[1] === 'packId' ? { type: 'string', pattern: '^[a-f0-9]{64}$' } : { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' },
  }));
  const queryParams = schemas.query
    ? Object.entries((jsonSchema(schemas.query, 'input') as { properties?: Record<string, unknown> }).properties ?? {})
      .map(([name, schema]) => ({ name, in: 'query', required: false, schema }))
    : [];
  const op: Record<string, unknown> = {
    summary: r.summary,
    operationId: key.replace(/[^A-Za-z0-9]+/g, '_'),
    'x-drcore-roles': r.roles,
    ...(pathParams.length || queryParams.length ? { parameters: [...pathParams, ...queryParams] } : {}),
    responses: {
      ...successResponses(r),
      ...Object.fromEntries(errorStatuses(r, schemas).map((s) => [String(s), problem(REFUSAL[s])])),
      '5XX': problem(REFUSAL['5XX']),
    },
  };
  if (r.binary && r.method === 'PUT') {
    op['requestBody'] = { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } };
  } else if (schemas.body) {
    op['requestBody'] = { required: true, content: { 'application/json': { schema: jsonSchema(schemas.body, 'input') } } };
  }
  return op;
}

export interface OpenApi {
  openapi: string; info: { title: string; version: string; [k: string]: unknown }; paths: Record<string, unknown>; [k: string]: unknown;
}

export function openApiDocument(): OpenApi {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES as readonly RouteSpec[]) (paths[r.path] ??= {})[r.method.toLowerCase()] = operation(r);
  return {
    openapi: '3.1.0',
    info: {
      title: 'drcore target core API', version: '1',
      description: 'Every call is HTTPS with a client certificate issued by this core\'s CA. Every refusal is application/problem+json and changes nothing.',
    },
    servers: [{ url: '/', description: 'The target core that serves this document' }],
    security: [{ mutualTLS: [] }],
    components: {
      securitySchemes: { mutualTLS: { type: 'mutualTLS', description: 'A client certificate issued by this core\'s CA; role and tenant are in the certificate.' } },
      schemas: {
        ...Object.fromEntries([...RESPONSE_NAMES].map(([schema, name]) => [name, jsonSchema(schema, 'output')])),
        Problem: {
          type: 'object', required: ['type', 'title', 'status', 'detail'],
          description: 'RFC 9457 problem details; some refusals add members (errors, missing, …)',
          properties: {
            type: { type: 'string', format: 'uri' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' },
            errors: { type: 'array', description: 'Which inputs failed validation', items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: { type: 'string' } } } },
          },
        },
      },
    },
    paths,
  };
}
