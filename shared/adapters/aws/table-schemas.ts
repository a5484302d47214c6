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

/** The read-model collection that holds the projectors' readAll cursors. */
export const CHECKPOINT_COLLECTION = '_checkpoints';
