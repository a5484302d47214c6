/**
 * The counting wrappers (shared/adapters/counting): each counts its calls exactly (calls,
 * errors, bytes, items, and the AWS requests and capacity units the call costs on the AWS
 * adapter), and hands every result and every error through unchanged (the same object).
 * Inner ports are STUBS (each method answers a fixed value or throws a fixed error); two
 * tests put the wrapper over the real S3 and DynamoDB adapters with a MOCK client and compare
 * the modeled requests with the requests the adapter actually sent.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { QueryCommand, TransactWriteItemsCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3BlobStore } from '../../shared/adapters/aws/s3-blob-store.js';
import { DynamoDbEventStore } from '../../shared/adapters/aws/dynamodb-event-store.js';
import { countingBlobStore } from '../../shared/adapters/counting/counting-blob-store.js';
import { countingEventStore } from '../../shared/adapters/counting/counting-event-store.js';
import { countingQueue, receiveRequests } from '../../shared/adapters/counting/counting-queue.js';
import { countingOperationalStore } from '../../shared/adapters/counting/counting-operational-store.js';
import type { OperationalStore } from '../../shared/ports/operational-store.js';
import { countingReadModels } from '../../shared/adapters/counting/counting-read-models.js';
import { countingDeps } from '../../shared/adapters/counting/counting-deps.js';
import { itemBytes, numberBytes } from '../../shared/adapters/counting/dynamodb-units.js';
import { RequestCounter, diffSnapshots, totalCalls } from '../../shared/adapters/counting/request-counter.js';
import type { AppDeps } from '../../shared/app/deps.js';
import type { StoredEvent } from '../../shared/events/envelope.js';
import type { BlobStore } from '../../shared/ports/blob-store.js';
import type { EventStore } from '../../shared/ports/event-store.js';
import { BlobConflictError, ConcurrencyError, NotFoundError, UnavailableError } from '../../shared/ports/errors.js';
import type { Queue, QueueMessage } from '../../shared/ports/queue.js';
import type { ReadModels } from '../../shared/ports/read-models.js';

const HASH = 'a'.repeat(64);
/** 218 bytes as a DynamoDB item: names 42 + streamId 13 + version 2 + type 1 + data 7 + at 24 + actor 1 + hashes 128. */
const event = (version: number, data: unknown = { a: 1 }): StoredEvent => ({
  streamId: 'machine:t1:m1', version, type: 'X', data, at: '2024-01-01T00:00:00.000Z', actor: 'a', prevHash: HASH, hash: HASH,
});

const failing = (error: Error) => async (): Promise<never> => { throw error; };

describe('DynamoDB item sizes', () => {
  it('an attribute is its name plus its value: a string its UTF-8 bytes, a number 1 byte per 2 digits plus 1', () => {
    assert.equal(numberBytes('1'), 2);
    assert.equal(numberBytes('1000000'), 5);
    assert.equal(numberBytes('-12.5'), 2);
    assert.equal(itemBytes({ ab: { S: 'é' }, n: { N: '12' } }), 2 + 2 + 1 + 2);
    assert.equal(itemBytes({
      streamId: { S: 'machine:t1:m1' }, version: { N: '1' }, type: { S: 'X' }, data: { S: '{"a":1}' },
      at: { S: '2024-01-01T00:00:00.000Z' }, actor: { S: 'a' }, prevHash: { S: HASH }, hash: { S: HASH },
    }), 218);
  });
});

