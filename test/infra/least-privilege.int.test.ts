/**
 * Least privilege, read from the synthesized IAM policies (issue 5, item 3): each function's
 * role reaches only the tables, buckets, queues, topics and secrets its concern needs.
 * Resources are identified by the logical-id prefix of the construct that made them.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { asArray, referencedIds, refTarget, resourcesOf, synth } from './synth.js';

const { json } = synth();

interface Grant { readonly actions: string[]; readonly resources: string[]; readonly conditions?: Record<string, unknown> | undefined }

/** Which function (by Powertools service name) runs under which role. */
function roleOf(service: string): string {
  for (const [, f] of resourcesOf(json, 'AWS::Lambda::Function')) {
    const vars = (f.Properties!['Environment'] as { Variables?: Record<string, unknown> } | undefined)?.Variables;
    if (vars?.['POWERTOOLS_SERVICE_NAME'] === service) return refTarget(f.Properties!['Role'])!;
  }
  throw new Error(`no function ${service}`);
}

/** Every Allow statement of every policy attached to the role, resources as logical ids (or literal strings). */
function grantsOf(roleId: string): Grant[] {
  const grants: Grant[] = [];
  for (const [, p] of resourcesOf(json, 'AWS::IAM::Policy')) {
    if (!asArray(p.Properties!['Roles']).some((r) => refTarget(r) === roleId)) continue;
    for (const s of (p.Properties!['PolicyDocument'] as { Statement: Array<Record<string, unknown>> }).Statement) {
      assert.equal(s['Effect'], 'Allow');
      const resources = asArray(s['Resource']).flatMap((r) => (typeof r === 'string' ? [r] : [...referencedIds(r)]));
      grants.push({ actions: asArray(s['Action'] as string | string[]), resources, conditions: s['Condition'] as Record<string, unknown> | undefined });
    }
  }
  return grants;
}

const FUNCTIONS = ['whoami-api', 'pairing-api', 'admin-api', 'replication-api', 'authorizer', 'workflow-worker', 'projector', 'lifecycle-job', 'ca-bootstrap'] as const;
type Fn = (typeof FUNCTIONS)[number];
const grants = Object.fromEntries(FUNCTIONS.map((f) => [f, grantsOf(roleOf(f))])) as Record<Fn, Grant[]>;

/** Actions the function has on resources whose logical id starts with `prefix`. */
function actionsOn(fn: Fn, prefix: string): Set<string> {
  return new Set(grants[fn].filter((g) => g.resources.some((r) => r.startsWith(prefix))).flatMap((g) => g.actions));
}
/** The functions with any action on resources starting with `prefix`. */
function reaching(prefix: string): Fn[] {
  return FUNCTIONS.filter((f) => actionsOn(f, prefix).size > 0);
}
const service = (fn: Fn, svc: string): string[] => grants[fn].flatMap((g) => g.actions).filter((a) => a.startsWith(`${svc}:`));

