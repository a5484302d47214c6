/**
 * The serve hook of the benchmark's request counting (local/request-metering.ts): off unless
 * DRCORE_COUNT_REQUESTS=1, and then handlers are timed per function and route and SIGUSR2
 * writes the counters to DATA/request-counts.json. Handlers are STUBS.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { REQUEST_COUNTS_FILE, requestMetering, type RequestCountsDump } from '../../local/request-metering.js';

const event = { httpMethod: 'PUT', resource: '/v1/machines/{machineId}' } as APIGatewayProxyEvent;
const context = {} as Context;

async function dumped(dir: string, seq: number): Promise<RequestCountsDump> {
  for (let i = 0; i < 200; i++) {
    const file = join(dir, REQUEST_COUNTS_FILE);
    if (existsSync(file)) {
      const d = JSON.parse(readFileSync(file, 'utf8')) as RequestCountsDump;
      if (d.seq >= seq) return d;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('no dump');
}

describe('request metering (DRCORE_COUNT_REQUESTS)', () => {
  it('off: everything is handed back as it is', () => {
    const m = requestMetering('/nonexistent', {});
    const handler = async () => ({ statusCode: 200, body: '' });
    const fns = { 'whoami-api': handler };
    assert.equal(m.api(fns), fns);
    assert.equal(m.worker('projector', handler), handler);
  });

  it('on: API invocations per function and route, failures (5xx or thrown) counted; SIGUSR2 dumps the counters', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'drcore-metering-'));
    const m = requestMetering(dir, { DRCORE_COUNT_REQUESTS: '1' });
    t.after(() => { m.stop(); rmSync(dir, { recursive: true, force: true }); });
    const answer = { statusCode: 201, body: '{}' };
    const boom = new Error('boom');
    const fns = m.api({
      'replication-api': async () => answer,
      'admin-api': async () => ({ statusCode: 500, body: '' }),
    });
    const projector = m.worker('projector', async () => { throw boom; });
    assert.equal(await fns['replication-api'](event, context), answer, 'the handler\'s own result');
    await fns['replication-api'](event, context);
    await fns['admin-api'](event, context);
    await assert.rejects(projector({}, context), (e) => e === boom);
    process.kill(process.pid, 'SIGUSR2');
    const d = await dumped(dir, 1);
    assert.equal(d.pid, process.pid);
    assert.equal(d.counts.functions['replication-api']?.invocations, 2);
    assert.equal(d.counts.functions['admin-api']?.errors, 1);
    assert.equal(d.counts.functions.projector?.errors, 1);
    assert.deepEqual(Object.fromEntries(Object.entries(d.counts.routes).map(([k, v]) => [k, v.invocations])), { 'PUT /v1/machines/{machineId}': 3 });
    process.kill(process.pid, 'SIGUSR2');
    assert.equal((await dumped(dir, 2)).seq, 2, 'each dump a new sequence number');
  });
});
