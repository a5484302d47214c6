/**
 * A workflow step that can never succeed, whose outcome is already recorded (an event, a
 * notification). The worker does not wait out retries for it: it fails the message with
 * visibility 0, so the queue dead-letters it after maxReceiveCount quick receives, where the
 * operator's dead-letter alarm and views see it.
 */
export class PermanentWorkflowError extends Error {
  override readonly name = 'PermanentWorkflowError';
}

/**
 * A workflow step that must not run yet (a GC run's settle): the worker makes its message
 * visible again after `seconds` (≤ 12 h, SQS's limit) instead of retrying it at once.
 */
export class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError';
  constructor(readonly seconds: number, message: string) {
    super(message);
  }
}

/** Which delivery of its message a workflow step runs in (SQS ApproximateReceiveCount). */
export interface Delivery {
  readonly receiveCount: number;
  readonly maxReceiveCount: number;
}
