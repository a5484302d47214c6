/**
 * The atomic multi-event append of DynamoDbEventStore ('native' mode): the
 * TransactWriteItems request it builds and how it reads DynamoDB's answers.
 *
 * The DynamoDB client here is a MOCK (an object whose `send` records each command and
 * returns canned answers), because no real part available here can produce it: dynalite
 * has no TransactWriteItems (UnknownOperationException, see
 * test/contract/aws-adapters.int.test.ts) and there is no AWS account. What the mock
 * answers follows the DynamoDB API reference (TransactionCanceledException with
 * CancellationReasons in TransactItems order).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  QueryCommand, TransactionCanceledException, TransactWriteItemsCommand,
  type DynamoDBClient, type TransactWriteItemsCommandInput,
} from '@aws-sdk/client-dynamodb';
import { GENESIS_HASH, verifyStream } from '../../shared/events/chain.js';
import { DynamoDbEventStore } from '../../shared/adapters/aws/dynamodb-event-store.js';
import { itemToStoredEvent } from '../../shared/adapters/aws/dynamodb-event-item.js';
import { ConcurrencyError, PortError, UnavailableError } from '../../shared/ports/errors.js';

const TABLE = 'drcore-events';
const ev = (type: string) => ({ type, data: { type }, at: '2025-01-01T00:00:00.000Z', actor: 'system:test' });

type Answer = (command: unknown) => unknown;

/** MOCK client: records every command; Query answers "empty stream / empty log" unless told otherwise. */
function mockClient(transact: Answer[], logHead = 0) {
  const sent: unknown[] = [];
  const client = {
    send: (async (command: unknown) => {
      sent.push(command);
      if (command instanceof QueryCommand) {
        const isLog = command.input.ExpressionAttributeValues?.[':s']?.S === '$log';
        return { Items: isLog && logHead > 0 ? [{ streamId: { S: '$log' }, version: { N: String(logHead) }, stream: { S: 'tenant:other' }, from: { N: '1' }, count: { N: '1' } }] : [] };
      }
      if (command instanceof TransactWriteItemsCommand) {
        const answer = transact.shift();
        if (answer === undefined) throw new Error('unexpected TransactWriteItems');
        return answer(command);
      }
      throw new Error(`unexpected command ${(command as object).constructor.name}`);
    }) as unknown as DynamoDBClient['send'],
  };
  const transactions = () => sent.filter((c): c is TransactWriteItemsCommand => c instanceof TransactWriteItemsCommand).map((c) => c.input);
  return { client, sent, transactions };
}

const ok: Answer = () => ({});
const cancelled = (...codes: string[]): Answer => () => {
  throw new TransactionCanceledException({
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
    $metadata: { httpStatusCode: 400 },
    CancellationReasons: codes.map((Code) => (Code === 'None' ? { Code } : { Code, Message: 'The conditional request failed' })),
  });
};

function puts(input: TransactWriteItemsCommandInput) {
  return (input.TransactItems ?? []).map((t) => {
    assert.ok(t.Put, 'every action is a Put');
    assert.equal(t.Update, undefined);
    return t.Put;
  });
}

