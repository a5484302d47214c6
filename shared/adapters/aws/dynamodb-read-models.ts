/**
 * ReadModels on DynamoDB. Table: pk collection (S), sk id (S), the document in `doc`
 * (a JSON string, so any plain JSON round-trips exactly, whatever DynamoDB's number and
 * empty-value rules). Projectors' cursors live in the collection `_checkpoints`.
 */
import {
  BatchWriteItemCommand, DeleteItemCommand, GetItemCommand, PutItemCommand, QueryCommand, ScanCommand,
  type AttributeValue, type DynamoDBClient, type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { InvalidIdError } from '../../ids.js';
import { PortError, UnavailableError } from '../../ports/errors.js';
import type { ReadModels } from '../../ports/read-models.js';
import { ENV } from '../../runtime/env.js';
import { defaultDynamoDbClient, requiredEnv } from './clients.js';
import { translateAwsError } from './errors.js';
import { CHECKPOINT_COLLECTION } from './table-schemas.js';

export interface DynamoDbReadModelsOptions {
  /** Default: the container's shared client (endpoint from DRCORE_AWS_ENDPOINT, if set). */
  readonly client?: Pick<DynamoDBClient, 'send'>;
  /** Default: DRCORE_READ_MODELS_TABLE. */
  readonly tableName?: string;
}

type Item = Record<string, AttributeValue>;
const BATCH = 25;
const MAX_KEY_BYTES = 1024;

function assertKeyPart(kind: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || Buffer.byteLength(value) > MAX_KEY_BYTES) throw new InvalidIdError(kind, value);
  return value;
}

export class DynamoDbReadModels implements ReadModels {
  private readonly client: Pick<DynamoDBClient, 'send'>;
  private readonly tableName: string;

  constructor(options: DynamoDbReadModelsOptions = {}) {
    this.client = options.client ?? defaultDynamoDbClient();
    this.tableName = options.tableName ?? requiredEnv(ENV.readModelsTable);
  }

  async get<T>(collection: string, id: string): Promise<T | undefined> {
    const out = await this.call('get', () => this.client.send(new GetItemCommand({
      TableName: this.tableName, Key: this.key(collection, id), ConsistentRead: true,
    })));
    return out.Item === undefined ? undefined : parseDoc<T>(out.Item);
  }

  async put<T>(collection: string, id: string, doc: T): Promise<void> {
    const json = JSON.stringify(doc);
    if (json === undefined) throw new TypeError(`read model ${collection}/${id}: the document is not JSON`);
    await this.call('put', () => this.client.send(new PutItemCommand({
      TableName: this.tableName, Item: { ...this.key(collection, id), doc: { S: json } },
    })));
  }

  async delete(collection: string, id: string): Promise<void> {
    await this.call('delete', () => this.client.send(new DeleteItemCommand({
      TableName: this.tableName, Key: this.key(collection, id),
    })));
  }

  async list<T>(collection: string, options: { prefix?: string } = {}): Promise<T[]> {
    assertKeyPart('collection', collection);
    const prefix = options.prefix ?? '';
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

  async getCheckpoint(name: string): Promise<string | undefined> {
    return this.get<string>(CHECKPOINT_COLLECTION, name);
  }

  async putCheckpoint(name: string, cursor: string): Promise<void> {
    await this.put(CHECKPOINT_COLLECTION, name, cursor);
  }

  /** Deletes every item: a Scan of the keys, then BatchWriteItem deletes of 25. */
  async clear(): Promise<void> {
    let start: Item | undefined;
    do {
      const page = await this.call('clear', () => this.client.send(new ScanCommand({
        TableName: this.tableName,
        ProjectionExpression: '#c, #id',
        ExpressionAttributeNames: { '#c': 'collection', '#id': 'id' },
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
      if (attempt > 8) throw new UnavailableError(`read models clear: ${pending.length} deletes stayed unprocessed`);
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
      throw translateAwsError(err, `DynamoDB read models ${operation}`);
    }
  }
}

function parseDoc<T>(item: Item): T {
  const json = item.doc?.S;
  if (json === undefined) throw new PortError('read model item without a doc attribute');
  return JSON.parse(json) as T;
}
