import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { rawOf } from '../shared/http/raw-body.js';

/**
 * How long a connection whose request body was left unread stays open after its answer, not
 * reading: a client still sending gets to read the answer instead of a reset (closing a socket
 * with unread data resets it, and the client may lose what it had not read yet).
 */
export const UNREAD_CLOSE_GRACE_MS = 1000;

function encode(result: APIGatewayProxyResult): { headers: Record<string, string | number>; body: Buffer } {
  const raw = rawOf(result);
  const body = raw ?? (result.body === undefined ? Buffer.alloc(0) : result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body, 'utf8'));
  return { headers: { ...(result.headers as Record<string, string> | undefined), 'content-length': body.length }, body };
}

/** Writes an API Gateway result; the connection stays open for the next request. */
export function send(res: ServerResponse, result: APIGatewayProxyResult): void {
  const { headers, body } = encode(result);
  res.writeHead(result.statusCode, headers);
  res.end(body);
}

/**
 * Answers a request whose body is (partly) unread and will stay so: stops reading from the
 * connection, sends `result` with `Connection: close`, and closes the connection after a short
 * grace in which nothing more is read.
 */
export function answerUnread(req: IncomingMessage, res: ServerResponse, result: APIGatewayProxyResult): void {
  req.pause();
  req.socket.pause();
  const { headers, body } = encode(result);
  headers['connection'] = 'close';
  res.writeHead(result.statusCode, headers);
  // The whole answer, but not res.end(): ending it would make the server drain the body.
  res.write(body);
  const timer = setTimeout(() => req.socket.destroy(), UNREAD_CLOSE_GRACE_MS).unref();
  req.socket.once('close', () => clearTimeout(timer));
}
