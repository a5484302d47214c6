/**
 * The security-relevant properties of the synthesized stack (issue 5, item 3): the mTLS
 * entrance, the authorizer on every route, private encrypted TLS-only buckets, queues with
 * their dead-letter limits, the runtime of every function and the event log's durability.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Match } from 'aws-cdk-lib/assertions';
import { ROUTES } from '../../shared/http/routes.js';
import { QUEUES } from '../../shared/ports/queue.js';
import { refTarget, resourcesOf, synth } from './synth.js';

const { template, json } = synth();

describe('the mTLS entrance', () => {
  it('the custom domain requires client certificates from the truststore the CA bootstrap wrote, TLS 1.2, regional', () => {
    template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      SecurityPolicy: 'TLS_1_2',
      EndpointConfiguration: { Types: ['REGIONAL'] },
      MutualTlsAuthentication: {
        TruststoreUri: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^TruststoreBucket') }, '/truststore.pem']] },
        TruststoreVersion: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CertificateAuthorityCa'), 'TruststoreVersion'] },
      },
    });
    template.hasResourceProperties('AWS::ApiGateway::BasePathMapping', { DomainName: { Ref: Match.stringLikeRegexp('^Domain') } });
  });

  it('the REST API is regional, binary-capable, and its execute-api endpoint is disabled', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      DisableExecuteApiEndpoint: true,
      EndpointConfiguration: { Types: ['REGIONAL'] },
      BinaryMediaTypes: ['application/octet-stream'],
    });
    assert.equal(resourcesOf(json, 'AWS::ApiGateway::Account').length, 0, 'no account-wide CloudWatch role (cloudWatchRole: false)');
  });

  it('the stage logs access as JSON with the certificate serial, logs errors, and throttles', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('clientCert\\.serialNumber') },
      MethodSettings: Match.arrayWith([
        Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', LoggingLevel: 'ERROR', DataTraceEnabled: false, ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() }),
      ]),
    });
  });

  it('the REQUEST authorizer keys its cache by certificate serial and caches at most 60 s', () => {
    const authorizers = resourcesOf(json, 'AWS::ApiGateway::Authorizer');
    assert.equal(authorizers.length, 1);
    const props = authorizers[0]![1].Properties!;
    assert.equal(props['Type'], 'REQUEST');
    assert.equal(props['IdentitySource'], 'context.identity.clientCert.serialNumber');
    const ttl = props['AuthorizerResultTtlInSeconds'];
    assert.ok(typeof ttl === 'number' && ttl > 0 && ttl <= 60, `TTL ${String(ttl)}`);
  });

  it('every method is behind the custom authorizer, and every route of the route table is served', () => {
    const authorizerId = resourcesOf(json, 'AWS::ApiGateway::Authorizer')[0]![0];
    const resources = new Map(resourcesOf(json, 'AWS::ApiGateway::Resource'));
    const pathOf = (ref: unknown): string => {
      const id = refTarget(ref);
      const res = id === undefined ? undefined : resources.get(id);
      if (res === undefined) return ''; // the root resource (GetAtt RestApi.RootResourceId)
      return `${pathOf(res.Properties!['ParentId'])}/${String(res.Properties!['PathPart'])}`;
    };
    const methods = resourcesOf(json, 'AWS::ApiGateway::Method');
    const served = new Set<string>();
    for (const [id, m] of methods) {
      const p = m.Properties!;
      assert.equal(p['AuthorizationType'], 'CUSTOM', `${id} AuthorizationType`);
      assert.equal(refTarget(p['AuthorizerId']), authorizerId, `${id} AuthorizerId`);
      assert.equal((p['Integration'] as Record<string, unknown>)['Type'], 'AWS_PROXY', `${id} integration`);
      served.add(`${String(p['HttpMethod'])} ${pathOf(p['ResourceId'])}`);
    }
    for (const r of ROUTES) assert.ok(served.has(`${r.method} ${r.path}`), `route ${r.method} ${r.path} is served`);
    assert.equal(served.size, ROUTES.length, 'no method outside the route table');
  });
});

describe('buckets', () => {
  const buckets = resourcesOf(json, 'AWS::S3::Bucket');

  it('every bucket blocks public access, is encrypted, aborts incomplete multipart uploads after a day, and is retained', () => {
    assert.ok(buckets.length >= 3);
    for (const [id, b] of buckets) {
      const p = b.Properties!;
      assert.deepEqual(p['PublicAccessBlockConfiguration'], { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true }, id);
      const sse = (p['BucketEncryption'] as { ServerSideEncryptionConfiguration: Array<{ ServerSideEncryptionByDefault: { SSEAlgorithm: string } }> });
      assert.ok(['AES256', 'aws:kms'].includes(sse.ServerSideEncryptionConfiguration[0]!.ServerSideEncryptionByDefault.SSEAlgorithm), id);
      const rules = (p['LifecycleConfiguration'] as { Rules: Array<Record<string, unknown>> }).Rules;
      assert.ok(rules.some((r) => r['Status'] === 'Enabled' && r['AbortIncompleteMultipartUpload'] !== undefined
        && (r['AbortIncompleteMultipartUpload'] as { DaysAfterInitiation: number }).DaysAfterInitiation === 1), `${id} aborts multipart uploads`);
      assert.equal(b.DeletionPolicy, 'Retain', id);
    }
  });

  it('every bucket has a policy that denies requests without TLS (and below TLS 1.2)', () => {
    const policies = resourcesOf(json, 'AWS::S3::BucketPolicy');
    for (const [id] of buckets) {
      const policy = policies.find(([, p]) => refTarget(p.Properties!['Bucket']) === id);
      assert.ok(policy, `${id} has a bucket policy`);
      const statements = (policy[1].Properties!['PolicyDocument'] as { Statement: Array<Record<string, unknown>> }).Statement;
      assert.ok(statements.some((s) => s['Effect'] === 'Deny' && JSON.stringify(s['Condition']) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } })), `${id} TLS only`);
      assert.ok(statements.some((s) => s['Effect'] === 'Deny' && JSON.stringify(s['Condition']).includes('s3:TlsVersion')), `${id} TLS 1.2+`);
    }
  });

  it('the data and truststore buckets are versioned and log their access to the access-logs bucket', () => {
    for (const prefix of ['DataBucket', 'TruststoreBucket']) {
      const found = buckets.find(([id]) => id.startsWith(prefix));
      assert.ok(found, prefix);
      const p = found[1].Properties!;
      assert.deepEqual(p['VersioningConfiguration'], { Status: 'Enabled' }, prefix);
      const logging = p['LoggingConfiguration'] as { DestinationBucketName: unknown } | undefined;
      assert.match(refTarget(logging?.DestinationBucketName) ?? '', /^AccessLogs/, `${prefix} server access logs`);
    }
  });

  it('Object Lock is off unless asked for', () => {
    const data = buckets.find(([id]) => id.startsWith('DataBucket'))!;
    assert.equal(data[1].Properties!['ObjectLockEnabled'], undefined);
  });

  it('with objectLock, the data bucket locks every object by default and the retention job may extend (never bypass) locks by retention class', () => {
    const locked = synth({ objectLock: 'true', objectLockDays: '30' });
    locked.template.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 30 } } },
    });
    locked.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DRCORE_OBJECT_LOCK_MODE: 'GOVERNANCE' }) },
    });
    locked.template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['s3:GetObjectRetention', 's3:PutObjectRetention'], Effect: 'Allow' })]) },
    });
    const statements = Object.values(locked.json.Resources).filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((r) => ((r.Properties!['PolicyDocument'] as { Statement: { Action: string | string[] }[] }).Statement));
    assert.ok(statements.every((st) => ![st.Action].flat().includes('s3:BypassGovernanceRetention')), 'no function may bypass a lock');
    // Without objectLock, no function has the lock env or grants.
    assert.ok(Object.values(json.Resources).every((r) => r.Type !== 'AWS::Lambda::Function'
      || (r.Properties!['Environment'] as { Variables?: Record<string, unknown> } | undefined)?.Variables?.['DRCORE_OBJECT_LOCK_MODE'] === undefined));
  });

  it('the log anchors have a bucket of their own, Object Lock in compliance mode for every object, versioned, no expiry', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 400 } } },
      VersioningConfiguration: { Status: 'Enabled' },
    });
    const anchors = buckets.find(([id]) => id.startsWith('LogAnchorsBucket'))!;
    const rules = (anchors[1].Properties!['LifecycleConfiguration'] as { Rules: Record<string, unknown>[] }).Rules;
    assert.ok(rules.every((r) => r['ExpirationInDays'] === undefined && r['NoncurrentVersionExpiration'] === undefined), 'no checkpoint expires');
    const worker = resourcesOf(json, 'AWS::Lambda::Function').find(([id]) => id.startsWith('WorkflowWorker'))!;
    const vars = (worker[1].Properties!['Environment'] as { Variables: Record<string, unknown> }).Variables;
    assert.equal(refTarget(vars['DRCORE_LOG_ANCHOR_BUCKET']), anchors[0]);
  });

  it('EventBridge puts the lifecycle jobs on the workflow queue: a log checkpoint every hour, a verify run every day', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)', State: 'ENABLED',
      Targets: [Match.objectLike({ Input: JSON.stringify({ type: 'LogCheckpoint' }) })],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 day)',
      Targets: [Match.objectLike({ Input: JSON.stringify({ type: 'VerifyStep', olderThanDays: 7, rateBytesPerSecond: 64 * 1024 * 1024 }) })],
    });
    // Those two go to the workflow queue; the retention rule invokes its own function (lifecycle-schedule.int.test.ts).
    for (const [, rule] of resourcesOf(json, 'AWS::Events::Rule')) {
      const target = (rule.Properties!['Targets'] as { Arn: unknown; Input?: string }[])[0]!;
      if (target.Input?.includes('LogCheckpoint') || target.Input?.includes('VerifyStep')) assert.match(JSON.stringify(target.Arn), /WorkflowQueue/);
    }
  });
});

describe('queues', () => {
  const workerTimeout = (): number => {
    const worker = resourcesOf(json, 'AWS::Lambda::Function').find(([id]) => id.startsWith('WorkflowWorker'))!;
    return worker[1].Properties!['Timeout'] as number;
  };

  it('the workflow queue dead-letters after ≥ 5 receives and hides a message ≥ 6 × the worker timeout', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WorkflowDeadLetters'), 'Arn'] }, maxReceiveCount: Match.anyValue() },
    });
    const [, queue] = resourcesOf(json, 'AWS::SQS::Queue').find(([id]) => id.startsWith('WorkflowQueue'))!;
    const redrive = queue.Properties!['RedrivePolicy'] as { maxReceiveCount: number };
    assert.ok(redrive.maxReceiveCount >= 5);
    assert.equal(redrive.maxReceiveCount, QUEUES.workflow.maxReceiveCount);
    const visibility = queue.Properties!['VisibilityTimeout'] as number;
    assert.ok(visibility >= 6 * workerTimeout(), `visibility ${visibility} vs timeout ${workerTimeout()}`);
  });

  it('every queue is encrypted and denies requests without TLS', () => {
    const policies = resourcesOf(json, 'AWS::SQS::QueuePolicy');
    for (const [id, q] of resourcesOf(json, 'AWS::SQS::Queue')) {
      assert.equal(q.Properties!['SqsManagedSseEnabled'], true, id);
      const policy = policies.find(([, p]) => (p.Properties!['Queues'] as unknown[]).some((r) => refTarget(r) === id));
      assert.ok(policy, `${id} has a queue policy`);
      assert.match(JSON.stringify(policy[1].Properties!['PolicyDocument']), /"aws:SecureTransport":"false"/, id);
    }
  });

  it('the worker consumes the queue with partial batch failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WorkflowQueue'), 'Arn'] },
      FunctionName: { Ref: Match.stringLikeRegexp('^WorkflowWorker') },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('the projector reads the event stream in batches, bisects, reports partial failures, retries, then records the failure', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EventLogTable'), 'StreamArn'] },
      FunctionName: { Ref: Match.stringLikeRegexp('^Projector') },
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: Match.anyValue(),
      StartingPosition: 'TRIM_HORIZON',
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ProjectorFailures'), 'Arn'] } } },
    });
  });
});

describe('functions', () => {
  const functions = resourcesOf(json, 'AWS::Lambda::Function');
  const logGroups = new Map(resourcesOf(json, 'AWS::Logs::LogGroup'));

  it('every function runs nodejs22.x on arm64 and logs to its own log group with a retention', () => {
    assert.ok(functions.length >= 8);
    for (const [id, f] of functions) {
      const p = f.Properties!;
      assert.equal(p['Runtime'], 'nodejs22.x', id);
      assert.deepEqual(p['Architectures'], ['arm64'], id);
      const group = refTarget((p['LoggingConfig'] as { LogGroup?: unknown } | undefined)?.LogGroup);
      assert.ok(group !== undefined && logGroups.has(group), `${id} has its own log group`);
      assert.equal(typeof logGroups.get(group)!.Properties!['RetentionInDays'], 'number', `${id} log retention`);
    }
  });

  it('one function per concern: every route function plus authorizer, workflow worker, projector, lifecycle jobs and CA bootstrap, with Powertools settings', () => {
    const services = functions
      .map(([, f]) => (f.Properties!['Environment'] as { Variables?: Record<string, unknown> } | undefined)?.Variables?.['POWERTOOLS_SERVICE_NAME'])
      .filter((s): s is string => typeof s === 'string');
    const expected = [...new Set(ROUTES.map((r) => r.fn)), 'authorizer', 'workflow-worker', 'projector', 'lifecycle-job', 'ca-bootstrap'];
    assert.deepEqual([...services].sort(), [...expected].sort());
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DRCORE_ADAPTERS: 'aws', POWERTOOLS_METRICS_NAMESPACE: 'drcore', POWERTOOLS_SERVICE_NAME: 'replication-api' }) },
    });
  });
});

describe('the CA bootstrap', () => {
  it('runs after the event table exists (DependsOn), names it, and is re-run by that change on a deployed stack', () => {
    const cas = resourcesOf(json, 'Custom::DrcoreCa');
    const tables = resourcesOf(json, 'AWS::DynamoDB::Table').filter(([t]) => t.startsWith('EventLogTable'));
    assert.equal(cas.length, 1);
    assert.equal(tables.length, 1);
    const [id, ca] = cas[0]!;
    const tableId = tables[0]![0];
    const dependsOn = (ca as { DependsOn?: string[] }).DependsOn ?? [];
    assert.ok(dependsOn.includes(tableId), `${id} DependsOn ${tableId}`);
    assert.equal(refTarget(ca.Properties!['EventsTableName']), tableId);
  });
});

describe('the event log and read models', () => {
  it('the event table is keyed (streamId, version), encrypted, point-in-time recoverable, streams NEW_IMAGE, and is retained', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [{ AttributeName: 'streamId', KeyType: 'HASH' }, { AttributeName: 'version', KeyType: 'RANGE' }],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
      }),
    });
  });

  it('the read-model table is keyed (collection, id), encrypted and point-in-time recoverable', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'collection', KeyType: 'HASH' }, { AttributeName: 'id', KeyType: 'RANGE' }],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });
});