describe('countingBlobStore', () => {
  const stored = Buffer.from('stored bytes');
  const stub = (): BlobStore => ({
    put: async (key) => ({ created: key === 'new' }),
    get: async (key) => { if (key === 'missing') throw new NotFoundError('gone'); return stored; },
    getRange: async (key, offset, length) => {
      if (offset < 0) throw new RangeError('offset');
      if (key === 'missing') throw new NotFoundError('gone');
      return stored.subarray(offset, offset + length);
    },
    head: async (key) => (key === 'missing' ? undefined : { size: 12 }),
    delete: async () => undefined,
    list: async function* list(prefix) { for (let i = 0; i < 1001; i++) yield `${prefix}${i}`; },
    listPage: async (prefix) => ({ objects: [{ key: `${prefix}0`, size: 12, modifiedMs: 0 }, { key: `${prefix}1`, size: 12, modifiedMs: 0 }], next: `${prefix}1` }),
  });

  it('counts puts, gets, heads, lists, list pages and deletes with their bytes and S3 requests; results are the inner ones', async () => {
    const counter = new RequestCounter();
    const blobs = countingBlobStore(stub(), counter);
    assert.deepEqual(await blobs.put('new', new Uint8Array(100)), { created: true });
    assert.deepEqual(await blobs.put('old', new Uint8Array(30)), { created: false });
    assert.equal(await blobs.get('k'), stored, 'the very buffer of the inner store');
    assert.deepEqual(await blobs.head('k'), { size: 12 });
    assert.equal(await blobs.head('missing'), undefined);
    assert.equal((await blobs.getRange('k', 2, 5)).toString(), 'ored ');
    assert.equal((await blobs.getRange('k', 10, 100)).toString(), 'es');
    assert.equal((await blobs.getRange('k', 0, 0)).length, 0);
    await blobs.delete('k');
    const keys: string[] = [];
    for await (const k of blobs.list('p/')) keys.push(k);
    assert.equal(keys.length, 1001);
    assert.deepEqual((await blobs.listPage('p/', { limit: 2 })).next, 'p/1');
    assert.deepEqual(counter.snapshot().ports, {
      blobs: {
        // new: HEAD + PUT; existing: HEAD + GET to compare
        put: { calls: 2, errors: 0, bytesIn: 130, bytesOut: 0, items: 0, units: { s3Put: 1, s3Get: 3 } },
        get: { calls: 1, errors: 0, bytesIn: 0, bytesOut: 12, items: 0, units: { s3Get: 1 } },
        // its own kind: one ranged GetObject each, none for length 0
        getRange: { calls: 3, errors: 0, bytesIn: 0, bytesOut: 7, items: 0, units: { s3Get: 2 } },
        head: { calls: 2, errors: 0, bytesIn: 0, bytesOut: 0, items: 0, units: { s3Get: 2 } },
        delete: { calls: 1, errors: 0, bytesIn: 0, bytesOut: 0, items: 0, units: {} },
        list: { calls: 1, errors: 0, bytesIn: 0, bytesOut: 0, items: 1001, units: { s3Put: 2 } },
        // one ListObjectsV2 per page
        listPage: { calls: 1, errors: 0, bytesIn: 0, bytesOut: 0, items: 2, units: { s3Put: 1 } },
      },
    });
  });

  it('errors pass through unchanged and are counted as errors', async () => {
    const counter = new RequestCounter();
    const conflict = new BlobConflictError('other bytes');
    const down = new UnavailableError('down');
    const blobs = countingBlobStore({ ...stub(), put: failing(conflict), list: async function* list() { yield 'a'; throw down; } }, counter);
    await assert.rejects(blobs.put('k', new Uint8Array(5)), (e) => e === conflict);
    await assert.rejects(blobs.get('missing'), (e) => e instanceof NotFoundError);
    await assert.rejects(blobs.getRange('missing', 0, 10), (e) => e instanceof NotFoundError);
    await assert.rejects(blobs.getRange('k', -1, 10), RangeError);
    await assert.rejects(async () => { for await (const _ of blobs.list('')) { /* drain */ } }, (e) => e === down);
    const c = counter.snapshot().ports.blobs!;
    assert.deepEqual(c.put, { calls: 1, errors: 1, bytesIn: 5, bytesOut: 0, items: 0, units: { s3Get: 2 } });
    assert.deepEqual(c.get, { calls: 1, errors: 1, bytesIn: 0, bytesOut: 0, items: 0, units: { s3Get: 1 } });
    assert.deepEqual(c.getRange, { calls: 2, errors: 2, bytesIn: 0, bytesOut: 0, items: 0, units: { s3Get: 1 } }, 'a RangeError sends no request');
    assert.deepEqual(c.list, { calls: 1, errors: 1, bytesIn: 0, bytesOut: 0, items: 1, units: { s3Put: 1 } });
  });

  it('models the requests S3BlobStore really sends (MOCK S3 client)', async () => {
    const objects = new Map<string, Buffer>();
    const sent: unknown[] = [];
    const send = (async (command: unknown) => {
      sent.push(command);
      const key = (command as { input: { Key?: string } }).input.Key ?? '';
      if (command instanceof HeadObjectCommand) {
        const o = objects.get(key);
        if (!o) throw Object.assign(new Error('NotFound'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } });
        return { ContentLength: o.length };
      }
      if (command instanceof GetObjectCommand) {
        const o = objects.get(key);
        if (!o) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
        const m = /^bytes=(\d+)-(\d+)$/.exec(command.input.Range ?? '');
        if (!m) return { Body: { transformToByteArray: async () => new Uint8Array(o) } };
        const body = new Uint8Array(o.subarray(Number(m[1]), Number(m[2]) + 1));
        return { Body: { transformToByteArray: async () => body }, ContentRange: `bytes ${m[1]}-${Number(m[1]) + body.length - 1}/${o.length}` };
      }
      if (command instanceof PutObjectCommand) { objects.set(key, Buffer.from(command.input.Body as Uint8Array)); return {}; }
      if (command instanceof ListObjectsV2Command) return { Contents: [...objects.keys()].map((Key) => ({ Key })), IsTruncated: false };
      throw new Error('unexpected command');
    }) as unknown as S3Client['send'];
    const counter = new RequestCounter();
    const blobs = countingBlobStore(new S3BlobStore({ client: { send }, bucket: 'b' }), counter);
    await blobs.put('a/1', Buffer.from('one'));
    await blobs.put('a/1', Buffer.from('one'));
    await blobs.put('a/2', Buffer.from('two'));
    await blobs.get('a/2');
    assert.equal((await blobs.getRange('a/2', 1, 5)).toString(), 'wo');
    await blobs.getRange('a/2', 1, 0);
    await blobs.head('a/3');
    for await (const _ of blobs.list('a/')) { /* drain */ }
    const putClass = sent.filter((c) => c instanceof PutObjectCommand || c instanceof ListObjectsV2Command).length;
    const getClass = sent.filter((c) => c instanceof GetObjectCommand || c instanceof HeadObjectCommand).length;
    const units = Object.values(counter.snapshot().ports.blobs!).reduce((u, c) => ({ put: u.put + (c.units.s3Put ?? 0), get: u.get + (c.units.s3Get ?? 0) }), { put: 0, get: 0 });
    assert.deepEqual(units, { put: putClass, get: getClass });
    assert.deepEqual(units, { put: 3, get: 7 });
  });
});

