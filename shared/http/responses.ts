import type { APIGatewayProxyResult } from 'aws-lambda';
import type { RouteSpec } from './routes.js';

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode, headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers }, body: JSON.stringify(body) };
}

/** A route's JSON success, with a status the route table declares for it (the first by default). */
export function reply(route: RouteSpec, body: unknown, options: { status?: number; headers?: Record<string, string> } = {}): APIGatewayProxyResult {
  const status = options.status ?? route.status[0];
  if (!(route.status as readonly number[]).includes(status)) throw new Error(`${route.method} ${route.path} declares no ${status} response`);
  return json(status, body, options.headers);
}

export function binary(bytes: Buffer, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/octet-stream', 'cache-control': 'private, max-age=31536000, immutable', ...headers },
    body: bytes.toString('base64'),
    isBase64Encoded: true,
  };
}
