/**
 * DynamoDbOperationalStore.listPage: the Query requests it sends and how it reads DynamoDB's
 * answers, on a MOCK client (its `send` records each Query and answers from a sorted list of
 * items). The mock ends a response early with a LastEvaluatedKey, as DynamoDB does when 1 MB
 * of items is read before `Limit`: a page must still hold `limit` records. The same paging runs
 * against dynalite (which has the 1 MB cut too) in test/contract/aws-adapters.int.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QueryCommand, type AttributeValue, type DynamoDBClient, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { DynamoDbOperationalStore } from '../../shared/adapters/aws/dynamodb-operational-store.js';
import { PortError, UnavailableError } from '../../shared/ports/errors.js';

type Item = Record<string, AttributeValue>;
const COLLECTION = '_ops/uploads/t1/rp1';

/** MOCK DynamoDB: `ids` of COLLECTION; each response holds at most `cut` items (the "1 MB" boundary), then LastEvaluatedKey. */
function mockDynamo(ids: string[], cut: number, fail?: unknown) {
  const queries: QueryCommandInput[] = [];
  const sorted = [...ids].sort();
  const client = {
    send: (async (command: unknown) => {
      if (!(command instanceof QueryCommand)) throw new Error('unexpected command');
      queries.push(command.input);
      if (fail !== undefined) throw fail;
      const input = command.input;
      assert.equal(input.ExpressionAttributeValues?.[':c']?.S, COLLECTION);
      const after = input.ExpressionAttributeValues?.[':after']?.S;
      const start = input.ExclusiveStartKey?.id?.S;
      const from = [after, start].filter((x): x is string => x !== undefined).sort().at(-1);
      const rest = sorted.filter((id) => from === undefined || id > from);
      const limit = input.Limit ?? Number.POSITIVE_INFINITY;
      const taken = rest.slice(0, Math.min(limit, cut));
      const items: Item[] = taken.map((id) => ({ collection: { S: COLLECTION }, id: { S: id }, doc: { S: JSON.stringify({ id }) } }));
      const stoppedEarly = taken.length < rest.length && taken.length > 0;
      const last = taken.at(-1);
      return { Items: items, ...(stoppedEarly && last !== undefined ? { LastEvaluatedKey: { collection: { S: COLLECTION }, id: { S: last } } } : {}) };
    }) as unknown as DynamoDBClient['send'],
  };
  return { client, queries };
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `p${String(i).padStart(4, '0')}`);

describe('DynamoDbOperationalStore listPage (MOCK DynamoDB client)', () => {
  it('one Query: the collection, id > after, ascending, strongly consistent, Limit one more than asked (to know whether more follow)', async () => {
    const mock = mockDynamo(ids(10), 1000);
    const store = new DynamoDbOperationalStore({ client: mock.client, tableName: 'rm' });
    const page = await store.listPage<{ id: string }>('uploads/t1/rp1', { after: 'p0003', limit: 4 });
    assert.deepEqual(page.records.map((r) => r.id), ['p0004', 'p0005', 'p0006', 'p0007']);
    assert.equal(page.next, 'p0007');
    assert.equal(mock.queries.length, 1);
    const [q] = mock.queries;
    assert.equal(q?.TableName, 'rm');
    assert.equal(q?.KeyConditionExpression, '#c = :c AND #id > :after');
    assert.deepEqual(q?.ExpressionAttributeValues, { ':c': { S: COLLECTION }, ':after': { S: 'p0003' } });
    assert.equal(q?.Limit, 5);
    assert.equal(q?.ConsistentRead, true);
    assert.notEqual(q?.ScanIndexForward, false);
    assert.equal(q?.ExclusiveStartKey, undefined);
  });

  it('without after: the collection from its first id', async () => {
    const mock = mockDynamo(ids(3), 1000);
    const page = await new DynamoDbOperationalStore({ client: mock.client, tableName: 'rm' }).listPage('uploads/t1/rp1', { limit: 1000 });
    assert.deepEqual(page.records.map((r) => r.id), ['p0000', 'p0001', 'p0002']);
    assert.equal(page.next, undefined);
    assert.equal(mock.queries[0]?.KeyConditionExpression, '#c = :c');
    assert.deepEqual(mock.queries[0]?.ExpressionAttributeValues, { ':c': { S: COLLECTION } });
  });

  it('a response cut short (the 1 MB boundary) → the next Query continues from its LastEvaluatedKey until the page holds limit records', async () => {
    const mock = mockDynamo(ids(2500), 300);
    const store = new DynamoDbOperationalStore({ client: mock.client, tableName: 'rm' });
    const page = await store.listPage('uploads/t1/rp1', { limit: 1000 });
    assert.deepEqual(page.records.map((r) => r.id), ids(1000));
    assert.equal(page.next, 'p0999');
    assert.deepEqual(mock.queries.map((q) => q.Limit), [1001, 701, 401, 101], 'each Query asks only for what is still missing');
    assert.deepEqual(mock.queries.slice(1).map((q) => q.ExclusiveStartKey?.id?.S), ['p0299', 'p0599', 'p0899']);
    const last = await store.listPage('uploads/t1/rp1', { after: 'p1999', limit: 1000 });
    assert.deepEqual(last.records.map((r) => r.id), ids(2500).slice(2000));
    assert.equal(last.next, undefined, 'the end of the collection');
  });

  it('a cut exactly at the end of a full page still says whether more follow', async () => {
    const mock = mockDynamo(ids(4), 2);
    const page = await new DynamoDbOperationalStore({ client: mock.client, tableName: 'rm' }).listPage('uploads/t1/rp1', { limit: 4 });
    assert.deepEqual(page.records.map((r) => r.id), ids(4));
    assert.equal(page.next, undefined);
  });

  it('bad limits are RangeError before any request; DynamoDB errors are translated with their cause', async () => {
    const mock = mockDynamo(ids(1), 1000);
    const store = new DynamoDbOperationalStore({ client: mock.client, tableName: 'rm' });
    for (const limit of [0, 1001, 2.5]) await assert.rejects(store.listPage('uploads/t1/rp1', { limit }), RangeError);
    assert.equal(mock.queries.length, 0);
    const throttled = Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException', $metadata: { httpStatusCode: 400 } });
    const failing = mockDynamo(ids(1), 1000, throttled);
    const err = await new DynamoDbOperationalStore({ client: failing.client, tableName: 'rm' }).listPage('uploads/t1/rp1', { limit: 5 }).catch((e: unknown) => e);
    assert.ok(err instanceof UnavailableError && err instanceof PortError);
    assert.equal(err.cause, throttled);
  });
});