describe('countingEventStore', () => {
  const appended = [event(1), event(2, 'x'.repeat(1500))];
  const stub = (): EventStore => ({
    capabilities: { globalOrder: true },
    append: async () => appended,
    readStream: async () => appended,
    readLast: async () => appended.at(-1),
    readAll: async () => ({ events: appended.map((e, i) => ({ ...e, position: String(i + 1) })), next: '2' }),
    lastAssignedPosition: async () => '2',
  });

  it('append: 2 read units and 2 × (log entry + each event item) write units, as one TransactWriteItems costs', async () => {
    const counter = new RequestCounter();
    const events = countingEventStore(stub(), counter);
    assert.equal(await events.append('machine:t1:m1', 0, []), appended);
    assert.equal(await events.readStream('machine:t1:m1'), appended);
    assert.equal(await events.lastAssignedPosition?.(), '2');
    const page = await events.readAll(undefined, 10);
    assert.equal(page.next, '2');
    const big = 218 - 7 + 1502; // the second event's data is a 1500-character JSON string
    assert.deepEqual(counter.snapshot().ports.events, {
      // log entry 1 unit, event 1: 218 B → 1, event 2: 1713 B → 2
      append: { calls: 1, errors: 0, bytesIn: 218 + big, bytesOut: 0, items: 2, units: { dynamoRead: 2, dynamoWrite: 2 * (1 + 1 + 2) } },
      // one Query: 1931 B → 1 unit
      readStream: { calls: 1, errors: 0, bytesIn: 0, bytesOut: 218 + big, items: 2, units: { dynamoRead: 1 } },
      lastAssignedPosition: { calls: 1, errors: 0, bytesIn: 0, bytesOut: 0, items: 0, units: { dynamoRead: 1 } },
      // the $log Query (one entry: both events are one run) 1, then each item of the BatchGetItem 1
      readAll: { calls: 1, errors: 0, bytesIn: 0, bytesOut: 218 + big, items: 2, units: { dynamoRead: 1 + 1 + 1 } },
    });
  });

  it('a refused append passes its ConcurrencyError through and costs the first read', async () => {
    const counter = new RequestCounter();
    const refused = new ConcurrencyError('machine:t1:m1', 0, 3);
    const events = countingEventStore({ ...stub(), append: failing(refused) }, counter);
    await assert.rejects(events.append('machine:t1:m1', 0, []), (e) => e === refused);
    assert.deepEqual(counter.snapshot().ports.events?.append, { calls: 1, errors: 1, bytesIn: 0, bytesOut: 0, items: 0, units: { dynamoRead: 1 } });
    const { lastAssignedPosition: _, ...withoutLast } = stub();
    assert.equal(countingEventStore(withoutLast, counter).lastAssignedPosition, undefined, 'an optional method stays absent');
  });

  it('models the requests DynamoDbEventStore really sends for an append (MOCK DynamoDB client)', async () => {
    const sent: unknown[] = [];
    const send = (async (command: unknown) => {
      sent.push(command);
      if (command instanceof QueryCommand) return { Items: [] };
      if (command instanceof TransactWriteItemsCommand) return {};
      throw new Error('unexpected command');
    }) as unknown as DynamoDBClient['send'];
    const counter = new RequestCounter();
    const events = countingEventStore(new DynamoDbEventStore({ client: { send }, tableName: 't' }), counter);
    await events.append('machine:t1:m1', 0, [{ type: 'X', data: { a: 1 }, at: '2024-01-01T00:00:00.000Z', actor: 'a' }]);
    const queries = sent.filter((c) => c instanceof QueryCommand).length;
    const transactions = sent.filter((c): c is TransactWriteItemsCommand => c instanceof TransactWriteItemsCommand);
    const items = transactions.reduce((n, t) => n + (t.input.TransactItems?.length ?? 0), 0);
    const c = counter.snapshot().ports.events?.append;
    assert.equal(c?.units.dynamoRead, queries, 'one read unit per Query (each returns at most one small item)');
    assert.equal(c?.units.dynamoWrite, 2 * items, 'two write units per small transactional item');
    assert.deepEqual([queries, transactions.length, items], [2, 1, 2]);
  });
});

