/**
 * OperationalStore on DynamoDB, in the read-model table under its own collections
 * (OPERATIONAL_COLLECTION_PREFIX, table-schemas.ts): records of collection C are items of
 * collection `_ops/C`, checkpoints items of `_checkpoints` (where the read models kept them
 * before). DynamoDbReadModels neither lists nor clears them. Same table, so the same grants:
 * the functions that write read models (projector, workflow worker) write these records.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { assertPageLimit, type OperationalPage, type OperationalStore } from '../../ports/operational-store.js';
import { ENV } from '../../runtime/env.js';
import { defaultDynamoDbClient, requiredEnv } from './clients.js';
import { assertKeyPart, DynamoDbDocuments } from './dynamodb-documents.js';
import { CHECKPOINT_COLLECTION, OPERATIONAL_COLLECTION_PREFIX } from './table-schemas.js';

export interface DynamoDbOperationalStoreOptions {
  /** Default: the container's shared client (endpoint from DRCORE_AWS_ENDPOINT, if set). */
  readonly client?: Pick<DynamoDBClient, 'send'>;
  /** Default: DRCORE_READ_MODELS_TABLE. */
  readonly tableName?: string;
}

const RECORDS = `${OPERATIONAL_COLLECTION_PREFIX}ops/`;

export class DynamoDbOperationalStore implements OperationalStore {
  private readonly docs: DynamoDbDocuments;

  constructor(options: DynamoDbOperationalStoreOptions = {}) {
    this.docs = new DynamoDbDocuments(options.client ?? defaultDynamoDbClient(), options.tableName ?? requiredEnv(ENV.readModelsTable), 'operational store');
  }

  async get<T>(collection: string, id: string): Promise<T | undefined> {
    return this.docs.get<T>(records(collection), id);
  }

  async put<T>(collection: string, id: string, record: T): Promise<void> {
    const json = JSON.stringify(record);
    if (json === undefined) throw new TypeError(`operational record ${collection}/${id}: not JSON`);
    await this.docs.put(records(collection), id, json);
  }

  async delete(collection: string, id: string): Promise<void> {
    await this.docs.delete(records(collection), id);
  }

  async list<T>(collection: string): Promise<T[]> {
    return this.docs.list<T>(records(collection));
  }

  async listPage<T>(collection: string, options: { after?: string; limit: number }): Promise<OperationalPage<T>> {
    const c = records(collection);
    const { docs, more } = await this.docs.page<T>(c, options.after, assertPageLimit(options.limit));
    const page = docs.map(({ id, doc }) => ({ id, record: doc }));
    return { records: page, next: more ? page.at(-1)?.id : undefined };
  }

  async getCheckpoint(name: string): Promise<string | undefined> {
    return this.docs.get<string>(CHECKPOINT_COLLECTION, name);
  }

  async putCheckpoint(name: string, cursor: string): Promise<void> {
    if (typeof cursor !== 'string') throw new TypeError('a checkpoint cursor must be a string');
    await this.docs.put(CHECKPOINT_COLLECTION, name, JSON.stringify(cursor));
  }
}

function records(collection: string): string {
  return `${RECORDS}${assertKeyPart('collection', collection)}`;
}
