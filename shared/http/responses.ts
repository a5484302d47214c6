import type { APIGatewayProxyResult } from 'aws-lambda';

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode, headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers }, body: JSON.stringify(body) };
}

export function binary(bytes: Buffer, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/octet-stream', 'cache-control': 'private, max-age=31536000, immutable', ...headers },
    body: bytes.toString('base64'),
    isBase64Encoded: true,
  };
}
