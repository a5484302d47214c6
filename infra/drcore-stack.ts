import { CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { FunctionName } from '../shared/http/routes.js';
/** The admin console's built assets (scripts/build-console.mjs), carried by the whoami-api bundle (shared/http/console-assets.ts finds them there). */
export const CONSOLE_BUNDLE_FOLDER = 'dist/console-assets';
import type { DrcoreConfig } from './config.js';
import { DrcoreApi } from './constructs/api.js';
import { CaBootstrap } from './constructs/ca-bootstrap.js';
import { DataBucket } from './constructs/data-bucket.js';
import { DrcoreFunction, type DrcoreFunctionProps } from './constructs/drcore-function.js';
import { EventLog } from './constructs/event-log.js';
import { LifecycleSchedules } from './constructs/lifecycle-schedules.js';
import { LogAnchorBucket } from './constructs/log-anchor-bucket.js';
import { LifecycleSchedule } from './constructs/lifecycle-schedule.js';
import { Monitoring } from './constructs/monitoring.js';
import { RpoAlarms } from './constructs/rpo-alarms.js';
import { MtlsDomain } from './constructs/mtls-domain.js';
import { OperatorTopic } from './constructs/operator-topic.js';
import { ReadModels } from './constructs/read-models.js';
import { accessLogsBucket } from './constructs/secure-bucket.js';
import { Truststore } from './constructs/truststore.js';
import { WORKFLOW_WORKER_TIMEOUT, WorkflowQueue, secureQueue } from './constructs/workflow-queue.js';
import { ENV } from '../shared/runtime/env.js';

export interface DrcoreStackProps extends StackProps {
  readonly config: DrcoreConfig;
}

/**
 * The drcore target core on AWS (DESIGN §2): storage, the CA, one function per concern,
 * the mTLS API and monitoring. Each function gets exactly the resources its bind helpers
 * grant; the list below is the least-privilege map the infra tests assert.
 */
export class DrcoreStack extends Stack {
  readonly functions: Readonly<Record<string, DrcoreFunction>>;

  constructor(scope: Construct, id: string, props: DrcoreStackProps) {
    super(scope, id, props);
    const { config } = props;

    const accessLogs = accessLogsBucket(this, 'AccessLogs');
    const truststore = new Truststore(this, 'Truststore', { accessLogs });
    const data = new DataBucket(this, 'Data', {
      accessLogs,
      ...(config.objectLock ? { objectLockDays: config.objectLockDays } : {}),
    });
    const logAnchors = new LogAnchorBucket(this, 'LogAnchors', { accessLogs, lockDays: config.logAnchorLockDays });
    const eventLog = new EventLog(this, 'EventLog');
    const readModels = new ReadModels(this, 'ReadModels');
    const workflow = new WorkflowQueue(this, 'Workflow');
    const projectorFailures = secureQueue(this, 'ProjectorFailures');
    Validations.of(projectorFailures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the on-failure destination of the projector stream mapping (it holds the coordinates of batches given up on); its depth is alarmed.',
    });
    const operator = new OperatorTopic(this, 'Operator', { email: config.alarmEmail });
    const ca = new CaBootstrap(this, 'CertificateAuthority', { truststore, domainName: config.domainName, eventsTable: eventLog.table });

    const fn = (id: string, p: DrcoreFunctionProps) => new DrcoreFunction(this, id, p);
    const seconds = (s: number) => Duration.seconds(s);
    const handlers: Record<FunctionName, DrcoreFunction> = {
      'whoami-api': fn('WhoamiApi', { name: 'whoami-api', description: 'drcore: whoami, the OpenAPI document and the admin console', timeout: seconds(10), memorySize: 256, bundleFolders: [CONSOLE_BUNDLE_FOLDER] }),
      'pairing-api': fn('PairingApi', { name: 'pairing-api', description: 'drcore: pairing requests (enrollment role)', timeout: seconds(15) }),
      'admin-api': fn('AdminApi', { name: 'admin-api', description: 'drcore: the MSP admin API', timeout: seconds(29) }),
      'replication-api': fn('ReplicationApi', { name: 'replication-api', description: 'drcore: machines, recovery points, packs, chunks', timeout: seconds(29), memorySize: 1769 }),
    };
    const authorizer = fn('Authorizer', { name: 'authorizer', description: 'drcore: client certificate → identity, revocation check', timeout: seconds(5), memorySize: 256 });
    const worker = fn('WorkflowWorker', { name: 'workflow-worker', description: 'drcore: workflow messages (approvals, notifications, jobs)', timeout: WORKFLOW_WORKER_TIMEOUT, memorySize: 1024 });
    const projector = fn('Projector', { name: 'projector', description: 'drcore: event log stream → read models', timeout: seconds(60) });
    const lifecycle = fn('LifecycleJob', { name: 'lifecycle-job', description: 'drcore: scheduled lifecycle jobs (retention, roll-up, the recycle bin)', timeout: Duration.minutes(15), memorySize: 1769 });

    // Least privilege, one line per grant (asserted by test/infra/least-privilege.int.test.ts).
    readModels.bindReader(handlers['whoami-api']);

    eventLog.bindWriter(handlers['pairing-api']);
    readModels.bindReader(handlers['pairing-api']);

    eventLog.bindWriter(handlers['admin-api']);
    // Reads, and (the verify step of `drcore admin verify`) the damage records a verify finds, as reads do.
    readModels.bindRecordWriter(handlers['admin-api'], ['damaged/', 'relocated/']);
    data.bindIndexWriter(handlers['admin-api']);
    // A seed import request checks its folder in the seed inbox (the worker runs the import).
    data.bindSeedInboxReader(handlers['admin-api']);

    eventLog.bindWriter(handlers['replication-api']);
    // Reads, and writes of the data plane's own records only (upload records, damaged chunks, relocations).
    readModels.bindRecordWriter(handlers['replication-api'], ['uploads/', 'damaged/', 'relocated/', 'egress/', 'notifications', 'upload-slots/']);
    data.bindReadWrite(handlers['replication-api']);
    // The operator's limit of a tenant's uploads in flight, kept across instances by leases in the read-model table.
    handlers['replication-api'].addEnvironment(ENV.uploadConcurrency, String(config.uploadConcurrencyPerTenant));

    readModels.bindReader(authorizer);
    eventLog.bindReader(authorizer);

    eventLog.bindWriter(worker);
    readModels.bindWriter(worker);
    workflow.bindConsumer(worker);
    ca.bindCaReader(worker);
    data.bindReadWrite(worker);
    // The lifecycle jobs: a verify step queues the next step of its run; checkpoints go to the locked bucket.
    workflow.bindSender(worker);
    logAnchors.bindWriter(worker);

    // The CA bootstrap registers the admin and enrollment certificates (its secrets and the truststore are its construct's).
    eventLog.bindWriter(ca.function);

    // Retention: RP events, tenants and RP lists, roll-up packs and index parts, chunks a read finds corrupt, its cursor.
    eventLog.bindWriter(lifecycle);
    // …the RPO job's notifications (issue 13), and the object locks it extended (issue 11).
    readModels.bindRecordWriter(lifecycle, ['damaged/', 'relocated/', 'lifecycle', 'notifications', 'locks/']);
    data.bindReadWrite(lifecycle);
    // With Object Lock on, retention locks each kept RP's data as long as its class keeps it.
    if (config.objectLock) data.bindLockExtender(lifecycle);
    new LifecycleSchedule(this, 'Schedule').bindTarget(lifecycle);

    eventLog.bindStreamConsumer(projector, { onFailure: projectorFailures });
    readModels.bindWriter(projector);
    // The projector is the workflow outbox: committed events become workflow messages.
    workflow.bindSender(projector);

    new LifecycleSchedules(this, 'Lifecycle', { queue: workflow.queue, verifyOlderThanDays: 7, verifyRateBytesPerSecond: 64 * 1024 * 1024 });

    const api = new DrcoreApi(this, 'Api', { handlers, authorizer });
    const domain = new MtlsDomain(this, 'Domain', {
      domainName: config.domainName,
      certificateArn: config.certificateArn,
      truststore,
      truststoreVersion: ca.truststoreVersion,
      api: api.api,
      ...(config.hostedZoneId !== undefined && config.hostedZoneName !== undefined
        ? { hostedZone: { id: config.hostedZoneId, name: config.hostedZoneName } }
        : {}),
    });

    this.functions = { ...handlers, authorizer, 'workflow-worker': worker, projector, 'lifecycle-job': lifecycle, 'ca-bootstrap': ca.function };
    const monitoring = new Monitoring(this, 'Monitoring', {
      api: api.api,
      functions: Object.values(this.functions),
      deadLetterQueues: { Workflow: workflow.deadLetterQueue, Projector: projectorFailures },
      workQueue: workflow.queue,
      streamConsumers: [projector],
      topic: operator.topic,
    });
    // The functions that notify publish to the operator topic (an SNS e-mail), and no other:
    // the RPO job, the workflow worker (pairing requests, jobs), the replication API (quota warnings).
    operator.bindPublisher(lifecycle);
    operator.bindPublisher(worker);
    operator.bindPublisher(handlers['replication-api']);
    new RpoAlarms(this, 'Rpo', { topic: operator.topic, tenants: config.rpoAlarmTenants });

    const out = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    out('ApiUrl', `https://${config.domainName}/`, 'The API: clients need a certificate from the core CA');
    out('RegionalDomainName', domain.regionalDomainName, 'Point the custom domain here (CNAME or Route 53 alias) unless hostedZoneId was given');
    out('AdminBundleSecretArn', ca.adminBundleSecret.secretArn, 'The first admin certificate (JSON: PEM, PKCS#12 base64 and its password)');
    out('EnrollmentBundleSecretArn', ca.enrollmentBundleSecret.secretArn, 'The MSP-wide enrollment certificate for source cores');
    out('CaSecretArn', ca.caSecret.secretArn, 'The CA certificate and private key: never hand this out');
    out('TruststoreUri', truststore.uri, 'The mTLS truststore (the CA certificate, PEM)');
    out('DataBucketName', data.bucket.bucketName, 'Recovery-point packs and manifests');
    out('LogAnchorBucketName', logAnchors.bucket.bucketName, 'Signed checkpoints of the event log (Object Lock, compliance mode)');
    out('EventsTableName', eventLog.table.tableName, 'The event log (source of truth)');
    out('ReadModelsTableName', readModels.table.tableName, 'The read models (rebuildable) and, under collections starting with _, the operational records');
    out('DashboardName', monitoring.dashboard.dashboardName, 'CloudWatch dashboard');
    out('OperatorTopicArn', operator.topic.topicArn, 'Alarms and notifications; subscribe the operators');
  }
}
