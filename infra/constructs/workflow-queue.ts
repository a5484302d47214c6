import { Duration, Validations } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { QUEUES } from '../../shared/ports/queue.js';
import { ENV } from '../../shared/runtime/env.js';
import type { DrcoreFunction } from './drcore-function.js';

const WORKFLOW = QUEUES.workflow;

/**
 * The worker's timeout follows from the queue's visibility timeout: AWS asks for a
 * visibility of at least six times the function timeout, so a message is not delivered
 * again while a slow invocation (plus its retries and batching window) still holds it.
 */
export const WORKFLOW_WORKER_TIMEOUT = Duration.seconds(Math.floor(WORKFLOW.visibilityTimeoutSeconds / 6));

/** An encrypted, TLS-only SQS queue (or dead-letter queue) with drcore's fixed defaults. */
export function secureQueue(scope: Construct, id: string, props: { visibilityTimeout?: Duration; deadLetterQueue?: Queue } = {}): Queue {
  return new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    ...(props.visibilityTimeout !== undefined ? { visibilityTimeout: props.visibilityTimeout } : {}),
    ...(props.deadLetterQueue !== undefined
      ? { deadLetterQueue: { queue: props.deadLetterQueue, maxReceiveCount: WORKFLOW.maxReceiveCount } }
      : {}),
  });
}

/**
 * The workflow queue (DESIGN §2, the Queue port's `workflow`) and its dead-letter queue:
 * a message received `maxReceiveCount` (5) times without success moves to the DLQ, whose
 * depth is alarmed. Settings come from shared/ports/queue.ts, like the local queue's.
 */
export class WorkflowQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.deadLetterQueue = secureQueue(this, 'DeadLetters');
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This is the dead-letter queue of the workflow queue; a DLQ has no DLQ of its own. Its depth is alarmed.',
    });
    this.queue = secureQueue(this, 'Queue', {
      visibilityTimeout: Duration.seconds(WORKFLOW.visibilityTimeoutSeconds),
      deadLetterQueue: this.deadLetterQueue,
    });
  }

  /** Send workflow messages. Sets DRCORE_WORKFLOW_QUEUE_URL. */
  bindSender(f: DrcoreFunction): void {
    this.queue.grantSendMessages(f.role);
    f.addEnvironment(ENV.workflowQueueUrl, this.queue.queueUrl);
  }

  /**
   * Deliver the queue to `f` in batches with partial batch failures (only the failed
   * messages come back). Refuses a function whose timeout breaks the 6 × rule.
   * Sets DRCORE_WORKFLOW_QUEUE_URL (the handler may extend a message's visibility).
   */
  bindConsumer(f: DrcoreFunction): void {
    const timeout = f.fn.timeout?.toSeconds() ?? 3;
    if (WORKFLOW.visibilityTimeoutSeconds < 6 * timeout) {
      throw new Error(`${f.name}: timeout ${timeout}s needs a visibility of ≥ ${6 * timeout}s, the queue has ${WORKFLOW.visibilityTimeoutSeconds}s`);
    }
    f.fn.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        maxConcurrency: 20,
      }),
    );
    f.addEnvironment(ENV.workflowQueueUrl, this.queue.queueUrl);
  }
}
