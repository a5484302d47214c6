/**
 * Log lines of an invocation carry its Lambda context (request id, cold start, function), as
 * Powertools' Logger formats it, even when invocations run concurrently in one process (the
 * local runtime). Through the real wiring: a handler made by apiHandler whose route fails, so
 * the problemJson middleware logs "request failed". Log lines are captured, not printed.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { proxyEvent } from '../../local/api-event.js';
import { lambdaContext } from '../../local/lambda-context.js';
import { apiHandler } from '../../shared/http/api-handler.js';
import { json } from '../../shared/http/responses.js';
import { ROUTES } from '../../shared/http/routes.js';
import { logger } from '../../shared/runtime/logger.js';

type Line = Record<string, unknown>;

/**
 * Runs `fn`, returning the log lines (JSON, one write each) written to stdout and stderr
 * meanwhile, without printing them; anything else (the test runner's own output) passes through.
 */
async function captureLogs(fn: () => Promise<void>): Promise<Line[]> {
  const lines: Line[] = [];
  const streams = [process.stdout, process.stderr];
  const writes = streams.map((s) => s.write);
  streams.forEach((s, i) => {
    s.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      if (typeof chunk === 'string' && chunk.startsWith('{"level":')) { lines.push(JSON.parse(chunk) as Line); return true; }
      return writes[i]!.call(s, chunk, ...rest);
    }) as typeof s.write;
  });
  try { await fn(); } finally { streams.forEach((s, i) => { s.write = writes[i]!; }); }
  return lines;
}

function whoamiEvent(): APIGatewayProxyEvent {
  const route = ROUTES.find((r) => r.method === 'GET' && r.path === '/v1/whoami')!;
  const event = proxyEvent({ method: 'GET', path: '/v1/whoami', query: new URLSearchParams(), headers: {}, body: Buffer.alloc(0), sourceIp: '127.0.0.1' }, route, {}, {} as never);
  event.requestContext.authorizer = { role: 'admin', serial: '00ad', subject: 'CN=admin' };
  return event;
}

describe('logger context per invocation', () => {
  it('each line of an invocation carries its request id and function; cold start only on the first; concurrent invocations keep theirs', async () => {
    let releaseFirst!: () => void;
    const firstMayFail = new Promise<void>((r) => { releaseFirst = r; });
    let calls = 0;
    const handler = apiHandler('whoami-api', {
      'GET /v1/whoami': async () => {
        const n = ++calls;
        logger.info('handling', { n });
        if (n === 1) await firstMayFail; // the second invocation runs (and logs) meanwhile
        throw new Error(`boom ${n}`);
      },
      'GET /openapi.json': async () => json(200, {}),
      'GET /admin': async () => json(200, {}),
      'GET /admin/assets/{asset}': async () => json(200, {}),
      'GET /apprecovery/admin': async () => json(200, {}),
      'GET /apprecovery/admin/assets/{asset}': async () => json(200, {}),
    });
    const first = lambdaContext('whoami-api');
    const second = lambdaContext('whoami-api');
    const lines = await captureLogs(async () => {
      logger.info('outside any invocation');
      const a = handler(whoamiEvent(), first);
      await new Promise((r) => setImmediate(r));
      const b = handler(whoamiEvent(), second);
      const rb: APIGatewayProxyResult = await b;
      releaseFirst();
      const ra: APIGatewayProxyResult = await a;
      assert.equal(ra.statusCode, 500);
      assert.equal(rb.statusCode, 500);
    });
    const of = (message: string, n: number) => lines.find((l) => l['message'] === message && (l['n'] === n || String((l['error'] as Line | undefined)?.['message']).endsWith(`boom ${n}`)));
    const outside = lines.find((l) => l['message'] === 'outside any invocation');
    assert.ok(outside, `logged outside: ${JSON.stringify(lines)}`);
    assert.equal(outside['function_request_id'], undefined);

    for (const [n, ctx, cold] of [[1, first, true], [2, second, false]] as const) {
      for (const message of ['handling', 'request failed']) {
        const line = of(message, n);
        assert.ok(line, `"${message}" of invocation ${n} in ${JSON.stringify(lines)}`);
        assert.equal(line['function_request_id'], ctx.awsRequestId, `"${message}" of invocation ${n} carries its own request id`);
        assert.equal(line['function_name'], 'whoami-api');
        assert.equal(line['cold_start'], cold, `"${message}" of invocation ${n}: cold_start ${cold}`);
      }
    }
  });
});
