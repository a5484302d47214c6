/**
 * Queue: the workflows' messages (DESIGN §2), SQS semantics.
 *
 * Guarantees every adapter gives (checked by queueContract):
 * - At-least-once delivery: a sent message is received until it is deleted.
 * - Visibility timeout: a received message is invisible to other receivers for
 *   `visibilityTimeoutSeconds`, then visible again unless deleted.
 * - Dead-letter: a message received `maxReceiveCount` times without being deleted goes to
 *   the queue's dead-letter queue instead of being delivered again.
 * - Durability: a sent message survives a crash of the process.
 * - Ordering is NOT guaranteed (standard SQS). Consumers must be idempotent.
 */
export interface QueueMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  /** How many times it has been received, this time included. */
  readonly receiveCount: number;
  readonly sentAt: string;
}

export interface QueueConfig {
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
}

export interface Queue {
  send(queueName: string, body: string, options?: { delaySeconds?: number }): Promise<{ messageId: string }>;
  receive(queueName: string, options?: { maxMessages?: number; waitSeconds?: number; visibilityTimeoutSeconds?: number }): Promise<QueueMessage[]>;
  delete(queueName: string, receiptHandle: string): Promise<void>;
  changeVisibility(queueName: string, receiptHandle: string, visibilityTimeoutSeconds: number): Promise<void>;
  /** Messages now in the queue's dead-letter queue (for alarms, tests and `admin` views). */
  receiveDeadLetters(queueName: string, options?: { maxMessages?: number }): Promise<QueueMessage[]>;
  close?(): Promise<void>;
}

/** The workflow queues and their settings (SQS: visibility ≥ 6 × worker timeout, maxReceiveCount ≥ 5). */
export const QUEUES = {
  workflow: { visibilityTimeoutSeconds: 180, maxReceiveCount: 5 },
} as const satisfies Record<string, QueueConfig>;
export type QueueName = keyof typeof QUEUES;
