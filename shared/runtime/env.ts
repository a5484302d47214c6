/**
 * Environment variables the functions read (set by the CDK app on AWS and by
 * `drcore serve` locally). One list, so infra and the local runtime agree.
 */
export const ENV = {
  adapters: 'DRCORE_ADAPTERS', // 'local' | 'aws'
  dataDir: 'DRCORE_DATA', // local: the data dir
  eventsTable: 'DRCORE_EVENTS_TABLE', // aws
  readModelsTable: 'DRCORE_READ_MODELS_TABLE', // aws
  dataBucket: 'DRCORE_DATA_BUCKET', // aws
  workflowQueueUrl: 'DRCORE_WORKFLOW_QUEUE_URL', // aws
  workflowDlqUrl: 'DRCORE_WORKFLOW_DLQ_URL', // aws (receiveDeadLetters; optional)
  caSecretArn: 'DRCORE_CA_SECRET_ARN', // aws
  logAnchorBucket: 'DRCORE_LOG_ANCHOR_BUCKET', // aws: the event log's signed checkpoints (Object Lock)
  objectLockMode: 'DRCORE_OBJECT_LOCK_MODE', // aws, optional: GOVERNANCE | COMPLIANCE when the data bucket has Object Lock (retention-class locks)
  notificationTopicArn: 'DRCORE_NOTIFICATION_TOPIC_ARN', // aws, optional
  awsEndpoint: 'DRCORE_AWS_ENDPOINT', // tests: emulator endpoints as JSON {dynamodb,s3,sqs}
  pairingRateLimit: 'DRCORE_PAIRING_RATE_LIMIT', // optional: "<requests>/<seconds>" per enrollment certificate (default "10/3600")
  uploadConcurrency: 'DRCORE_UPLOAD_CONCURRENCY_PER_TENANT', // optional: pack uploads of one tenant in flight at once (default 16; 0: no limit)
  lifecycleInterval: 'DRCORE_LIFECYCLE_INTERVAL_SECONDS', // local, optional: seconds between retention runs of `drcore serve` (default 3600; 0: none)
} as const;

/** The seed inbox in the data bucket (issue 12, docs/seeding.md): seeds land under seed-inbox/<folder>/medium-NN/…. */
export const SEED_INBOX_PREFIX = 'seed-inbox/';
