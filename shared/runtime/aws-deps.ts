import type { AppDeps } from '../app/deps.js';
import { DynamoDbEventStore } from '../adapters/aws/dynamodb-event-store.js';
import { DynamoDbOperationalStore } from '../adapters/aws/dynamodb-operational-store.js';
import { DynamoDbReadModels } from '../adapters/aws/dynamodb-read-models.js';
import { S3BlobStore } from '../adapters/aws/s3-blob-store.js';
import { SqsQueue } from '../adapters/aws/sqs-queue.js';
import { SecretsManagerCertificateAuthority } from '../adapters/aws/secrets-certificate-authority.js';
import { requiredEnv } from '../adapters/aws/clients.js';
import { LocalNotifier } from '../adapters/local/file-notifier.js';
import { ENV } from './env.js';
import { newId } from './new-id.js';
import { lazy } from './lazy.js';
import { logger } from './logger.js';

/**
 * The AWS adapters, configured from the environment the CDK app sets on each function
 * (shared/runtime/env.ts). Each adapter is built on first use: a function is only given
 * the variables (and grants) of what it touches, so whoami never needs the data bucket.
 */
export function awsDeps(): AppDeps {
  const events = lazy(() => new DynamoDbEventStore());
  const readModels = lazy(() => new DynamoDbReadModels());
  // In the read-model table, under its own collections (same grants as the read models).
  const operational = lazy(() => new DynamoDbOperationalStore());
  const blobs = lazy(() => new S3BlobStore());
  const queue = lazy(() => {
    const dlq = process.env[ENV.workflowDlqUrl];
    return new SqsQueue({ queueUrls: { workflow: { url: requiredEnv(ENV.workflowQueueUrl), ...(dlq ? { deadLetterUrl: dlq } : {}) } } });
  });
  // Notifications are stored in the operational store and logged (CloudWatch, where the operator topic can pick them up).
  const notifier = lazy(() => new LocalNotifier(operational(), (line) => logger.info(line)));
  const ca = lazy(() => new SecretsManagerCertificateAuthority());
  return {
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
}
