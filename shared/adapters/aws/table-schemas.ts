/**
 * The key schemas of the DynamoDB tables the AWS adapters read and write. The CDK app
 * and the emulator harness both build their tables from these, so the adapters, the
 * deployed tables and the tests agree on one definition.
 */
export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N';
}

export interface TableKeySchema {
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
}

/** The event log: one item per event, `(streamId, version)`; stream view NEW_IMAGE. */
export const EVENT_TABLE_KEYS = {
  partitionKey: { name: 'streamId', type: 'S' },
  sortKey: { name: 'version', type: 'N' },
} as const satisfies TableKeySchema;

/** Projections: one item per document, `(collection, id)`, the document in `doc` (JSON). */
export const READ_MODEL_TABLE_KEYS = {
  partitionKey: { name: 'collection', type: 'S' },
  sortKey: { name: 'id', type: 'S' },
} as const satisfies TableKeySchema;

/**
 * The read-model table's collections that start with this belong to the operational store
 * (dynamodb-operational-store.ts), not to the projections: the read models refuse such a
 * collection name, and their clear() leaves those items.
 */
export const OPERATIONAL_COLLECTION_PREFIX = '_';

/** The operational store's collection that holds checkpoints (readAll cursors by name). */
export const CHECKPOINT_COLLECTION = `${OPERATIONAL_COLLECTION_PREFIX}checkpoints`;
