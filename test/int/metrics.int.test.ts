/**
 * Business metrics as CloudWatch EMF (Powertools Metrics): packs and bytes newly ingested and
 * recovery points committed by the replication API, refusals by the authorizer — one EMF line
 * per invocation that recorded any, only on Lambda. The real handlers over local adapters (the
 * replication API harness); "on Lambda" is the runtime's AWS_LAMBDA_FUNCTION_NAME, set here
 * for the Lambda case and unset for the local one. Output is captured, not printed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { lambdaContext } from '../../local/lambda-context.js';
import { createCa, newSerial } from '../../shared/pki/ca.js';
import { issueClientCertificate } from '../../shared/pki/client-cert.js';
import { generateKeyPair } from '../../shared/pki/keys.js';
import { buildRp, makeVolume, packsOf, replicate, startHarness, type Harness } from '../support/replication-api-harness.js';

type Emf = Record<string, unknown> & { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] } };

/** Runs `fn`, returning the EMF lines written meanwhile (not printed); log lines are dropped, the rest passes through. */
async function captureEmf(fn: () => Promise<void>): Promise<Emf[]> {
  const lines: Emf[] = [];
  const streams = [process.stdout, process.stderr];
  const writes = streams.map((s) => s.write);
  streams.forEach((s, i) => {
    s.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      if (typeof chunk === 'string' && chunk.startsWith('{"_aws":')) { lines.push(JSON.parse(chunk) as Emf); return true; }
      if (typeof chunk === 'string' && chunk.startsWith('{"level":')) return true; // the refusals' log lines
      return writes[i]!.call(s, chunk, ...rest);
    }) as typeof s.write;
  });
  try { await fn(); } finally { streams.forEach((s, i) => { s.write = writes[i]!; }); }
  return lines;
}

/** Sum of one metric over EMF lines (a value may be one number or a list of them). */
function total(lines: Emf[], name: string): number {
  let sum = 0;
  for (const l of lines) {
    const v = l[name];
    if (typeof v === 'number') sum += v;
    else if (Array.isArray(v)) sum += (v as number[]).reduce((a, b) => a + b, 0);
  }
  return sum;
}

function authorizerEvent(pem: string | undefined): APIGatewayRequestAuthorizerEvent {
  return {
    type: 'REQUEST', methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:api/prod/GET/v1/whoami', resource: '/v1/whoami', path: '/v1/whoami', httpMethod: 'GET',
    headers: {}, multiValueHeaders: {}, pathParameters: {}, queryStringParameters: {}, multiValueQueryStringParameters: {}, stageVariables: {},
    requestContext: { identity: { clientCert: pem ? { clientCertPem: pem, serialNumber: '00:01' } : undefined } },
  } as unknown as APIGatewayRequestAuthorizerEvent;
}

describe('business metrics (EMF)', () => {
  let h: Harness;
  before(async () => { h = await startHarness(); });
  after(async () => {
    delete process.env['AWS_LAMBDA_FUNCTION_NAME'];
    await h.close();
  });

  it('on Lambda: PacksIngested, BytesIngested and RecoveryPointsCommitted count what was newly stored', async () => {
    process.env['AWS_LAMBDA_FUNCTION_NAME'] = 'drcore-replication-api';
    const rp = buildRp([makeVolume('sda', 8, 0)]);
    const packs = packsOf(rp.chunks.values(), 3);
    let first: Emf[] = [];
    let again: Emf[] = [];
    try {
      assert.equal((await h.call(h.tenantA, 'PUT', '/v1/machines/m1', { name: 'm1', volumes: [{ name: 'sda', sizeBytes: 8 * 65536 }] })).status, 201);
      first = await captureEmf(async () => {
        const commit = await replicate(h, h.tenantA, 'm1', 'rp1', rp);
        assert.equal(commit.status, 201, commit.body.toString());
      });
      again = await captureEmf(async () => {
        for (const p of packs.slice(0, 2)) assert.equal((await h.call(h.tenantA, 'PUT', `/v1/machines/m1/recovery-points/rp1/packs/${p.id}`, p.bytes)).status, 200);
        const commit = await h.call(h.tenantA, 'POST', '/v1/machines/m1/recovery-points/rp1/commit', { kind: rp.kind, manifest: rp.manifest, volumes: rp.volumes });
        assert.equal(commit.status, 200, commit.body.toString());
      });
    } finally {
      delete process.env['AWS_LAMBDA_FUNCTION_NAME'];
    }
    assert.equal(total(first, 'PacksIngested'), packs.length);
    assert.equal(total(first, 'BytesIngested'), packs.reduce((n, p) => n + p.bytes.length, 0));
    assert.equal(total(first, 'RecoveryPointsCommitted'), 1);
    assert.equal(first.length, packs.length + 1, 'one EMF line per invocation that recorded something (the missing queries recorded nothing)');
    for (const l of first) {
      const [directive] = l._aws.CloudWatchMetrics;
      assert.equal(directive?.Namespace, 'drcore');
      assert.deepEqual(directive?.Dimensions, [['service']]);
      for (const m of directive?.Metrics ?? []) assert.equal(m.Unit, m.Name === 'BytesIngested' ? 'Bytes' : 'Count');
    }
    assert.deepEqual(again, [], 'packs and a commit sent again are not counted again');
  });

  it('on Lambda: every authorizer refusal counts as AuthorizerDenials', async () => {
    const handler = (await import('../../functions/handlers/authorizer.js')).makeHandler(h.deps);
    const now = new Date();
    const stranger = createCa({ now, serial: newSerial(), commonName: 'not the drcore CA' });
    const unknown = issueClientCertificate(stranger, { publicKey: generateKeyPair().publicKey, role: 'source-core', tenantId: h.tenantA, commonName: 'stranger', serial: newSerial(), now });
    process.env['AWS_LAMBDA_FUNCTION_NAME'] = 'drcore-authorizer';
    let lines: Emf[] = [];
    try {
      lines = await captureEmf(async () => {
        const denied = await handler(authorizerEvent(unknown.certificatePem), lambdaContext('authorizer'));
        assert.equal(denied.policyDocument.Statement[0]?.Effect, 'Deny');
        await assert.rejects(handler(authorizerEvent(undefined), lambdaContext('authorizer')), /Unauthorized/);
      });
    } finally {
      delete process.env['AWS_LAMBDA_FUNCTION_NAME'];
    }
    assert.equal(total(lines, 'AuthorizerDenials'), 2);
    assert.equal(lines.length, 2);
  });

  it('locally (no AWS_LAMBDA_FUNCTION_NAME): nothing is written', async () => {
    const rp = buildRp([makeVolume('sdb', 4, 2)]);
    const lines = await captureEmf(async () => {
      assert.equal((await h.call(h.tenantB, 'PUT', '/v1/machines/m2', { name: 'm2', volumes: [{ name: 'sdb', sizeBytes: 4 * 65536 }] })).status, 201);
      assert.equal((await replicate(h, h.tenantB, 'm2', 'rp1', rp)).status, 201);
    });
    assert.deepEqual(lines, []);
  });
});