describe('countingReadModels', () => {
  const doc = { tenantId: 't1', usage: 42 };
  const stub = (): ReadModels => ({
    get: async <T>(_: string, id: string) => (id === 'none' ? undefined : doc) as T | undefined,
    put: async () => undefined,
    delete: async () => undefined,
    list: async <T>() => [doc, doc] as T[],
    clear: async () => undefined,
  });

  it('counts gets, puts and lists with the item bytes and units of DynamoDbReadModels', async () => {
    const counter = new RequestCounter();
    const models = countingReadModels(stub(), counter);
    assert.equal(await models.get('tenants', 't1'), doc);
    assert.equal(await models.get('tenants', 'none'), undefined);
    await models.put('tenants', 't1', { big: 'y'.repeat(2000) });
    assert.deepEqual(await models.list('tenants'), [doc, doc]);
    await models.delete('tenants', 't1');
    const docBytes = 'collection'.length + 7 + 'id'.length + 2 + 'doc'.length + JSON.stringify(doc).length;
    const bigBytes = 'collection'.length + 7 + 'id'.length + 2 + 'doc'.length + JSON.stringify({ big: 'y'.repeat(2000) }).length;
    const listBytes = 2 * ('collection'.length + 7 + 'id'.length + 40 + 'doc'.length + JSON.stringify(doc).length);
    assert.deepEqual(counter.snapshot().ports.readModels, {
      get: { calls: 2, errors: 0, bytesIn: 0, bytesOut: docBytes, items: 1, units: { dynamoRead: 2 } },
      put: { calls: 1, errors: 0, bytesIn: bigBytes, bytesOut: 0, items: 1, units: { dynamoWrite: 2 } },
      list: { calls: 1, errors: 0, bytesIn: 0, bytesOut: listBytes, items: 2, units: { dynamoRead: 1 } },
      delete: { calls: 1, errors: 0, bytesIn: 0, bytesOut: 0, items: 0, units: { dynamoWrite: 1 } },
    });
  });

  it('errors pass through unchanged', async () => {
    const counter = new RequestCounter();
    const down = new UnavailableError('throttled');
    const models = countingReadModels({ ...stub(), put: failing(down) }, counter);
    await assert.rejects(models.put('tenants', 't1', doc), (e) => e === down);
    assert.equal(counter.snapshot().ports.readModels?.put?.errors, 1);
  });
});

