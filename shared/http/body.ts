import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { z } from 'zod';
import { badRequest, payloadTooLarge, unsupportedMediaType } from './problem.js';

export const MAX_JSON_BODY = 64 * 1024;

function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const h = event.headers ?? {};
  const key = Object.keys(h).find((k) => k.toLowerCase() === name);
  return key ? h[key] ?? undefined : undefined;
}

export function rawBody(event: APIGatewayProxyEvent): Buffer {
  if (event.body == null) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

/** Parses and validates a JSON body with its schema: 400/413/415 problems, never a partial result. */
export function jsonBody<S extends z.ZodType>(event: APIGatewayProxyEvent, schema: S): z.infer<S> {
  const type = header(event, 'content-type');
  if (type !== undefined && !/^application\/(problem\+)?json\b/i.test(type)) {
    throw unsupportedMediaType(`expected application/json, got ${type}`);
  }
  const raw = rawBody(event);
  if (raw.length > MAX_JSON_BODY) throw payloadTooLarge(`JSON bodies are limited to ${MAX_JSON_BODY} bytes`);
  let parsed: unknown;
  try {
    parsed = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw badRequest(`the body is not valid JSON: ${(e as Error).message}`);
  }
  return validate(schema, parsed, 'body');
}

export function validate<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const errors = result.error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }));
    throw badRequest(errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
  }
  return result.data;
}

export function queryOf<S extends z.ZodType>(event: APIGatewayProxyEvent, schema: S): z.infer<S> {
  return validate(schema, event.queryStringParameters ?? {}, 'query');
}
