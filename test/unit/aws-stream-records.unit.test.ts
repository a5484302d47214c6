/**
 * DynamoDB stream records of the event table → events (the adapter side of the projector).
 * The fixtures have the shape Lambda delivers for a table stream with view type NEW_IMAGE
 * (eventID, eventName, eventVersion 1.1, eventSource aws:dynamodb, dynamodb.Keys /
 * NewImage / SequenceNumber / SizeBytes / StreamViewType, eventSourceARN); their images
 * are the items DynamoDbEventStore itself writes (captured from its TransactWriteItems).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TransactWriteItemsCommand, QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AttributeValue as StreamAttributeValue, DynamoDBRecord } from 'aws-lambda';
import { verifyStream } from '../../shared/events/chain.js';
import { DynamoDbEventStore } from '../../shared/adapters/aws/dynamodb-event-store.js';
import { isLogEntryRecord, storedEventFromStreamRecord } from '../../shared/adapters/aws/dynamodb-stream-records.js';
import { PortError } from '../../shared/ports/errors.js';

/** The items the adapter writes for one append (MOCK client: it only records; see aws-dynamodb-transact.unit.test.ts). */
async function writtenItems(): Promise<{ items: Record<string, AttributeValue>[]; appended: Awaited<ReturnType<DynamoDbEventStore['append']>> }> {
  const items: Record<string, AttributeValue>[] = [];
  const client = {
    send: (async (command: unknown) => {
      if (command instanceof QueryCommand) return { Items: [] };
      if (command instanceof TransactWriteItemsCommand) {
        for (const t of command.input.TransactItems ?? []) if (t.Put?.Item) items.push(t.Put.Item);
        return {};
      }
      throw new Error('unexpected command');
    }) as unknown as DynamoDBClient['send'],
  };
  const appended = await new DynamoDbEventStore({ client, tableName: 'events' }).append('tenant:t1', 0, [
    { type: 'TenantCreated', data: { name: 'Grüße 🔐', quota: 1e12, tags: [] }, at: '2025-03-04T05:06:07.089Z', actor: 'admin:00ab' },
    { type: 'QuotaChanged', data: { quota: 2e12 }, at: '2025-03-04T05:06:08.000Z', actor: 'admin:00ab' },
  ]);
  return { items, appended };
}

/** The record as Lambda delivers it: JSON, so the image is the item's JSON form. */
function record(item: Record<string, AttributeValue>, seq: number, eventName: 'INSERT' | 'MODIFY' | 'REMOVE' = 'INSERT'): DynamoDBRecord {
  const image = JSON.parse(JSON.stringify(item)) as Record<string, StreamAttributeValue>;
  const keys = { streamId: image.streamId!, version: image.version! };
  return {
    eventID: `c81e728d9d4c2f636f067f89cc14862${seq}`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'eu-west-1',
    dynamodb: {
      ApproximateCreationDateTime: 1741064767,
      Keys: keys,
      ...(eventName === 'REMOVE' ? {} : { NewImage: image }),
      SequenceNumber: `4000000000000000000000${seq}`,
      SizeBytes: 312,
      StreamViewType: 'NEW_IMAGE',
    },
    eventSourceARN: 'arn:aws:dynamodb:eu-west-1:123456789012:table/drcore-events/stream/2025-03-01T00:00:00.000',
  };
}

describe('DynamoDB stream records of the event table (recorded-shape fixtures)', () => {
  it('INSERT records of event items give back exactly the appended events, chain intact', async () => {
    const { items, appended } = await writtenItems();
    const records = items.map((item, i) => record(item, i));
    const events = records.map(storedEventFromStreamRecord).filter((e) => e !== undefined);
    assert.deepEqual(events, appended);
    assert.equal(verifyStream(events), undefined);
  });

  it('the global log entry written in the same transaction is not an event: skipped', async () => {
    const { items } = await writtenItems();
    const log = record(items[0]!, 9);
    assert.equal(isLogEntryRecord(log), true);
    assert.equal(storedEventFromStreamRecord(log), undefined);
  });

  it('MODIFY and REMOVE records are not new events', async () => {
    const { items } = await writtenItems();
    assert.equal(storedEventFromStreamRecord(record(items[1]!, 1, 'MODIFY')), undefined);
    assert.equal(storedEventFromStreamRecord(record(items[1]!, 1, 'REMOVE')), undefined);
  });

  it('an INSERT without NewImage (stream view KEYS_ONLY) or with a foreign item → PortError', async () => {
    const { items } = await writtenItems();
    const keysOnly = record(items[1]!, 1);
    delete keysOnly.dynamodb!.NewImage;
    assert.throws(() => storedEventFromStreamRecord(keysOnly), PortError);
    assert.throws(() => storedEventFromStreamRecord(record({ streamId: { S: 'tenant:x' }, version: { N: '1' } }, 2)), PortError);
  });
});