describe('countingQueue', () => {
  const message = (i: number): QueueMessage => ({ messageId: `m${i}`, receiptHandle: `r${i}`, body: 'x'.repeat(10), receiveCount: 1, sentAt: '2024-01-01T00:00:00.000Z' });
  const stub = (n: number): Queue => ({
    send: async () => ({ messageId: 'm0' }),
    receive: async () => Array.from({ length: n }, (_, i) => message(i)),
    delete: async () => undefined,
    changeVisibility: async () => undefined,
    receiveDeadLetters: async () => [],
  });

  it('counts SQS requests: a send per 64 KB of body, a receive per page of 10 while pages are full', async () => {
    const counter = new RequestCounter();
    const queue = countingQueue(stub(12), counter);
    assert.deepEqual(await queue.send('workflow', 'y'.repeat(70_000)), { messageId: 'm0' });
    assert.equal((await queue.receive('workflow', { maxMessages: 20 })).length, 12);
    await queue.delete('workflow', 'r1');
    await queue.changeVisibility('workflow', 'r1', 30);
    assert.deepEqual(await queue.receiveDeadLetters('workflow', { maxMessages: 5 }), []);
    assert.deepEqual(counter.snapshot().ports.queue, {
      send: { calls: 1, errors: 0, bytesIn: 70_000, bytesOut: 0, items: 1, units: { sqs: 2 } },
      receive: { calls: 1, errors: 0, bytesIn: 0, bytesOut: 120, items: 12, units: { sqs: 2 } },
      delete: { calls: 1, errors: 0, bytesIn: 0, bytesOut: 0, items: 0, units: { sqs: 1 } },
      changeVisibility: { calls: 1, errors: 0, bytesIn: 0, bytesOut: 0, items: 0, units: { sqs: 1 } },
      receiveDeadLetters: { calls: 1, errors: 0, bytesIn: 0, bytesOut: 0, items: 0, units: { sqs: 1 } },
    });
    assert.deepEqual([receiveRequests(1, 0), receiveRequests(10, 10), receiveRequests(30, 30), receiveRequests(30, 25)], [1, 1, 3, 3]);
  });

  it('errors pass through unchanged', async () => {
    const counter = new RequestCounter();
    const gone = new NotFoundError('unknown queue');
    const queue = countingQueue({ ...stub(0), send: failing(gone) }, counter);
    await assert.rejects(queue.send('nope', 'b'), (e) => e === gone);
    assert.deepEqual(counter.snapshot().ports.queue?.send, { calls: 1, errors: 1, bytesIn: 1, bytesOut: 0, items: 1, units: { sqs: 1 } });
  });
});

