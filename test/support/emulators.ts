/**
 * In-process AWS protocol servers for the contract and end-to-end tests: dynalite
 * (DynamoDB), s3rver (S3) and local-aws-sqs (SQS), each on 127.0.0.1 with a random free
 * port. No AWS account, no network. What each one cannot do is in ../../../shared/STACK-NOTES.md
 * and in test/contract/aws-adapters.int.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createSqsServer } from 'local-aws-sqs';
import { makeAwsClients, type AwsClients } from '../../shared/adapters/aws/clients.js';
import type { SqsQueueUrls } from '../../shared/adapters/aws/sqs-queue.js';
import { EVENT_TABLE_KEYS, READ_MODEL_TABLE_KEYS, type TableKeySchema } from '../../shared/adapters/aws/table-schemas.js';
import type { QueueConfig } from '../../shared/ports/queue.js';

export interface EmulatorEndpoints {
  readonly dynamodb: string;
  readonly s3: string;
  readonly sqs: string;
}

export interface Emulators {
  readonly endpoints: EmulatorEndpoints;
  stop(): Promise<void>;
}

// dynalite and s3rver ship no type declarations: type the little we use here.
type DynaliteFactory = (options: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  readonly httpServer?: Server;
}
type S3rverClass = new (options: { address: string; port: number; silent: boolean; directory: string; resetOnClose?: boolean }) => S3rverInstance;

const require = createRequire(import.meta.url);
const HOST = '127.0.0.1';

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

export async function startEmulators(): Promise<Emulators> {
  const dynalite = require('dynalite') as DynaliteFactory;
  const S3rver = require('s3rver') as S3rverClass;

  const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const dynamoPort = await listen(dynamo);

  const s3Dir = await mkdtemp(join(tmpdir(), 'drcore-s3rver-'));
  const s3 = new S3rver({ address: HOST, port: 0, silent: true, directory: s3Dir });
  const s3Address = await s3.run();

  const sqs = await createSqsServer({ port: 0, hostname: HOST, emulateQueueCreationLifecycle: false });
  const sqsPort = (sqs.address() as AddressInfo).port;

  return {
    endpoints: {
      dynamodb: `http://${HOST}:${dynamoPort}`,
      s3: `http://${HOST}:${s3Address.port}`,
      sqs: `http://${HOST}:${sqsPort}`,
    },
    async stop() {
      s3.httpServer?.closeAllConnections();
      await Promise.all([closeServer(dynamo), s3.close(), closeServer(sqs)]);
      await rm(s3Dir, { recursive: true, force: true });
    },
  };
}

/**
 * SDK clients for the emulators: dummy credentials and region, the production client
 * settings. s3rver only accepts the key pair S3RVER/S3RVER; the others accept any.
 */