const EVENT_WRITE = ['dynamodb:PutItem', 'dynamodb:ConditionCheckItem'];
const TABLE_READ = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:DescribeTable'];
const MODEL_WRITE = ['dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

describe('least privilege: every role', () => {
  it('is assumable by Lambda only and has no managed policies', () => {
    for (const fn of FUNCTIONS) {
      const [, role] = resourcesOf(json, 'AWS::IAM::Role').find(([id]) => id === roleOf(fn))!;
      assert.equal(role.Properties!['ManagedPolicyArns'], undefined, fn);
      assert.match(JSON.stringify(role.Properties!['AssumeRolePolicyDocument']), /"Service":"lambda\.amazonaws\.com"/, fn);
    }
  });

  it('may write logs to its own log group only', () => {
    for (const fn of FUNCTIONS) {
      const logGrants = grants[fn].filter((g) => g.actions.some((a) => a.startsWith('logs:')));
      assert.equal(logGrants.length, 1, fn);
      assert.deepEqual(logGrants[0]!.actions.sort(), ['logs:CreateLogStream', 'logs:PutLogEvents'], fn);
      assert.deepEqual(logGrants[0]!.resources.length, 1, fn);
    }
  });

  it('has no Resource "*" except dynamodb:ListStreams (which IAM cannot scope) for the projector', () => {
    for (const fn of FUNCTIONS) {
      for (const g of grants[fn]) {
        if (!g.resources.includes('*')) continue;
        assert.equal(fn, 'projector', `${fn}: ${g.actions.join(',')} on *`);
        assert.deepEqual(g.actions, ['dynamodb:ListStreams']);
      }
    }
  });

  it('has no wildcard actions', () => {
    for (const fn of FUNCTIONS) for (const g of grants[fn]) for (const a of g.actions) assert.ok(!a.includes('*'), `${fn}: ${a}`);
  });
});

describe('least privilege: per concern', () => {
  it('whoami-api reads read models and nothing else: no S3, SQS, secrets, event log, no writes', () => {
    assert.deepEqual([...actionsOn('whoami-api', 'ReadModelsTable')].sort(), [...TABLE_READ].sort());
    assert.deepEqual(service('whoami-api', 's3'), []);
    assert.deepEqual(service('whoami-api', 'sqs'), []);
    assert.deepEqual(service('whoami-api', 'secretsmanager'), []);
    assert.deepEqual([...actionsOn('whoami-api', 'EventLogTable')], []);
  });

  it('pairing-api and admin-api: event log read + append, read models read, no queue (the projector is the outbox)', () => {
    for (const fn of ['pairing-api', 'admin-api'] as const) {
      assert.deepEqual([...actionsOn(fn, 'EventLogTable')].sort(), [...TABLE_READ, ...EVENT_WRITE].sort(), fn);
      assert.deepEqual(service(fn, 'sqs'), [], fn);
      assert.deepEqual(service(fn, 'secretsmanager'), [], fn);
    }
    assert.deepEqual([...actionsOn('pairing-api', 'ReadModelsTable')].sort(), [...TABLE_READ].sort());
    assert.deepEqual(service('pairing-api', 's3'), []);
  });

  it('admin-api writes no read model: only the damage records its verify step finds (as a read that finds damage does)', () => {
    assert.deepEqual([...actionsOn('admin-api', 'ReadModelsTable')].sort(), [...TABLE_READ, 'dynamodb:DeleteItem', 'dynamodb:PutItem'].sort());
    const writes = grants['admin-api'].filter((g) => g.resources.some((r) => r.startsWith('ReadModelsTable')) && g.actions.includes('dynamodb:PutItem'));
    assert.deepEqual(writes.map((g) => g.conditions), [{ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['_ops/damaged/*', '_ops/relocated/*'] } }]);
  });

  it('admin-api reaches the data bucket only for the storage migration (get objects, put/delete RP index parts) and a seed import request (list and get the seed inbox)', () => {
    const s3 = grants['admin-api'].filter((g) => g.actions.some((a) => a.startsWith('s3:')));
    assert.deepEqual(s3.map((g) => g.actions.sort()), [['s3:GetObject'], ['s3:DeleteObject', 's3:PutObject'], ['s3:GetObject'], ['s3:ListBucket']]);
    assert.deepEqual(s3[3]!.conditions, { StringLike: { 's3:prefix': ['seed-inbox/*'] } }, 'its listing is the seed inbox only');
    for (const g of s3) assert.ok(g.resources.some((r) => r.startsWith('DataBucket')), JSON.stringify(g.resources));
    assert.ok(JSON.stringify(json).includes('/tenants/*/rps/*'), 'the put/delete grant names the index keys only');
  });

  it('replication-api: event log read + append, read models read, its own upload/damage/egress records and quota-warning notifications written, the data bucket, publishes to the operator topic — no queue, no secrets', () => {
    assert.deepEqual([...actionsOn('replication-api', 'EventLogTable')].sort(), [...TABLE_READ, ...EVENT_WRITE].sort());
    assert.deepEqual([...actionsOn('replication-api', 'ReadModelsTable')].sort(), [...TABLE_READ, 'dynamodb:DeleteItem', 'dynamodb:PutItem'].sort());
    // Its writes there are conditioned to the data plane's own operational records, never a projection.
    const writes = grants['replication-api'].filter((g) => g.resources.some((r) => r.startsWith('ReadModelsTable')) && g.actions.some((a) => a === 'dynamodb:PutItem'));
    assert.deepEqual(writes.map((g) => g.conditions), [{ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['_ops/uploads/*', '_ops/damaged/*', '_ops/relocated/*', '_ops/egress/*', '_ops/notifications*', '_ops/upload-slots/*'] } }]);
    assert.deepEqual([...actionsOn('replication-api', 'DataBucket')].sort(), ['s3:DeleteObject', 's3:GetObject', 's3:ListBucket', 's3:PutObject']);
    assert.deepEqual(service('replication-api', 'sqs'), []);
    assert.deepEqual(service('replication-api', 'secretsmanager'), []);
  });

  it('lifecycle-job: event log read + append, read models read, its own records written (damaged chunks, its cursor, the RPO job\'s notifications, object locks), the data bucket — no queue, no secrets', () => {
    assert.deepEqual([...actionsOn('lifecycle-job', 'EventLogTable')].sort(), [...TABLE_READ, ...EVENT_WRITE].sort());
    assert.deepEqual([...actionsOn('lifecycle-job', 'ReadModelsTable')].sort(), [...TABLE_READ, 'dynamodb:DeleteItem', 'dynamodb:PutItem'].sort());
    const writes = grants['lifecycle-job'].filter((g) => g.resources.some((r) => r.startsWith('ReadModelsTable')) && g.actions.some((a) => a === 'dynamodb:PutItem'));
    assert.deepEqual(writes.map((g) => g.conditions), [{ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['_ops/damaged/*', '_ops/relocated/*', '_ops/lifecycle*', '_ops/notifications*', '_ops/locks/*'] } }]);
    assert.deepEqual([...actionsOn('lifecycle-job', 'DataBucket')].sort(), ['s3:DeleteObject', 's3:GetObject', 's3:ListBucket', 's3:PutObject']);
    assert.deepEqual(service('lifecycle-job', 'sqs'), []);
    assert.deepEqual(service('lifecycle-job', 'secretsmanager'), []);
  });

  it('authorizer: reads the registry (read models, event log) and writes nothing', () => {
    assert.deepEqual([...actionsOn('authorizer', 'ReadModelsTable')].sort(), [...TABLE_READ].sort());
    assert.deepEqual([...actionsOn('authorizer', 'EventLogTable')].sort(), [...TABLE_READ].sort());
    assert.deepEqual(service('authorizer', 's3'), []);
    assert.deepEqual(service('authorizer', 'sqs'), []);
    assert.deepEqual(service('authorizer', 'secretsmanager'), []);
  });

  it('projector: the event stream only (no table access), read models read/write, and its failure queue', () => {
    assert.deepEqual([...actionsOn('projector', 'EventLogTable')].sort(), ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator']);
    const onStream = grants.projector.filter((g) => g.resources.some((r) => r.startsWith('EventLogTable')));
    for (const g of onStream) assert.deepEqual(g.resources.map((r) => r.replace(/^EventLogTable[0-9A-F]+/, 'EventLogTable')), ['EventLogTable.StreamArn']);
    assert.deepEqual([...actionsOn('projector', 'ReadModelsTable')].sort(), [...TABLE_READ, ...MODEL_WRITE].sort());
    assert.deepEqual([...actionsOn('projector', 'ProjectorFailures')].sort(), ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage']);
    assert.deepEqual([...actionsOn('projector', 'WorkflowQueue')].sort(), ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage']);
    assert.deepEqual(service('projector', 's3'), []);
  });

  it('ca-bootstrap: its three secrets, the truststore object, and the event log read + append (it registers the bundle certificates) — no read models, queue or data bucket', () => {
    assert.deepEqual([...actionsOn('ca-bootstrap', 'EventLogTable')].sort(), [...TABLE_READ, ...EVENT_WRITE].sort());
    assert.deepEqual([...actionsOn('ca-bootstrap', 'ReadModelsTable')], []);
    assert.deepEqual(service('ca-bootstrap', 'sqs'), []);
    assert.deepEqual([...actionsOn('ca-bootstrap', 'DataBucket')], []);
  });

  it('workflow-worker: event log, read models read/write, consumes the queue (and queues its jobs\' next steps), reads the CA, the data bucket, writes the log anchors', () => {
    assert.deepEqual([...actionsOn('workflow-worker', 'EventLogTable')].sort(), [...TABLE_READ, ...EVENT_WRITE].sort());
    assert.deepEqual([...actionsOn('workflow-worker', 'ReadModelsTable')].sort(), [...TABLE_READ, ...MODEL_WRITE].sort());
    assert.deepEqual([...actionsOn('workflow-worker', 'WorkflowQueue')].sort(),
      ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage', 'sqs:SendMessage']);
    assert.deepEqual([...actionsOn('workflow-worker', 'LogAnchorsBucket')].sort(), ['s3:GetObject', 's3:ListBucket', 's3:PutObject'], 'never s3:DeleteObject');
    assert.deepEqual([...actionsOn('workflow-worker', 'CertificateAuthorityCaKey')].sort(), ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
    assert.deepEqual([...actionsOn('workflow-worker', 'OperatorTopic')], ['sns:Publish'], 'its notifications, on the operator topic');
    assert.deepEqual([...actionsOn('workflow-worker', 'OperatorKey')].sort(), ['kms:Decrypt', 'kms:GenerateDataKey'], 'the topic key, to publish');
  });
});

describe('least privilege: who reaches what', () => {
  it('no function can update or delete an event', () => {
    for (const fn of FUNCTIONS) {
      const onLog = actionsOn(fn, 'EventLogTable');
      for (const a of ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem']) assert.ok(!onLog.has(a), `${fn} ${a}`);
    }
  });

  it('only the workflow worker reads the CA secret (besides the CA bootstrap that writes it)', () => {
    assert.deepEqual(reaching('CertificateAuthorityCaKey'), ['workflow-worker', 'ca-bootstrap']);
    assert.deepEqual(reaching('CertificateAuthorityAdminBundle'), ['ca-bootstrap']);
    assert.deepEqual(reaching('CertificateAuthorityEnrollmentBundle'), ['ca-bootstrap']);
  });

  it('only replication-api, the workflow worker, the lifecycle jobs and (for the storage migration) admin-api reach the data bucket', () => {
    assert.deepEqual(reaching('DataBucket'), ['admin-api', 'replication-api', 'workflow-worker', 'lifecycle-job']);
  });

  it('only the CA bootstrap reaches the truststore, and only its one object', () => {
    assert.deepEqual(reaching('TruststoreBucket'), ['ca-bootstrap']);
    const g = grants['ca-bootstrap'].find((x) => x.resources.some((r) => r.startsWith('TruststoreBucket')))!;
    assert.deepEqual(g.actions.sort(), ['s3:GetObject', 's3:PutObject']);
  });

  it('only the projector (the outbox of committed events) and the worker (the next step of a lifecycle job) send workflow messages; only the worker consumes them', () => {
    const senders = FUNCTIONS.filter((f) => actionsOn(f, 'WorkflowQueue').has('sqs:SendMessage'));
    const consumers = FUNCTIONS.filter((f) => actionsOn(f, 'WorkflowQueue').has('sqs:ReceiveMessage'));
    assert.deepEqual(senders, ['workflow-worker', 'projector']);
    assert.deepEqual(consumers, ['workflow-worker']);
  });

  it('only the workflow worker reaches the log anchors, and cannot delete one', () => {
    assert.deepEqual(reaching('LogAnchorsBucket'), ['workflow-worker']);
    for (const fn of FUNCTIONS) assert.ok(!actionsOn(fn, 'LogAnchorsBucket').has('s3:DeleteObject'), fn);
  });

  it('only writers of the read models are the projector and the worker (replication-api writes only its own operational records)', () => {
    const unconditioned = FUNCTIONS.filter((f) => grants[f].some((g) => g.resources.some((r) => r.startsWith('ReadModelsTable')) && g.actions.includes('dynamodb:PutItem') && !g.conditions));
    assert.deepEqual(unconditioned, ['workflow-worker', 'projector']);
  });
});