describe('countingOperationalStore', () => {
  const stub = (): OperationalStore => ({
    get: async () => undefined,
    put: async () => undefined,
    delete: async () => undefined,
    list: async () => [],
    listPage: async <T>(_c: string, options: { after?: string; limit: number }) => ({
      records: options.after === undefined ? [{ id: 'u1', record: { id: 'u1' } as T }, { id: 'u2', record: { id: 'u2' } as T }] : [],
      next: options.after === undefined ? 'u2' : undefined,
    }),
    getCheckpoint: async () => 'cursor',
    putCheckpoint: async () => undefined,
  });

  it('counts listPage as its own kind: the records\' item bytes, the records, the read units of the Query; the page is the inner one', async () => {
    const counter = new RequestCounter();
    const store = countingOperationalStore(stub(), counter);
    const page = await store.listPage<{ id: string }>('uploads/t1/rp1', { limit: 1000 });
    assert.deepEqual(page, { records: [{ id: 'u1', record: { id: 'u1' } }, { id: 'u2', record: { id: 'u2' } }], next: 'u2' });
    assert.deepEqual(await store.listPage('uploads/t1/rp1', { after: 'u2', limit: 1000 }), { records: [], next: undefined });
    const recordBytes = (id: string) => 'collection'.length + 'uploads/t1/rp1'.length + 'id'.length + id.length + 'doc'.length + JSON.stringify({ id }).length;
    assert.deepEqual(counter.snapshot().ports.operational, {
      listPage: { calls: 2, errors: 0, bytesIn: 0, bytesOut: recordBytes('u1') + recordBytes('u2'), items: 2, units: { dynamoRead: 2 } },
    });
  });

  it('counts checkpoints with the item bytes and units of DynamoDbOperationalStore (the read-model table, _checkpoints)', async () => {
    const counter = new RequestCounter();
    const store = countingOperationalStore(stub(), counter);
    assert.equal(await store.getCheckpoint('p'), 'cursor');
    await store.putCheckpoint('p', 'c2');
    const cpBytes = (v: string) => 'collection'.length + '_checkpoints'.length + 'id'.length + 1 + 'doc'.length + v.length + 2;
    assert.deepEqual(counter.snapshot().ports.operational, {
      getCheckpoint: { calls: 1, errors: 0, bytesIn: 0, bytesOut: cpBytes('cursor'), items: 1, units: { dynamoRead: 1 } },
      putCheckpoint: { calls: 1, errors: 0, bytesIn: cpBytes('c2'), bytesOut: 0, items: 1, units: { dynamoWrite: 1 } },
    });
  });
});

describe('countingDeps', () => {
  it('wraps every port over one counter and reads the CA only when it is used', async () => {
    let caReads = 0;
    const ca = { caCertificatePem: async () => 'PEM', signCsr: failing(new Error('no')), signDocument: failing(new Error('no')), unwrapSeedKey: failing(new Error('no')) };
    const inner = {
      events: { capabilities: { globalOrder: true }, append: async () => [], readStream: async () => [], readLast: async () => undefined, readAll: async () => ({ events: [], next: undefined }) },
      blobs: { put: async () => ({ created: true }), get: async () => Buffer.alloc(0), getRange: async () => Buffer.alloc(0), head: async () => undefined, delete: async () => undefined, list: async function* list() { /* none */ }, listPage: async () => ({ objects: [], next: undefined }) },
      queue: { send: async () => ({ messageId: 'm' }), receive: async () => [], delete: async () => undefined, changeVisibility: async () => undefined, receiveDeadLetters: async () => [] },
      readModels: { get: async () => undefined, put: async () => undefined, delete: async () => undefined, list: async () => [], clear: async () => undefined },
      operational: { get: async () => undefined, put: async () => undefined, delete: async () => undefined, list: async () => [], listPage: async () => ({ records: [], next: undefined }), getCheckpoint: async () => undefined, putCheckpoint: async () => undefined },
      notifier: { notify: async () => undefined, recent: async () => [] },
      get ca() { caReads += 1; return ca; },
      clock: () => new Date(0),
      newId: (p: string) => `${p}-1`,
    } satisfies AppDeps;
    const counter = new RequestCounter();
    const deps = countingDeps(inner, counter);
    assert.equal(caReads, 0);
    assert.equal(await deps.ca.caCertificatePem(), 'PEM');
    await deps.ca.caCertificatePem();
    assert.equal(caReads, 1);
    await deps.events.readStream('machine:t1:m1');
    await deps.notifier.notify({ id: 'n', at: '', kind: 'k', subject: 's', body: 'b' });
    assert.equal(deps.clock().getTime(), 0);
    assert.equal(deps.newId('rp'), 'rp-1');
    const s = counter.snapshot();
    assert.deepEqual(Object.keys(s.ports).sort(), ['ca', 'events', 'notifier']);
    assert.equal(s.ports.ca?.caCertificatePem?.calls, 2);
    assert.equal(totalCalls(s), 4);
  });
});

