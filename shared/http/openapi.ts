import { z } from 'zod';
import { ROUTES } from './routes.js';
import { REQUEST_SCHEMAS } from './schemas/index.js';

const PROBLEM = {
  description: 'Problem (RFC 9457)',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

/** The OpenAPI 3.1 document, generated from the route table and the request schemas. */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) {
    const key = `${r.method} ${r.path}`;
    const schemas = REQUEST_SCHEMAS[key] ?? {};
    const pathParams = [...r.path.matchAll(/\{([^}]+)\}/g)].map((m) => ({
      name: m[1], in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' },
    }));
    const queryParams = schemas.query
      ? Object.entries((z.toJSONSchema(schemas.query, { io: 'input' }) as { properties?: Record<string, unknown> }).properties ?? {})
        .map(([name, schema]) => ({ name, in: 'query', required: false, schema }))
      : [];
    const op: Record<string, unknown> = {
      summary: r.summary,
      operationId: key.replace(/[^A-Za-z0-9]+/g, '_'),
      'x-drcore-roles': r.roles,
      parameters: [...pathParams, ...queryParams],
      responses: { '200': { description: 'OK' }, '400': PROBLEM, '403': PROBLEM, '404': PROBLEM, '409': PROBLEM },
    };
    if (r.binary && r.method === 'PUT') {
      op['requestBody'] = { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } };
    } else if (schemas.body) {
      op['requestBody'] = { required: true, content: { 'application/json': { schema: z.toJSONSchema(schemas.body, { io: 'input' }) } } };
    }
    (paths[r.path] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'drcore target core API', version: '1' },
    security: [{ mutualTLS: [] }],
    components: {
      securitySchemes: { mutualTLS: { type: 'mutualTLS', description: 'A client certificate issued by this core\'s CA; role and tenant are in the certificate.' } },
      schemas: {
        Problem: {
          type: 'object', required: ['type', 'title', 'status', 'detail'],
          properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' } },
        },
      },
    },
    paths,
  };
}
