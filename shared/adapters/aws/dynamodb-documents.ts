/**
 * JSON documents in a DynamoDB table keyed (collection S, id S), the document in `doc` (a
 * JSON string, so any plain JSON round-trips exactly, whatever DynamoDB's number and
 * empty-value rules). The read models and the operational store both keep theirs so, in the
 * read-model table (table-schemas.ts says who owns which collections).
 */
import {
  BatchWriteItemCommand, DeleteItemCommand, GetItemCommand, PutItemCommand, QueryCommand, ScanCommand,
  type AttributeValue, type DynamoDBClient, type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { InvalidIdError } from '../../ids.js';
import { PortError, UnavailableError } from '../../ports/errors.js';
import { translateAwsError } from './errors.js';

type Item = Record<string, AttributeValue>;
const BATCH = 25;
const MAX_KEY_BYTES = 1024;

export function assertKeyPart(kind: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || Buffer.byteLength(value) > MAX_KEY_BYTES) throw new InvalidIdError(kind, value);
  return value;
}

export class DynamoDbDocuments {
  constructor(
    private readonly client: Pick<DynamoDBClient, 'send'>,
    private readonly tableName: string,
    /** Names the store in errors: 'read models', 'operational store'. */
    private readonly what: string,
  ) {}

  async get<T>(collection: string, id: string): Promise<T | undefined> {
    const Key = this.key(collection, id); // bad input is InvalidIdError, not an AWS error
    const out = await this.call('get', () => this.client.send(new GetItemCommand({ TableName: this.tableName, Key, ConsistentRead: true })));
    return out.Item === undefined ? undefined : parseDoc<T>(out.Item);
  }

  async put(collection: string, id: string, json: string): Promise<void> {
    const Item = { ...this.key(collection, id), doc: { S: json } };
    await this.call('put', () => this.client.send(new PutItemCommand({ TableName: this.tableName, Item })));
  }

  async delete(collection: string, id: string): Promise<void> {
    const Key = this.key(collection, id);
    await this.call('delete', () => this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key })));
  }

  async list<T>(collection: string, prefix = ''): Promise<T[]> {
    assertKeyPart('collection', collection);
    const docs: T[] = [];
    let start: Item | undefined;
    do {
      const page = await this.call('list', () => this.client.send(new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: prefix === '' ? '#c = :c' : '#c = :c AND begins_with(#id, :p)',
        ExpressionAttributeNames: prefix === '' ? { '#c': 'collection' } : { '#c': 'collection', '#id': 'id' },
        ExpressionAttributeValues: prefix === '' ? { ':c': { S: collection } } : { ':c': { S: collection }, ':p': { S: prefix } },
        ConsistentRead: true,
        ...(start !== undefined ? { ExclusiveStartKey: start } : {}),
      })));
      // The sort key orders by id (UTF-8 bytes).
      for (const item of page.Items ?? []) docs.push(parseDoc<T>(item));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return docs;
  }

  /**
   * At most `limit` documents of the collection with id > `after` (from the first without it),
   * by id, and whether another one followed. One Query with Limit limit + 1 (the one more
   * tells); a response DynamoDB cut short at 1 MB is continued from its LastEvaluatedKey,
   * asking only for what is still missing, until the page is full or the collection ends.
   */
  async page<T>(collection: string, after: string | undefined, limit: number): Promise<{ docs: { id: string; doc: T }[]; more: boolean }> {
    assertKeyPart('collection', collection);
    if (after !== undefined) assertKeyPart('id', after);
    const want = limit + 1;
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const out = await this.call('list page', () => this.client.send(new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: after === undefined ? '#c = :c' : '#c = :c AND #id > :after',
        ExpressionAttributeNames: after === undefined ? { '#c': 'collection' } : { '#c': 'collection', '#id': 'id' },
        ExpressionAttributeValues: after === undefined ? { ':c': { S: collection } } : { ':c': { S: collection }, ':after': { S: after } },
        ConsistentRead: true,
        Limit: want - items.length,
        ...(start !== undefined ? { ExclusiveStartKey: start } : {}),
      })));
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start !== undefined && items.length < want);
    const docs = items.slice(0, limit).map((item) => {
      const id = item.id?.S;
      if (id === undefined) throw new PortError('document item without an id attribute');
      return { id, doc: parseDoc<T>(item) };
    });
    return { docs, more: items.length > limit };
  }

  /** Deletes every item whose collection does not start with `keepPrefix`: a Scan of the keys, then BatchWriteItem deletes of 25. */
  async deleteAllExcept(keepPrefix: string): Promise<void> {
    let start: Item | undefined;
    do {
      const page = await this.call('clear', () => this.client.send(new ScanCommand({
        TableName: this.tableName,
        ProjectionExpression: '#c, #id',
        FilterExpression: 'NOT begins_with(#c, :keep)',
        ExpressionAttributeNames: { '#c': 'collection', '#id': 'id' },
        ExpressionAttributeValues: { ':keep': { S: keepPrefix } },
        ConsistentRead: true,
        ...(start !== undefined ? { ExclusiveStartKey: start } : {}),
      })));
      const keys = page.Items ?? [];
      for (let i = 0; i < keys.length; i += BATCH) {
        await this.deleteBatch(keys.slice(i, i + BATCH).map((Key) => ({ DeleteRequest: { Key } })));
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
  }

  private async deleteBatch(requests: WriteRequest[]): Promise<void> {
    let pending = requests;
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt > 8) throw new UnavailableError(`${this.what} clear: ${pending.length} deletes stayed unprocessed`);
      if (attempt > 0) await new Promise((r) => setTimeout(r, 25 * 2 ** attempt));
      const out = await this.call('clear', () => this.client.send(new BatchWriteItemCommand({
        RequestItems: { [this.tableName]: pending },
      })));
      pending = out.UnprocessedItems?.[this.tableName] ?? [];
    }
  }

  private key(collection: string, id: string): Item {
    return { collection: { S: assertKeyPart('collection', collection) }, id: { S: assertKeyPart('id', id) } };
  }

  private async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw translateAwsError(err, `DynamoDB ${this.what} ${operation}`);
    }
  }
}

function parseDoc<T>(item: Item): T {
  const json = item.doc?.S;
  if (json === undefined) throw new PortError('document item without a doc attribute');
  return JSON.parse(json) as T;
}