describe('RequestCounter', () => {
  it('invocations add up per function and route, billed in whole milliseconds', () => {
    const counter = new RequestCounter();
    counter.invocation('replication-api', 10.25, false, 'PUT /v1/x');
    counter.invocation('replication-api', 0.25, true, 'PUT /v1/x');
    counter.invocation('authorizer', 2, false);
    const s = counter.snapshot();
    assert.deepEqual(s.functions['replication-api'], { invocations: 2, errors: 1, ms: 10.5, billedMs: 12 });
    assert.deepEqual(s.routes, { 'PUT /v1/x': { invocations: 2, errors: 1, ms: 10.5, billedMs: 12 } });
    assert.deepEqual(s.functions.authorizer, { invocations: 1, errors: 0, ms: 2, billedMs: 2 });
  });

  it('port calls made while a function runs are attributed to it, also across awaits', async () => {
    const counter = new RequestCounter();
    const blobs = countingBlobStore({
      put: async () => ({ created: true }), get: async () => Buffer.alloc(3), getRange: async () => Buffer.alloc(0), head: async () => undefined,
      delete: async () => undefined, list: async function* list() { /* none */ }, listPage: async () => ({ objects: [], next: undefined }),
    }, counter);
    await counter.run('authorizer', async () => { await new Promise((r) => setTimeout(r, 1)); await blobs.head('k'); });
    await Promise.all([counter.run('replication-api', () => blobs.get('k')), blobs.get('k')]);
    const s = counter.snapshot();
    assert.deepEqual(Object.keys(s.byFunction).sort(), ['', 'authorizer', 'replication-api']);
    assert.equal(s.byFunction.authorizer?.blobs?.head?.calls, 1);
    assert.equal(s.byFunction['replication-api']?.blobs?.get?.calls, 1);
    assert.equal(s.byFunction['']?.blobs?.get?.calls, 1);
    assert.equal(s.ports.blobs?.get?.calls, 2, 'the totals hold every call');
  });

  it('a phase is the difference of two snapshots; what did not change is left out', () => {
    const counter = new RequestCounter();
    counter.call('blobs', 'put', false, { bytesIn: 10, units: { s3Put: 1, s3Get: 1 } });
    counter.call('events', 'append', false, { units: { dynamoWrite: 4 } });
    counter.invocation('authorizer', 1, false);
    const before = counter.snapshot();
    counter.call('blobs', 'put', true, { bytesIn: 5, units: { s3Get: 2 } });
    counter.invocation('replication-api', 3, false, 'GET /v1/machines');
    const d = diffSnapshots(counter.snapshot(), before);
    assert.deepEqual(d, {
      ports: { blobs: { put: { calls: 1, errors: 1, bytesIn: 5, bytesOut: 0, items: 0, units: { s3Get: 2 } } } },
      byFunction: { '': { blobs: { put: { calls: 1, errors: 1, bytesIn: 5, bytesOut: 0, items: 0, units: { s3Get: 2 } } } } },
      functions: { 'replication-api': { invocations: 1, errors: 0, ms: 3, billedMs: 3 } },
      routes: { 'GET /v1/machines': { invocations: 1, errors: 0, ms: 3, billedMs: 3 } },
    });
    assert.deepEqual(diffSnapshots(before), before);
    assert.notEqual(counter.snapshot(), counter.snapshot(), 'a snapshot is a copy');
  });
});
