import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type RunningCore } from '../../local/serve.js';
import type { AppDeps } from '../../shared/app/deps.js';
import { DynamoDbEventStore } from '../../shared/adapters/aws/dynamodb-event-store.js';
import { DynamoDbOperationalStore } from '../../shared/adapters/aws/dynamodb-operational-store.js';
import { DynamoDbReadModels } from '../../shared/adapters/aws/dynamodb-read-models.js';
import { S3BlobStore } from '../../shared/adapters/aws/s3-blob-store.js';
import { SqsQueue } from '../../shared/adapters/aws/sqs-queue.js';
import type { AwsClients } from '../../shared/adapters/aws/clients.js';
import { lazy } from '../../shared/runtime/lazy.js';
import { FileCertificateAuthority } from '../../shared/adapters/local/file-certificate-authority.js';
import { LocalNotifier } from '../../shared/adapters/local/file-notifier.js';
import { QUEUES } from '../../shared/ports/queue.js';
import { newId } from '../../shared/runtime/new-id.js';
import { awsClients, createBucket, createEventTable, createQueues, createReadModelTable, startEmulators, type Emulators } from './emulators.js';

/**
 * The local gateway, poller and stream dispatcher with the AWS adapters behind them,
 * against dynalite, s3rver and local-aws-sqs (issue 5, item 5). Two stand-ins, stated:
 * - dynalite has no TransactWriteItems: the event store runs 'emulated-sequential';
 * - there is no Secrets Manager emulator: the CA is the file CA of the data dir (the
 *   Secrets Manager CA adapter has its own unit test).
 */
export interface AwsBackedCore { core: RunningCore; dir: string; dataDir: string; url: string; emulators: Emulators; clients: AwsClients; stop(): Promise<void> }

export async function startAwsBackedCore(): Promise<AwsBackedCore> {
  const emulators = await startEmulators();
  const clients = awsClients(emulators.endpoints);
  const [eventsTable, readModelsTable, bucket, queueUrls] = await Promise.all([
    createEventTable(clients.dynamodb), createReadModelTable(clients.dynamodb), createBucket(clients.s3), createQueues(clients.sqs, QUEUES),
  ]);
  const dir = await mkdtemp(join(tmpdir(), 'drcore-aws-e2e-'));
  const dataDir = join(dir, 'data');
  const deps = (d: string): AppDeps => {
    const readModels = new DynamoDbReadModels({ client: clients.dynamodb, tableName: readModelsTable });
    // Read on first use, as localDeps does: serve builds the deps before the PKI bootstrap (which registers in their event log).
    const ca = lazy(() => new FileCertificateAuthority(join(d, 'pki')));
    const operational = new DynamoDbOperationalStore({ client: clients.dynamodb, tableName: readModelsTable });
    return {
      events: new DynamoDbEventStore({ client: clients.dynamodb, tableName: eventsTable, transactions: 'emulated-sequential' }),
      blobs: new S3BlobStore({ client: clients.s3, bucket }),
      queue: new SqsQueue({ client: clients.sqs, queueUrls }),
      readModels,
      operational,
      notifier: new LocalNotifier(operational, () => undefined),
      get ca() { return ca(); },
      clock: () => new Date(),
      newId,
    };
  };
  const core = await serve({ dataDir, host: '127.0.0.1', port: 0, hostnames: [], deps });
  return {
    core, dir, dataDir, url: `https://localhost:${core.port}`, emulators, clients,
    async stop() {
      await core.stop();
      clients.destroy();
      await emulators.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
