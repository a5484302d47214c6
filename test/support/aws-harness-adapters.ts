/**
 * The AWS adapters behind the replication API harness, on fresh emulators (dynalite, s3rver
 * behind the conditional-write shim, local-aws-sqs), with the clock the test gives: the lifecycle
 * tests run the same jobs on them (issue 11: "on the AWS adapters, the same jobs run against the
 * emulators"). dynalite has no TransactWriteItems: the event store runs 'emulated-sequential'.
 * A second bucket holds the log anchors; the seed inbox is the data bucket's seed-inbox/ prefix, as
 * deployed. (A support module, no tests.)
 */
import { join } from 'node:path';
import { DynamoDbEventStore } from '../../shared/adapters/aws/dynamodb-event-store.js';
import { DynamoDbOperationalStore } from '../../shared/adapters/aws/dynamodb-operational-store.js';
import { DynamoDbReadModels } from '../../shared/adapters/aws/dynamodb-read-models.js';
import { S3BlobStore } from '../../shared/adapters/aws/s3-blob-store.js';
import { SqsQueue } from '../../shared/adapters/aws/sqs-queue.js';
import { makeS3Client } from '../../shared/adapters/aws/clients.js';
import { FileCertificateAuthority } from '../../shared/adapters/local/file-certificate-authority.js';
import { LocalNotifier } from '../../shared/adapters/local/file-notifier.js';
import type { AppDeps } from '../../shared/app/deps.js';
import { QUEUES } from '../../shared/ports/queue.js';
import { lazy } from '../../shared/runtime/lazy.js';
import { newId } from '../../shared/runtime/new-id.js';
import { SEED_INBOX_PREFIX } from '../../shared/runtime/env.js';
import { awsClients, createBucket, createEventTable, createQueues, createReadModelTable, startEmulators, startS3ConditionalWriteShim } from './emulators.js';
import type { HarnessAdapters } from './replication-api-harness.js';

export async function awsHarnessAdapters(clock: () => Date = () => new Date()): Promise<HarnessAdapters> {
  const emulators = await startEmulators();
  const clients = awsClients(emulators.endpoints);
  const shim = await startS3ConditionalWriteShim(emulators.endpoints.s3);
  const s3 = makeS3Client({ region: 'us-east-1', endpoints: { s3: shim.endpoint }, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  const [eventsTable, readModelsTable, bucket, anchorBucket, queueUrls] = await Promise.all([
    createEventTable(clients.dynamodb), createReadModelTable(clients.dynamodb), createBucket(clients.s3), createBucket(clients.s3), createQueues(clients.sqs, QUEUES),
  ]);
  return {
    deps(dataDir: string): AppDeps {
      const ca = lazy(() => new FileCertificateAuthority(join(dataDir, 'pki')));
      const operational = new DynamoDbOperationalStore({ client: clients.dynamodb, tableName: readModelsTable });
      return {
        events: new DynamoDbEventStore({ client: clients.dynamodb, tableName: eventsTable, transactions: 'emulated-sequential' }),
        blobs: new S3BlobStore({ client: s3, bucket }),
        queue: new SqsQueue({ client: clients.sqs, queueUrls }),
        readModels: new DynamoDbReadModels({ client: clients.dynamodb, tableName: readModelsTable }),
        operational,
        notifier: new LocalNotifier(operational, () => undefined),
        get ca() { return ca(); },
        clock,
        newId,
        logAnchors: new S3BlobStore({ client: s3, bucket: anchorBucket }),
        seedInbox: new S3BlobStore({ client: s3, bucket, keyPrefix: SEED_INBOX_PREFIX }),
      };
    },
    async close() {
      s3.destroy();
      await shim.stop();
      clients.destroy();
      await emulators.stop();
    },
  };
}