export function awsClients(endpoints: EmulatorEndpoints): AwsClients {
  return makeAwsClients({
    region: 'us-east-1',
    endpoints,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
}

/** A fresh, unique resource name (DynamoDB tables, buckets and queues share the charset). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 12)}`;
}

async function createTable(client: DynamoDBClient, tableName: string, keys: TableKeySchema): Promise<string> {
  await client.send(new CreateTableCommand({
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: keys.partitionKey.name, AttributeType: keys.partitionKey.type },
      { AttributeName: keys.sortKey.name, AttributeType: keys.sortKey.type },
    ],
    KeySchema: [
      { AttributeName: keys.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: keys.sortKey.name, KeyType: 'RANGE' },
    ],
  }));
  // dynalite marks even a createTableMs: 0 table ACTIVE on a later tick, as DynamoDB does after a
  // while: wait for it, or a first write can meet ResourceNotFoundException on a loaded machine.
  for (let i = 0; ; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return tableName;
    if (i >= 200) throw new Error(`table ${tableName} not ACTIVE after 200 checks (${Table?.TableStatus})`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The event table as deployed: pk streamId (S), sk version (N). dynalite has no Streams. */
export function createEventTable(client: DynamoDBClient, tableName = uniqueName('events')): Promise<string> {
  return createTable(client, tableName, EVENT_TABLE_KEYS);
}

/** The read-model table as deployed: pk collection (S), sk id (S). */
export function createReadModelTable(client: DynamoDBClient, tableName = uniqueName('read-models')): Promise<string> {
  return createTable(client, tableName, READ_MODEL_TABLE_KEYS);
}

export async function createBucket(client: S3Client, bucket = uniqueName('data')): Promise<string> {
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

/**
 * One SQS queue per config, each with its own dead-letter queue and the redrive policy
 * `maxReceiveCount` → DLQ, as the CDK app creates them. Names get a unique suffix.
 */
export async function createQueues(client: SQSClient, configs: Record<string, QueueConfig>): Promise<SqsQueueUrls> {
  const urls: Record<string, { url: string; deadLetterUrl: string }> = {};
  for (const [name, config] of Object.entries(configs)) {
    const base = uniqueName(name);
    const dlq = await client.send(new CreateQueueCommand({ QueueName: `${base}-dlq` }));
    if (dlq.QueueUrl === undefined) throw new Error(`CreateQueue ${base}-dlq returned no URL`);
    const dlqAttributes = await client.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }));
    const dlqArn = dlqAttributes.Attributes?.QueueArn;
    if (dlqArn === undefined) throw new Error(`GetQueueAttributes ${base}-dlq returned no QueueArn`);
    const queue = await client.send(new CreateQueueCommand({
      QueueName: base,
      Attributes: {
        VisibilityTimeout: String(config.visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({ maxReceiveCount: config.maxReceiveCount, deadLetterTargetArn: dlqArn }),
      },
    }));
    if (queue.QueueUrl === undefined) throw new Error(`CreateQueue ${base} returned no URL`);
    urls[name] = { url: queue.QueueUrl, deadLetterUrl: dlq.QueueUrl };
  }
  return urls;
}

/**
 * A test stand-in for two S3 behaviours s3rver lacks:
 * - `If-None-Match: *` on PutObject: for such a PUT the proxy HEADs the object (one request
 *   per key at a time) and answers 412 PreconditionFailed as S3 does when it exists;
 * - a ranged GetObject of a 0-byte object: S3 answers 416 InvalidRange (nothing of it is
 *   satisfiable), s3rver a 206 with Content-Length 1 and no body that it then breaks off; the
 *   proxy HEADs the object of a ranged GET and answers 416 as S3 does when it is empty.
 * Everything else passes through untouched (headers too, so SigV4 signatures still verify).
 * This lets the adapter's handling of S3's real 412 and 416 answers run over HTTP; it does
 * not prove S3 itself (that is S3's documented behaviour).
 */
export async function startS3ConditionalWriteShim(s3Endpoint: string): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const target = new URL(s3Endpoint);
  const locks = new Map<string, Promise<void>>();
  const forward = (req: IncomingMessage) => new Promise<IncomingMessage>((resolve, reject) => {
    const out = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, resolve);
    out.on('error', reject);
    req.pipe(out);
  });
  const headOf = (path: string) => new Promise<{ status: number; length: string | undefined }>((resolve, reject) => {
    const h = request({ host: target.hostname, port: target.port, method: 'HEAD', path }, (r) => {
      r.resume();
      resolve({ status: r.statusCode ?? 0, length: r.headers['content-length'] });
    });
    h.on('error', reject);
    h.end();
  });
  const server = createServer((req, res) => {
    const conditional = req.method === 'PUT' && req.headers['if-none-match'] === '*';
    const path = (req.url ?? '').split('?')[0] ?? '';
    const previous = conditional ? (locks.get(path) ?? Promise.resolve()) : Promise.resolve();
    let release = () => {};
    if (conditional) locks.set(path, previous.then(() => new Promise<void>((r) => { release = r; })));
    const handle = async () => {
      await previous;
      if (req.method === 'GET' && req.headers.range !== undefined) {
        const head = await headOf(path);
        if (head.status === 200 && head.length === '0') {
          req.resume();
          res.writeHead(416, { 'content-type': 'application/xml', 'content-range': 'bytes */0' });
          res.end('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InvalidRange</Code><Message>The requested range is not satisfiable</Message><ActualObjectSize>0</ActualObjectSize></Error>');
          return;
        }
      }
      if (conditional) {
        const head = (await headOf(path)).status;
        if (head === 200) {
          req.resume();
          res.writeHead(412, { 'content-type': 'application/xml' });
          res.end('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-None-Match</Condition></Error>');
          return;
        }
      }
      const upstream = await forward(req);
      res.writeHead(upstream.statusCode ?? 502, upstream.headers);
      // An answer s3rver breaks off (its ranged GET of a 0-byte object) is broken off here too, not left hanging.
      upstream.on('close', () => { if (!upstream.complete) res.destroy(); });
      await new Promise<void>((resolve) => { upstream.pipe(res); res.on('finish', resolve); res.on('close', resolve); });
    };
    handle().catch(() => { if (!res.headersSent) res.writeHead(502); res.end(); }).finally(() => release());
  });
  const port = await listen(server);
  return { endpoint: `http://${HOST}:${port}`, stop: () => closeServer(server) };
}
