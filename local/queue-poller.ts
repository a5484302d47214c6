import type { SQSBatchResponse, SQSEvent, Context } from 'aws-lambda';
import type { Queue, QueueName } from '../shared/ports/queue.js';
import { logger } from '../shared/runtime/logger.js';
import { lambdaContext } from './lambda-context.js';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

/**
 * The local Lambda event source mapping for a queue: receives batches, calls the worker
 * with an SQS-shaped event and deletes every record not listed in batchItemFailures.
 * Failed records come back after the visibility timeout and are dead-lettered by the
 * queue after maxReceiveCount — as on AWS with ReportBatchItemFailures.
 */
export function startQueuePoller(queue: Queue, queueName: QueueName, handler: SqsHandler, options: { batchSize?: number; idleMs?: number } = {}): { stop(): Promise<void> } {
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const messages = await queue.receive(queueName, { maxMessages: options.batchSize ?? 10 });
        if (messages.length === 0) { await sleep(options.idleMs ?? 100); continue; }
        const event: SQSEvent = {
          Records: messages.map((m) => ({
            messageId: m.messageId, receiptHandle: m.receiptHandle, body: m.body,
            attributes: {
              ApproximateReceiveCount: String(m.receiveCount), SentTimestamp: String(Date.parse(m.sentAt)),
              SenderId: 'local', ApproximateFirstReceiveTimestamp: String(Date.now()),
            },
            messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs',
            eventSourceARN: `arn:aws:sqs:local:000000000000:${queueName}`, awsRegion: 'local',
          })),
        };
        let failed = new Set<string>(messages.map((m) => m.messageId));
        try {
          const result = await handler(event, lambdaContext(`${queueName}-worker`));
          failed = new Set((result?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        } catch (error) {
          logger.error('worker invocation failed; the whole batch will be retried', { error: error as Error });
        }
        for (const m of messages) if (!failed.has(m.messageId)) await queue.delete(queueName, m.receiptHandle);
      } catch (error) {
        logger.error('queue poller error', { error: error as Error });
        await sleep(500);
      }
    }
  })();
  return { stop: async () => { running = false; await loop; } };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
