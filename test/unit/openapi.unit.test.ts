import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { openApiDocument, responseSchemaName } from '../../shared/http/openapi.js';
import { ROUTES } from '../../shared/http/routes.js';

type Response = { description: string; content?: Record<string, { schema: Record<string, unknown> }> };
type Operation = { responses: Record<string, Response>; requestBody?: unknown };

const doc = openApiDocument() as unknown as {
  openapi: string; servers?: { url: string }[]; paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Record<string, unknown>> };
};
const op = (method: string, path: string): Operation => {
  const o = doc.paths[path]?.[method.toLowerCase()];
  assert.ok(o, `${method} ${path} is documented`);
  return o;
};

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 with servers', () => {
    assert.equal(doc.openapi, '3.1.0');
    assert.ok(doc.servers?.length, 'servers');
  });

  it("documents each route's success statuses from the route table, and no other success", () => {
    for (const r of ROUTES) {
      const o = op(r.method, r.path);
      const successes = Object.keys(o.responses).filter((s) => /^2/.test(s)).sort();
      assert.deepEqual(successes, r.status.map(String).sort(), `${r.method} ${r.path}`);
    }
    assert.deepEqual(Object.keys(op('POST', '/v1/pairing-requests').responses).filter((s) => /^2/.test(s)), ['202']);
    assert.deepEqual(Object.keys(op('PUT', '/v1/machines/{machineId}').responses).filter((s) => /^2/.test(s)).sort(), ['200', '201']);
  });

  it("generates each success body's schema from the route's response schema", () => {
    for (const r of ROUTES) {
      for (const s of r.status) {
        const content = op(r.method, r.path).responses[String(s)]?.content ?? {};
        if ('response' in r) {
          const name = responseSchemaName(r.response);
          assert.deepEqual(content['application/json']?.schema, { $ref: `#/components/schemas/${name}` }, `${r.method} ${r.path} ${s}`);
          const { $schema: _s, ...expected } = z.toJSONSchema(r.response, { io: 'output' }) as Record<string, unknown>;
          assert.deepEqual(doc.components.schemas[name], expected, name);
        } else if ('media' in r) {
          assert.deepEqual(Object.keys(content), [r.media], `${r.method} ${r.path}: ${r.media}`);
        } else {
          assert.ok(content['application/octet-stream'], `${r.method} ${r.path}: binary`);
        }
      }
    }
  });

  it('documents the refusals each route can give, as problem+json', () => {
    for (const r of ROUTES) {
      const o = op(r.method, r.path);
      const refusals = Object.keys(o.responses).filter((s) => /^[45]/.test(s));
      for (const s of refusals) {
        assert.deepEqual(o.responses[s]?.content?.['application/problem+json']?.schema, { $ref: '#/components/schemas/Problem' }, `${r.method} ${r.path} ${s}`);
      }
      for (const s of ['401', '403', '5XX']) assert.ok(refusals.includes(s), `${r.method} ${r.path} ${s}`);
      if (r.path.includes('{')) for (const s of ['400', '404']) assert.ok(refusals.includes(s), `${r.method} ${r.path} ${s}`);
      if (r.method !== 'GET') for (const s of ['400', '409', '413', '415']) assert.ok(refusals.includes(s), `${r.method} ${r.path} ${s}`);
      for (const s of 'errors' in r ? r.errors : []) assert.ok(refusals.includes(String(s)), `${r.method} ${r.path} ${s}`);
    }
  });
});
