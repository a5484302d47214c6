/**
 * The port contract suites against the AWS adapters, in-process against real protocol
 * servers from npm (test/support/emulators.ts): dynalite (DynamoDB), s3rver (S3),
 * local-aws-sqs (SQS). No AWS account, no network.
 *
 * What the emulators cannot do, and where it is covered instead (nothing is skipped silently):
 * - dynalite has NO TransactWriteItems: the event store runs here in 'emulated-sequential'
 *   mode; the atomic TransactWriteItems request of the 'native' mode is covered by
 *   test/unit/aws-dynamodb-transact.unit.test.ts (and a test below shows dynalite refusing it).
 * - s3rver IGNORES If-None-Match: the suite runs twice: on plain s3rver with
 *   enforcesCreateOnce: false (the adapter's HeadObject check still refuses a sequential
 *   overwrite, asserted below), and behind a shim that answers If-None-Match like S3 (412),
 *   with enforcesCreateOnce: true, so the adapter's handling of S3's 412 runs over HTTP.
 * - s3rver does NOT verify ChecksumSHA256: verifiesSha256ServerSide: false (the adapter
 *   checks the digest itself); that the header is sent is in test/unit/aws-s3-blob-store.unit.test.ts.
 * - s3rver BREAKS OFF a ranged GET of a 0-byte object (206 with Content-Length 1, no body,
 *   reset at its 5 s keep-alive timeout) where S3 answers 416 InvalidRange: on plain s3rver
 *   breaksEmptyObjectRanges (the suite asserts the adapter fails, never returns bytes); the
 *   shim answers 416 as S3 does, so there the real guarantee runs over HTTP (and the 416
 *   path is in test/unit/aws-s3-blob-store.unit.test.ts). s3rver also answers `bytes=0-0`
 *   with the whole object: the contract's one-byte reads check that the adapter holds the
 *   answer to the range asked.
 * - There is NO Secrets Manager emulator here (none of the three speaks it): the SecretStore
 *   contract runs against the AWS adapter over a MOCK client (test/support/mock-secrets-manager.ts)
 *   that answers GetSecretValue / PutSecretValue as the API reference documents them, the
 *   ClientRequestToken rule included. What a real Secrets Manager does beyond that document is
 *   not tested here; the adapter's own refusals are in test/unit/aws-secret-store.unit.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { verifyStream } from '../../shared/events/chain.js';
import { InvalidIdError } from '../../shared/ids.js';
import { DynamoDbEventStore } from '../../shared/adapters/aws/dynamodb-event-store.js';
import { DynamoDbOperationalStore } from '../../shared/adapters/aws/dynamodb-operational-store.js';
import { DynamoDbReadModels } from '../../shared/adapters/aws/dynamodb-read-models.js';
import { S3BlobStore } from '../../shared/adapters/aws/s3-blob-store.js';
import { SqsQueue } from '../../shared/adapters/aws/sqs-queue.js';
import { makeS3Client, type AwsClients } from '../../shared/adapters/aws/clients.js';
import { blobStoreContract } from '../../shared/ports/contracts/blob-store.contract.js';
import { eventStoreContract } from '../../shared/ports/contracts/event-store.contract.js';
import { queueContract } from '../../shared/ports/contracts/queue.contract.js';
import { operationalStoreContract } from '../../shared/ports/contracts/operational-store.contract.js';
import { readModelsContract } from '../../shared/ports/contracts/read-models.contract.js';
import { CONTRACT_SECRET_NAMES, secretStoreContract } from '../../shared/ports/contracts/secret-store.contract.js';
import { SecretsManagerSecretStore } from '../../shared/adapters/aws/secrets-manager-secret-store.js';
import { MockSecretsManager } from '../support/mock-secrets-manager.js';
import { BlobConflictError, ConcurrencyError, PortError } from '../../shared/ports/errors.js';
import {
  awsClients, createBucket, createEventTable, createQueues, createReadModelTable, startEmulators,
  startS3ConditionalWriteShim, type Emulators,
} from '../support/emulators.js';

// One set of emulators for the whole file, started by the first make() that needs it.
let started: Promise<{ emulators: Emulators; clients: AwsClients }> | undefined;
const env = () => (started ??= startEmulators().then((emulators) => ({ emulators, clients: awsClients(emulators.endpoints) })));
after(async () => {
  if (started === undefined) return;
  const { emulators, clients } = await started;
  clients.destroy();
  await emulators.stop();
});
const nothing = async () => {};
const LISTING_PAGES_COVERED = 'test/unit/aws-s3-blob-store.unit.test.ts ("listPage: one ListObjectsV2 from StartAfter", a MOCK S3 client)';
const ev = (type: string) => ({ type, data: { type }, at: '2025-01-01T00:00:00.000Z', actor: 'system:test' });

eventStoreContract('DynamoDbEventStore on dynalite (emulated-sequential appends: dynalite has no TransactWriteItems; the native atomic request is unit-tested)', async () => {
  const { clients } = await env();
  const tableName = await createEventTable(clients.dynamodb);
  return { store: new DynamoDbEventStore({ client: clients.dynamodb, tableName, transactions: 'emulated-sequential' }), cleanup: nothing };
});

blobStoreContract('S3BlobStore on s3rver (s3rver ignores If-None-Match and does not verify ChecksumSHA256)', async () => {
  const { clients } = await env();
  const bucket = await createBucket(clients.s3);
  return { blobs: new S3BlobStore({ client: clients.s3, bucket }), cleanup: nothing };
}, { enforcesCreateOnce: false, verifiesSha256ServerSide: false, breaksEmptyObjectRanges: { coveredIn: 'the shimmed suite below (416 as S3 answers it) and test/unit/aws-s3-blob-store.unit.test.ts ("416 InvalidRange")' }, cannotTruncateListings: { coveredIn: LISTING_PAGES_COVERED } });

blobStoreContract('S3BlobStore, key prefix "drcore/", on s3rver behind a test shim that answers If-None-Match: * with 412, and a range of a 0-byte object with 416, as S3 does', async () => {
  const { emulators, clients } = await env();
  const bucket = await createBucket(clients.s3);
  const shim = await startS3ConditionalWriteShim(emulators.endpoints.s3);
  const client = makeS3Client({ region: 'us-east-1', endpoints: { s3: shim.endpoint }, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  return {
    blobs: new S3BlobStore({ client, bucket, keyPrefix: 'drcore/' }),
    cleanup: async () => { client.destroy(); await shim.stop(); },
  };
}, { enforcesCreateOnce: true, verifiesSha256ServerSide: false, cannotTruncateListings: { coveredIn: LISTING_PAGES_COVERED } });

queueContract('SqsQueue on local-aws-sqs (dead-lettering by the queue redrive policy)', async (queues) => {
  const { clients } = await env();
  return { queue: new SqsQueue({ client: clients.sqs, queueUrls: await createQueues(clients.sqs, queues) }), cleanup: nothing };
}, { staleReceiptHandleDeletes: 'local-aws-sqs deletes by message id; SQS keeps the message — the adapter sends exactly the given handle (aws-sqs-queue unit test)' });

secretStoreContract('SecretsManagerSecretStore on a MOCK Secrets Manager client (no Secrets Manager emulator exists here; the mock follows the API reference)', async () => {
  const sm = new MockSecretsManager();
  const secretIds = Object.fromEntries(CONTRACT_SECRET_NAMES.map((n) => [n, `arn:aws:secretsmanager:eu-west-1:123456789012:secret:drcore-${n}-AbCdEf`]));
  for (const id of Object.values(secretIds)) sm.create(id); // the stack's placeholders
  return { store: new SecretsManagerSecretStore({ client: sm.client, secretIds }), cleanup: nothing };
});

readModelsContract('DynamoDbReadModels on dynalite', async () => {
  const { clients } = await env();
  const tableName = await createReadModelTable(clients.dynamodb);
  return { readModels: new DynamoDbReadModels({ client: clients.dynamodb, tableName }), cleanup: nothing };
});

operationalStoreContract('DynamoDbOperationalStore on dynalite (in the read-model table, under collections starting with _)', async () => {
  const { clients } = await env();
  const tableName = await createReadModelTable(clients.dynamodb);
  return {
    store: new DynamoDbOperationalStore({ client: clients.dynamodb, tableName }),
    readModels: new DynamoDbReadModels({ client: clients.dynamodb, tableName }),
    cleanup: nothing,
  };
});

describe('AWS adapters: beyond the contracts, and what the emulators lack', () => {
  let clients: AwsClients;
  before(async () => { ({ clients } = await env()); });

  it('dynalite lacks TransactWriteItems: the native mode is refused there (UnknownOperationException) and stores nothing — its atomic request is covered by test/unit/aws-dynamodb-transact.unit.test.ts', async () => {
    const tableName = await createEventTable(clients.dynamodb);
    const store = new DynamoDbEventStore({ client: clients.dynamodb, tableName });
    await assert.rejects(store.append('tenant:native', 0, [ev('A'), ev('B')]), (err) =>
      err instanceof PortError && (err.cause as { name?: string } | undefined)?.name === 'UnknownOperationException');
    assert.deepEqual(await store.readStream('tenant:native'), []);
    assert.deepEqual((await store.readAll()).events, []);
  });

  it('read models: the operational store\'s collections (starting with _) cannot be named by a projection (InvalidIdError)', async () => {
    const readModels = new DynamoDbReadModels({ client: clients.dynamodb, tableName: await createReadModelTable(clients.dynamodb) });
    await assert.rejects(readModels.put('_checkpoints', 'stream-dispatcher', '1'), InvalidIdError);
    await assert.rejects(readModels.get('_ops/notifications', 'n1'), InvalidIdError);
    await assert.rejects(readModels.list('_ops/notifications'), InvalidIdError);
    await assert.rejects(readModels.delete('_checkpoints', 'x'), InvalidIdError);
  });

  it('event store: concurrent appends to many streams all land, readAll sees each once in a gapless global log', async () => {
    const tableName = await createEventTable(clients.dynamodb);
    const store = new DynamoDbEventStore({ client: clients.dynamodb, tableName, transactions: 'emulated-sequential' });
    const streams = Array.from({ length: 12 }, (_, i) => `machine:t1:m${i}`);
    await Promise.all(streams.map((s) => store.append(s, 0, [ev('A'), ev('B')])));
    const sameStream = await Promise.allSettled(Array.from({ length: 5 }, () => store.append('tenant:hot', 0, [ev('H')])));
    assert.equal(sameStream.filter((r) => r.status === 'fulfilled').length, 1, 'one of five same-stream appends wins');
    assert.ok(sameStream.every((r) => r.status === 'fulfilled' || r.reason instanceof ConcurrencyError));
    const all = await store.readAll();
    assert.equal(all.events.length, streams.length * 2 + 1);
    assert.equal(new Set(all.events.map((e) => e.position)).size, all.events.length, 'distinct positions');
    for (const s of streams) assert.equal(verifyStream(all.events.filter((e) => e.streamId === s)), undefined);
    assert.deepEqual((await store.readAll(all.next)).events, []);
  });

  it('event store: a malformed readAll cursor is bad input (InvalidIdError)', async () => {
    const tableName = await createEventTable(clients.dynamodb);
    const store = new DynamoDbEventStore({ client: clients.dynamodb, tableName, transactions: 'emulated-sequential' });
    for (const bad of ['', 'not base64!', Buffer.from('{"q":-1,"o":0}').toString('base64url'), Buffer.from('[]').toString('base64url')]) {
      await assert.rejects(store.readAll(bad), InvalidIdError, bad);
    }
  });

  it('event store: a log entry whose events were deleted is reported as a damaged log, not skipped', async () => {
    const tableName = await createEventTable(clients.dynamodb);
    const store = new DynamoDbEventStore({ client: clients.dynamodb, tableName, transactions: 'emulated-sequential' });
    await store.append('tenant:gone', 0, [ev('A')]);
    await clients.dynamodb.send(new DeleteItemCommand({ TableName: tableName, Key: { streamId: { S: 'tenant:gone' }, version: { N: '1' } } }));
    await assert.rejects(store.readAll(), /missing/);
  });

  it('s3rver ignores If-None-Match: the adapter\'s own HeadObject check still refuses a sequential overwrite with other bytes (BlobConflictError, original kept)', async () => {
    const blobs = new S3BlobStore({ client: clients.s3, bucket: await createBucket(clients.s3) });
    await blobs.put('tenants/t1/packs/p1', Buffer.from('original'));
    await assert.rejects(blobs.put('tenants/t1/packs/p1', Buffer.from('replaced')), BlobConflictError);
    assert.equal((await blobs.get('tenants/t1/packs/p1')).toString(), 'original');
  });

  it('local-aws-sqs counts ChangeMessageVisibility as a receive (AWS does not), so the contract test dead-letters at maxReceiveCount 2 there: the same behaviour on a queue with maxReceiveCount 10 — extend hides, 0 shows at once', async () => {
    const urls = await createQueues(clients.sqs, { q: { visibilityTimeoutSeconds: 1, maxReceiveCount: 10 } });
    const queue = new SqsQueue({ client: clients.sqs, queueUrls: urls });
    await queue.send('q', 'c');
    const [m] = await queue.receive('q', { waitSeconds: 1 });
    assert.ok(m);
    await queue.changeVisibility('q', m.receiptHandle, 4);
    await new Promise((r) => setTimeout(r, 1800));
    assert.deepEqual(await queue.receive('q'), [], 'still hidden past the 1 s default');
    await queue.changeVisibility('q', m.receiptHandle, 0);
    const [again] = await queue.receive('q', { waitSeconds: 1 });
    assert.equal(again?.messageId, m.messageId);
  });

  it('SQS: without a configured deadLetterUrl, the DLQ is found from the queue\'s RedrivePolicy', async () => {
    const urls = await createQueues(clients.sqs, { workflow: { visibilityTimeoutSeconds: 1, maxReceiveCount: 1 } });
    const queue = new SqsQueue({ client: clients.sqs, queueUrls: { workflow: { url: urls.workflow!.url } } });
    await queue.send('workflow', 'poison');
    assert.equal((await queue.receive('workflow', { waitSeconds: 1 })).length, 1);
    let dead: string[] = [];
    for (let i = 0; i < 10 && dead.length === 0; i++) {
      await queue.receive('workflow', { waitSeconds: 1 });
      dead = (await queue.receiveDeadLetters('workflow')).map((m) => m.body);
    }
    assert.deepEqual(dead, ['poison']);
  });
});