describe('DynamoDbEventStore native appends: the TransactWriteItems request (MOCK client: dynalite has no TransactWriteItems)', () => {
  it('three events → ONE TransactWriteItems: the log entry, then one conditional put per event, chained', async () => {
    const { client, transactions } = mockClient([ok], 41);
    const store = new DynamoDbEventStore({ client, tableName: TABLE });
    const stored = await store.append('rp:t1:r1', 0, [ev('A'), ev('B'), ev('C')]);
    const [input, ...more] = transactions();
    assert.ok(input);
    assert.equal(more.length, 0, 'exactly one write request');
    const [log, ...events] = puts(input);
    assert.equal(events.length, 3);
    assert.equal(log?.TableName, TABLE);
    assert.equal(log?.ConditionExpression, 'attribute_not_exists(streamId)');
    assert.deepEqual(log?.Item, { streamId: { S: '$log' }, version: { N: '42' }, stream: { S: 'rp:t1:r1' }, from: { N: '1' }, count: { N: '3' } });
    for (const [i, put] of events.entries()) {
      assert.equal(put?.TableName, TABLE);
      assert.equal(put?.ConditionExpression, 'attribute_not_exists(streamId)', 'never overwrites an event');
      assert.deepEqual(put?.Item?.streamId, { S: 'rp:t1:r1' });
      assert.deepEqual(put?.Item?.version, { N: String(i + 1) });
      assert.equal(put?.Item?.data?.S, JSON.stringify({ type: ['A', 'B', 'C'][i] }));
    }
    const written = events.map((p) => itemToStoredEvent(p?.Item ?? {}));
    assert.deepEqual(written, stored, 'what is written is what append returns');
    assert.equal(written[0]?.prevHash, GENESIS_HASH);
    assert.equal(verifyStream(written), undefined, 'the hash chain holds');
  });

  it('a single event goes through the same transaction (event + log entry, atomically)', async () => {
    const { client, transactions } = mockClient([ok]);
    await new DynamoDbEventStore({ client, tableName: TABLE }).append('tenant:t1', 0, [ev('A')]);
    assert.equal(puts(transactions()[0]!).length, 2);
  });

  it('the expected-version check reads the stream\'s last event with a consistent read first', async () => {
    const { client, sent } = mockClient([ok]);
    await new DynamoDbEventStore({ client, tableName: TABLE }).append('tenant:t1', 0, [ev('A')]);
    const first = sent[0];
    assert.ok(first instanceof QueryCommand);
    assert.equal(first.input.ConsistentRead, true);
    assert.equal(first.input.ScanIndexForward, false);
    assert.equal(first.input.Limit, 1);
  });

  it('an event condition failed (someone appended first) → ConcurrencyError with the SDK error as cause, no retry', async () => {
    const { client, transactions } = mockClient([cancelled('None', 'ConditionalCheckFailed', 'None')]);
    const err = await new DynamoDbEventStore({ client, tableName: TABLE }).append('tenant:t1', 0, [ev('A'), ev('B')]).catch((e: unknown) => e);
    assert.ok(err instanceof ConcurrencyError);
    assert.equal(err.streamId, 'tenant:t1');
    assert.equal(err.expectedVersion, 0);
    assert.ok(err.cause instanceof TransactionCanceledException);
    assert.equal(transactions().length, 1);
  });

  it('TransactionConflict on an event (a concurrent transaction on the same version) → ConcurrencyError', async () => {
    const { client } = mockClient([cancelled('None', 'TransactionConflict')]);
    await assert.rejects(new DynamoDbEventStore({ client, tableName: TABLE }).append('tenant:t1', 0, [ev('A')]), ConcurrencyError);
  });

  it('only the log seq was taken (an append to another stream) → retried with the next seq, not a conflict', async () => {
    const { client, transactions } = mockClient([cancelled('ConditionalCheckFailed', 'None'), ok]);
    await new DynamoDbEventStore({ client, tableName: TABLE }).append('tenant:t1', 0, [ev('A')]);
    assert.equal(transactions().length, 2);
  });

  it('throttling or a 5xx after the SDK\'s own retries → UnavailableError, cause kept', async () => {
    for (const error of [
      Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }),
      Object.assign(new Error('Internal'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } }),
    ]) {
      const { client } = mockClient([() => { throw error; }]);
      const err = await new DynamoDbEventStore({ client, tableName: TABLE }).append('tenant:t1', 0, [ev('A')]).catch((e: unknown) => e);
      assert.ok(err instanceof UnavailableError, error.name);
      assert.equal(err.cause, error);
    }
  });

  it('more events than one transaction can hold (99 + log entry) → PortError before any write', async () => {
    const { client, sent } = mockClient([]);
    await assert.rejects(
      new DynamoDbEventStore({ client, tableName: TABLE }).append('tenant:t1', 0, Array.from({ length: 100 }, (_, i) => ev(`E${i}`))),
      (err) => err instanceof PortError && /at most 99/.test(err.message),
    );
    assert.equal(sent.length, 0);
  });
});
