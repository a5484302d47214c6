import type { AppDeps } from '../app/deps.js';
import { DynamoDbEventStore } from '../adapters/aws/dynamodb-event-store.js';
import { DynamoDbReadModels } from '../adapters/aws/dynamodb-read-models.js';
import { S3BlobStore } from '../adapters/aws/s3-blob-store.js';
import { SqsQueue } from '../adapters/aws/sqs-queue.js';
import { SecretsManagerCertificateAuthority } from '../adapters/aws/secrets-certificate-authority.js';
import { requiredEnv } from '../adapters/aws/clients.js';
import { LocalNotifier } from '../adapters/local/file-notifier.js';
import { ENV } from './env.js';
import { newId } from './new-id.js';
import { logger } from './logger.js';

/**
 * The AWS adapters, configured from the environment the CDK app sets on each function
 * (shared/runtime/env.ts). Clients are the container's shared ones; on emulators,
 * DRCORE_AWS_ENDPOINT points them elsewhere.
 */
export function awsDeps(options: { transactions?: 'native' | 'emulated-sequential' } = {}): AppDeps {
  const readModels = new DynamoDbReadModels();
  const dlq = process.env[ENV.workflowDlqUrl];
  return {
    events: new DynamoDbEventStore(options.transactions ? { transactions: options.transactions } : {}),
    blobs: new S3BlobStore(),
    queue: new SqsQueue({ queueUrls: { workflow: { url: requiredEnv(ENV.workflowQueueUrl), ...(dlq ? { deadLetterUrl: dlq } : {}) } } }),
    readModels,
    // Notifications are stored in the read models and logged (CloudWatch); an SNS topic can subscribe to the log later.
    notifier: new LocalNotifier(readModels, (line) => logger.info(line)),
    ca: new SecretsManagerCertificateAuthority({ secretArn: requiredEnv(ENV.caSecretArn) }),
    clock: () => new Date(),
    newId,
  };
}
