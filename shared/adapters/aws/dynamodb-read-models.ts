/**
 * ReadModels on DynamoDB (dynamodb-documents.ts): the read-model table's collections that do
 * not start with OPERATIONAL_COLLECTION_PREFIX. Those belong to the operational store, which
 * shares the table: a projection cannot name them, and clear() leaves them.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvalidIdError } from '../../ids.js';
import type { ReadModels } from '../../ports/read-models.js';
import { ENV } from '../../runtime/env.js';
import { defaultDynamoDbClient, requiredEnv } from './clients.js';
import { DynamoDbDocuments } from './dynamodb-documents.js';
import { OPERATIONAL_COLLECTION_PREFIX } from './table-schemas.js';

export interface DynamoDbReadModelsOptions {
  /** Default: the container's shared client (endpoint from DRCORE_AWS_ENDPOINT, if set). */
  readonly client?: Pick<DynamoDBClient, 'send'>;
  /** Default: DRCORE_READ_MODELS_TABLE. */
  readonly tableName?: string;
}

export class DynamoDbReadModels implements ReadModels {
  private readonly docs: DynamoDbDocuments;

  constructor(options: DynamoDbReadModelsOptions = {}) {
    this.docs = new DynamoDbDocuments(options.client ?? defaultDynamoDbClient(), options.tableName ?? requiredEnv(ENV.readModelsTable), 'read models');
  }

  async get<T>(collection: string, id: string): Promise<T | undefined> {
    return this.docs.get<T>(projection(collection), id);
  }

  async put<T>(collection: string, id: string, doc: T): Promise<void> {
    const json = JSON.stringify(doc);
    if (json === undefined) throw new TypeError(`read model ${collection}/${id}: the document is not JSON`);
    await this.docs.put(projection(collection), id, json);
  }

  async delete(collection: string, id: string): Promise<void> {
    await this.docs.delete(projection(collection), id);
  }

  async list<T>(collection: string, options: { prefix?: string } = {}): Promise<T[]> {
    return this.docs.list<T>(projection(collection), options.prefix ?? '');
  }

  /** Deletes every projection document; the operational store's items stay. */
  async clear(): Promise<void> {
    await this.docs.deleteAllExcept(OPERATIONAL_COLLECTION_PREFIX);
  }
}

/** A projection's collection: any name but the operational store's. */
function projection(collection: string): string {
  if (typeof collection === 'string' && collection.startsWith(OPERATIONAL_COLLECTION_PREFIX)) throw new InvalidIdError('collection', collection);
  return collection;
}
