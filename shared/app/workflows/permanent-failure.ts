/**
 * A workflow step that can never succeed, whose outcome is already recorded (an event, a
 * notification). The worker does not wait out retries for it: it fails the message with
 * visibility 0, so the queue dead-letters it after maxReceiveCount quick receives, where the
 * operator's dead-letter alarm and views see it.
 */
export class PermanentWorkflowError extends Error {
  override readonly name = 'PermanentWorkflowError';
}

/** Which delivery of its message a workflow step runs in (SQS ApproximateReceiveCount). */
export interface Delivery {
  readonly receiveCount: number;
  readonly maxReceiveCount: number;
}
