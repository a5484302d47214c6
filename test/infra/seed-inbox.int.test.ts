/**
 * The seed inbox on AWS (issue 12, docs/seeding.md), read from the synthesized stack: seeds land
 * under `seed-inbox/` of the data bucket (aws s3 sync, Snowball, Data Transfer Terminal), a
 * forgotten one expires; the admin API may only list and read that prefix (to check a request),
 * the workflow worker — which runs the import in steps from the workflow queue — reads it and
 * writes the tenant's packs; both know the bucket.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SEED_INBOX_DAYS } from '../../infra/constructs/data-bucket.js';
import { SEED_INBOX_PREFIX } from '../../shared/runtime/env.js';
import { asArray, referencedIds, refTarget, resourcesOf, synth } from './synth.js';

const { json } = synth();

function fnNamed(service: string): { role: string; env: Record<string, unknown> } {
  for (const [, f] of resourcesOf(json, 'AWS::Lambda::Function')) {
    const env = (f.Properties!['Environment'] as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    if (env['POWERTOOLS_SERVICE_NAME'] === service) return { role: refTarget(f.Properties!['Role'])!, env };
  }
  throw new Error(`no function ${service}`);
}

function statementsOf(role: string): Array<Record<string, unknown>> {
  return resourcesOf(json, 'AWS::IAM::Policy')
    .filter(([, p]) => asArray(p.Properties!['Roles']).some((r) => refTarget(r) === role))
    .flatMap(([, p]) => (p.Properties!['PolicyDocument'] as { Statement: Array<Record<string, unknown>> }).Statement);
}

describe('the seed inbox on AWS', () => {
  const [, data] = resourcesOf(json, 'AWS::S3::Bucket').find(([id]) => id.startsWith('DataBucket'))!;

  it('is the seed-inbox/ prefix of the data bucket, expiring after its days', () => {
    const rules = (data.Properties!['LifecycleConfiguration'] as { Rules: Array<Record<string, unknown>> }).Rules;
    const rule = rules.find((r) => r['Id'] === 'expire-seed-inbox');
    assert.ok(rule, 'an expiry rule for the seed inbox');
    assert.equal(rule['Prefix'], SEED_INBOX_PREFIX);
    assert.equal(rule['ExpirationInDays'], SEED_INBOX_DAYS);
    assert.equal(rule['Status'], 'Enabled');
  });

  it('admin-api lists and reads the seed inbox only (no put, no delete there), to check a request', () => {
    const admin = fnNamed('admin-api');
    const s3 = statementsOf(admin.role).filter((s) => asArray(s['Action'] as string | string[]).some((a) => a.startsWith('s3:')));
    const text = (s: Record<string, unknown>) => JSON.stringify(s['Resource']);
    const get = s3.find((s) => text(s).includes(`/${SEED_INBOX_PREFIX}*`));
    assert.ok(get, 'a grant on seed-inbox/*');
    assert.deepEqual(asArray(get['Action'] as string | string[]), ['s3:GetObject']);
    const list = s3.find((s) => asArray(s['Action'] as string | string[]).includes('s3:ListBucket'));
    assert.ok(list, 'a list grant');
    assert.deepEqual(list['Condition'], { StringLike: { 's3:prefix': [`${SEED_INBOX_PREFIX}*`] } }, 'listing only under seed-inbox/');
    assert.ok([...referencedIds(list['Resource'])].some((r) => r.startsWith('DataBucket')), 'on the data bucket');
    assert.equal(admin.env['DRCORE_DATA_BUCKET'] !== undefined, true);
  });

  it('the workflow worker reads the inbox and stores the packs, and consumes and sends workflow messages (the import\'s steps)', () => {
    const worker = fnNamed('workflow-worker');
    const actions = new Set(statementsOf(worker.role).filter((s) => [...referencedIds(s['Resource'])].some((r) => r.startsWith('DataBucket'))).flatMap((s) => asArray(s['Action'] as string | string[])));
    for (const a of ['s3:GetObject', 's3:PutObject', 's3:ListBucket']) assert.ok(actions.has(a), a);
    const sqs = new Set(statementsOf(worker.role).flatMap((s) => asArray(s['Action'] as string | string[])).filter((a) => a.startsWith('sqs:')));
    for (const a of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:SendMessage']) assert.ok(sqs.has(a), a);
    assert.ok(worker.env['DRCORE_DATA_BUCKET'] !== undefined);
  });
});
