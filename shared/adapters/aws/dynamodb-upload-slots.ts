/**
 * Upload slots on AWS (docs/replication-protocol.md "Concurrent uploads"): shared by every
 * Lambda instance of the replication API, as leases in the read-model table under the
 * operational collection `_ops/upload-slots/<tenantId>`, one item per slot, ids `slot-000` …
 * `slot-<limit-1>`, each `{ leaseId, expiresAt }`.
 * - acquire: one consistent Query of the tenant's slots, then a conditional PutItem on a free
 *   one (absent, or its lease expired): the condition makes two instances never take the same
 *   slot; a lost race tries the next free slot. No free slot: undefined (the caller refuses 429).
 * - release: a DeleteItem on the condition that the lease is still this one (a slot whose lease
 *   expired and was taken again is not freed by its old holder); idempotent.
 * - A crashed instance's slot is free again once its lease (leaseMs, past the function's
 *   timeout) expires: the count never drifts, and there is at most `limit` items per tenant.
 * Errors are PortErrors (UnavailableError when a retry may pass), the SDK error as `cause`.
 */
import { DeleteItemCommand, PutItemCommand, QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { UploadSlot, UploadSlots } from '../../ports/upload-slots.js';
import { ENV } from '../../runtime/env.js';
import { defaultDynamoDbClient, requiredEnv } from './clients.js';
import { assertKeyPart } from './dynamodb-documents.js';
import { awsErrorName, translateAwsError } from './errors.js';
import { OPERATIONAL_COLLECTION_PREFIX } from './table-schemas.js';

/** The operational collection of upload slots (its IAM prefix: `upload-slots/`). */
export const UPLOAD_SLOTS_COLLECTION = 'upload-slots/';
const MAX_LIMIT = 1000;

export interface DynamoDbUploadSlotsOptions {
  readonly client?: Pick<DynamoDBClient, 'send'>;
  /** Default: DRCORE_READ_MODELS_TABLE. */
  readonly tableName?: string;
  readonly clock?: () => number;
  readonly newLeaseId?: () => string;
}

export class DynamoDbUploadSlots implements UploadSlots {
  readonly #client: Pick<DynamoDBClient, 'send'>;
  readonly #table: string;
  readonly #clock: () => number;
  readonly #newLeaseId: () => string;

  constructor(options: DynamoDbUploadSlotsOptions = {}) {
    this.#client = options.client ?? defaultDynamoDbClient();
    this.#table = options.tableName ?? requiredEnv(ENV.readModelsTable);
    this.#clock = options.clock ?? Date.now;
    this.#newLeaseId = options.newLeaseId ?? (() => crypto.randomUUID());
  }

  async acquire(tenantId: string, limit: number, leaseMs: number): Promise<UploadSlot | undefined> {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new RangeError(`upload slot limit must be 1…${MAX_LIMIT}, got ${limit}`);
    const collection = `${OPERATIONAL_COLLECTION_PREFIX}ops/${UPLOAD_SLOTS_COLLECTION}${assertKeyPart('tenant id', tenantId)}`;
    const now = this.#clock();
    const held = await this.#held(collection, now);
    const free: string[] = [];
    for (let k = 0; k < limit; k++) if (!held.has(slotId(k))) free.push(slotId(k));
    // Start at a random free slot, so concurrent instances seldom race for the same one.
    const start = free.length > 0 ? Math.floor(Math.random() * free.length) : 0;
    for (let i = 0; i < free.length; i++) {
      const id = free[(start + i) % free.length]!;
      const leaseId = this.#newLeaseId();
      if (await this.#take(collection, id, leaseId, now, now + leaseMs)) return this.#slot(collection, id, leaseId);
    }
    return undefined;
  }

  /** Slot ids whose lease has not expired at `now`. */
  async #held(collection: string, now: number): Promise<Set<string>> {
    const held = new Set<string>();
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.#call('query', () => this.#client.send(new QueryCommand({
        TableName: this.#table, ConsistentRead: true,
        KeyConditionExpression: '#c = :c', ExpressionAttributeNames: { '#c': 'collection' }, ExpressionAttributeValues: { ':c': { S: collection } },
        ...(start !== undefined ? { ExclusiveStartKey: start } : {}),
      })));
      for (const item of page.Items ?? []) {
        const id = item['id']?.S;
        const expiresAt = Number(item['expiresAt']?.N);
        if (id !== undefined && Number.isFinite(expiresAt) && expiresAt > now) held.add(id);
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return held;
  }

  async #take(collection: string, id: string, leaseId: string, now: number, expiresAt: number): Promise<boolean> {
    try {
      await this.#client.send(new PutItemCommand({
        TableName: this.#table,
        Item: { collection: { S: collection }, id: { S: id }, leaseId: { S: leaseId }, expiresAt: { N: String(expiresAt) } },
        ConditionExpression: 'attribute_not_exists(#id) OR #e <= :now',
        ExpressionAttributeNames: { '#id': 'id', '#e': 'expiresAt' },
        ExpressionAttributeValues: { ':now': { N: String(now) } },
      }));
      return true;
    } catch (err) {
      if (awsErrorName(err) === 'ConditionalCheckFailedException') return false;
      throw translateAwsError(err, `upload slots: take ${collection}/${id}`);
    }
  }

  #slot(collection: string, id: string, leaseId: string): UploadSlot {
    let released: Promise<void> | undefined;
    return {
      release: () => (released ??= this.#release(collection, id, leaseId)),
    };
  }

  async #release(collection: string, id: string, leaseId: string): Promise<void> {
    try {
      await this.#client.send(new DeleteItemCommand({
        TableName: this.#table, Key: { collection: { S: collection }, id: { S: id } },
        ConditionExpression: '#l = :l', ExpressionAttributeNames: { '#l': 'leaseId' }, ExpressionAttributeValues: { ':l': { S: leaseId } },
      }));
    } catch (err) {
      if (awsErrorName(err) === 'ConditionalCheckFailedException') return; // expired and taken again: not ours to free
      throw translateAwsError(err, `upload slots: release ${collection}/${id}`);
    }
  }

  async #call<T>(op: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw translateAwsError(err, `upload slots: ${op}`);
    }
  }
}

const slotId = (k: number) => `slot-${String(k).padStart(3, '0')}`;
