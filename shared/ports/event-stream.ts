/**
 * How committed events reach the projector: the event log's change stream and its event source
 * mapping (AWS: the DynamoDB stream → Lambda mapping, infra/constructs/event-log.ts; local: the
 * stream dispatcher, local/stream-dispatcher.ts). One set of numbers for both.
 *
 * Guarantees both give:
 * - Records of one stream arrive in version order, in batches of at most `batchSize`.
 * - A record the projector fails on is retried from itself (partial batch response, the batch
 *   bisected down to that record), at most `retryAttempts` times after the first attempt.
 * - Then it is dead-lettered (AWS: its coordinates go to the on-failure SQS queue; local: the
 *   `projection-dead-letters` read-model collection) and the stream moves past it: one poison
 *   event never blocks the events after it.
 */
export const EVENT_STREAM_DELIVERY = {
  batchSize: 100,
  retryAttempts: 10,
} as const;
