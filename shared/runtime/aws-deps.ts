import type { ObjectLocks } from '../ports/object-locks.js';
import { S3ObjectLocks } from '../adapters/aws/s3-object-locks.js';
import type { AppDeps } from '../app/deps.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { CertificateAuthority } from '../ports/certificate-authority.js';
import type { EventStore } from '../ports/event-store.js';
import type { Notifier } from '../ports/notifier.js';
import type { OperationalStore } from '../ports/operational-store.js';
import type { Queue } from '../ports/queue.js';
import type { ReadModels } from '../ports/read-models.js';
import type { UploadSlots } from '../ports/upload-slots.js';
import { DynamoDbUploadSlots } from '../adapters/aws/dynamodb-upload-slots.js';
import { DynamoDbEventStore } from '../adapters/aws/dynamodb-event-store.js';
import { DynamoDbOperationalStore } from '../adapters/aws/dynamodb-operational-store.js';
import { DynamoDbReadModels } from '../adapters/aws/dynamodb-read-models.js';
import { S3BlobStore } from '../adapters/aws/s3-blob-store.js';
import { SqsQueue } from '../adapters/aws/sqs-queue.js';
import { SecretsManagerCertificateAuthority } from '../adapters/aws/secrets-certificate-authority.js';
import { defaultSnsClient, requiredEnv } from '../adapters/aws/clients.js';
import { SnsNotifier } from '../adapters/aws/sns-notifier.js';
import { LocalNotifier } from '../adapters/local/file-notifier.js';
import { ENV, SEED_INBOX_PREFIX } from './env.js';
import { newId } from './new-id.js';
import { lazy } from './lazy.js';
import { logger } from './logger.js';

/**
 * The AWS adapters, one factory per port, configured from the environment the CDK app sets on
 * each function (shared/runtime/env.ts). A function's entry names the factories of the ports it
 * uses (awsDeps), so its bundle carries only those adapters and their SDK clients.
 */
export const awsEventStore = (): EventStore => new DynamoDbEventStore();
export const awsReadModels = (): ReadModels => new DynamoDbReadModels();
/** In the read-model table, under its own collections (the same grants as the read models). */
export const awsOperationalStore = (): OperationalStore => new DynamoDbOperationalStore();
export const awsBlobStore = (): BlobStore => new S3BlobStore();
export const awsCertificateAuthority = (): CertificateAuthority => new SecretsManagerCertificateAuthority();
/** The event log's signed checkpoints: the Object Lock bucket (infra/constructs/log-anchor-bucket.ts). */
export const awsLogAnchors = (): BlobStore => new S3BlobStore({ bucket: requiredEnv(ENV.logAnchorBucket) });
/** Object Lock on the data bucket, in the mode the stack set (DRCORE_OBJECT_LOCK_MODE; the port is absent without it). */
export const awsObjectLocks = (): ObjectLocks => new S3ObjectLocks({ mode: process.env[ENV.objectLockMode] === 'COMPLIANCE' ? 'COMPLIANCE' : 'GOVERNANCE' });
/** Where seeds to import arrive (issue 12): the seed-inbox/ prefix of the data bucket (aws s3 sync, a Snowball or Data Transfer Terminal import). */
export const awsSeedInbox = (): BlobStore => new S3BlobStore({ keyPrefix: SEED_INBOX_PREFIX });

export const awsWorkflowQueue = (): Queue => {
  const dlq = process.env[ENV.workflowDlqUrl];
  return new SqsQueue({ queueUrls: { workflow: { url: requiredEnv(ENV.workflowQueueUrl), ...(dlq ? { deadLetterUrl: dlq } : {}) } } });
};

/**
 * Notifications go out on the operator topic (an SNS e-mail; DRCORE_NOTIFICATION_TOPIC_ARN, set by
 * OperatorTopic.bindPublisher on the functions that notify) and are recorded in the operational
 * store and the log. A function without the topic (no grant either) only records and logs.
 */
export const awsNotifier = (deps: Pick<AppDeps, 'operational'>): Notifier => {
  const recorder = new LocalNotifier(deps.operational, (line) => logger.info(line));
  const topicArn = process.env[ENV.notificationTopicArn];
  if (topicArn === undefined || topicArn === '') return recorder;
  return new SnsNotifier({ topicArn, sns: defaultSnsClient(), records: deps.operational, recorder });
};

/** The tenants' pack uploads in flight, shared by every instance: leases in the read-model table (docs/replication-protocol.md "Concurrent uploads"). */
export const awsUploadSlots = (): UploadSlots => new DynamoDbUploadSlots();

type Port = 'events' | 'readModels' | 'operational' | 'blobs' | 'queue' | 'notifier' | 'ca' | 'logAnchors' | 'objectLocks' | 'seedInbox' | 'uploadSlots';

/** The adapter factory of each port a function uses; a factory may use the other ports (the notifier, the read models). */
export type AwsPorts = { readonly [K in Port]?: (deps: AppDeps) => AppDeps[K] };

/**
 * The deps of the Lambda function `fn`: the ports it names, each
 * built on first use, so importing the entry builds no client. A port it does not name is a
 * wiring bug, and using it throws saying so (the function has no grant for it either).
 */
export function awsDeps(fn: string, ports: AwsPorts): AppDeps {
  const port = <K extends Port>(name: K): (() => AppDeps[K]) => {
    const make = ports[name];
    if (!make) return () => { throw new Error(`${fn} does not use the ${name} port: functions/${fn}.ts names the ports it uses`); };
    return lazy(() => make(deps));
  };
  const events = port('events');
  const readModels = port('readModels');
  const operational = port('operational');
  const blobs = port('blobs');
  const queue = port('queue');
  const notifier = port('notifier');
  const ca = port('ca');
  const logAnchors = ports.logAnchors ? port('logAnchors') : undefined;
  const objectLocks = ports.objectLocks ? port('objectLocks') : undefined;
  const seedInbox = ports.seedInbox ? port('seedInbox') : undefined;
  const uploadSlots = ports.uploadSlots ? port('uploadSlots') : undefined;
  const deps: AppDeps = {
    get events() { return events(); },
    get readModels() { return readModels(); },
    get operational() { return operational(); },
    get blobs() { return blobs(); },
    get queue() { return queue(); },
    get notifier() { return notifier(); },
    get ca() { return ca(); },
    clock: () => new Date(),
    newId,
  };
  // A getter, as the others (a spread would build the client now).
  if (logAnchors) Object.defineProperty(deps, 'logAnchors', { get: logAnchors, enumerable: true });
  if (objectLocks && process.env[ENV.objectLockMode]) Object.defineProperty(deps, 'objectLocks', { get: objectLocks, enumerable: true });
  if (seedInbox) Object.defineProperty(deps, 'seedInbox', { get: seedInbox, enumerable: true });
  if (uploadSlots) Object.defineProperty(deps, 'uploadSlots', { get: uploadSlots, enumerable: true });
  return deps;
}
