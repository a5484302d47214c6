/**
 * The bench's AWS cost model (bench/cost.ts) against figures computed by hand, and its memory
 * table against the functions infra/drcore-stack.ts configures (read as text: no synth).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { costOf, DEFAULT_LAMBDA_MEMORY_MB, LAMBDA_MEMORY_MB, modelUsage, perTb } from '../../bench/cost.js';
import type { CounterSnapshot } from '../../shared/adapters/counting/request-counter.js';

const call = (units: CounterSnapshot['ports'][string][string]['units']) => ({ calls: 1, errors: 0, bytesIn: 0, bytesOut: 0, items: 0, units });
const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} ≠ ${expected}`);

describe('bench cost model', () => {
  const replication = {
    blobs: { put: call({ s3Put: 2000, s3Get: 2000 }), head: call({ s3Get: 8000 }) },
    events: { append: call({ dynamoWrite: 4_000_000, dynamoRead: 1_000_000 }) },
    readModels: { get: call({ dynamoRead: 1_000_000 }) },
  };
  const worker = { queue: { send: call({ sqs: 1_000_000 }) } };
  // The authorizer's own reads: 240 counted, 3 of its 240 runs happen on AWS → 3 read units.
  const authorizer = { events: { readStream: call({ dynamoRead: 240 }) } };
  const counts: CounterSnapshot = {
    ports: { ...replication, ...worker }, // totals (the report's table); the model reads byFunction
    byFunction: { 'replication-api': replication, 'workflow-worker': worker, authorizer },
    functions: {
      // 1024 MB: 500 s of billed time = 500 GB-s
      'workflow-worker': { invocations: 2000, errors: 0, ms: 499_000, billedMs: 500_000 },
      // 240 invocations of 2 ms; a 150 s phase → at most 3 (one caller, 60 s cache)
      authorizer: { invocations: 240, errors: 0, ms: 400, billedMs: 480 },
    },
    routes: { 'PUT /v1/x': { invocations: 600_000, errors: 0, ms: 0, billedMs: 0 }, 'GET /v1/y': { invocations: 400_000, errors: 0, ms: 0, billedMs: 0 } },
  };

  it('prices each service as the constants say, the cached authorizer scaled to its runs on AWS', () => {
    const usage = modelUsage(counts, 150);
    assert.equal(usage.apiRequests, 1_000_000);
    assert.deepEqual(usage.units, { s3Put: 2000, s3Get: 10_000, dynamoRead: 2_000_003, dynamoWrite: 4_000_000, sqs: 1_000_000 });
    assert.equal(usage.lambda.authorizer?.invocations, 3);
    close(usage.lambda.authorizer!.gbSeconds, (3 * 2 / 1000) * 0.25);
    close(usage.lambda['workflow-worker']!.gbSeconds, 500);
    const cost = costOf(usage);
    close(cost.apiGateway, 3.5);
    // worker: 2000 × $0.20/M + 500 GB-s × $0.0000133334; authorizer: 3 × $0.20/M + 0.0015 GB-s × $0.0000133334
    close(cost.lambda, 0.0004 + 0.0066667 + 0.0000006 + 0.0015 * 0.0000133334);
    close(cost.s3, 2000 * 0.005 / 1000 + 10_000 * 0.0004 / 1000); // $0.01 + $0.004
    close(cost.dynamodb, 4 * 1.25 + 2.000003 * 0.25); // $5.50 and the authorizer's 3 reads
    close(cost.sqs, 0.4);
    close(cost.total, 3.5 + cost.lambda + 0.014 + 5.50000075 + 0.4);
  });

  it('the authorizer is never counted more often than it ran, and $/TB divides by 10^12 bytes', () => {
    const usage = modelUsage({ ...counts, functions: { authorizer: { invocations: 2, errors: 0, ms: 2, billedMs: 4 } } }, 3600);
    assert.equal(usage.lambda.authorizer?.invocations, 2);
    assert.equal(perTb(3, 2e12), 1.5);
    assert.ok(Number.isNaN(perTb(1, 0)));
  });

  it('memory per function is what infra/drcore-stack.ts configures', () => {
    const stack = readFileSync(new URL('../../infra/drcore-stack.ts', import.meta.url), 'utf8');
    const construct = readFileSync(new URL('../../infra/constructs/drcore-function.ts', import.meta.url), 'utf8');
    const fallback = Number(/memorySize: props\.memorySize \?\? (\d+)/.exec(construct)?.[1]);
    assert.equal(fallback, DEFAULT_LAMBDA_MEMORY_MB);
    const configured: Record<string, number> = {};
    for (const m of stack.matchAll(/fn\('\w+', \{ name: '([\w-]+)'[^\n]*?\}\)/g)) {
      configured[m[1]!] = Number(/memorySize: (\d+)/.exec(m[0])?.[1] ?? fallback);
    }
    assert.ok(Object.keys(configured).length >= 7, 'found the functions');
    assert.deepEqual(configured, LAMBDA_MEMORY_MB);
  });
});
