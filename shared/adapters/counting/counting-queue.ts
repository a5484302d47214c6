/**
 * Queue that counts (request-counter.ts). The SQS requests of each call are those of SqsQueue
 * (adapters/aws/sqs-queue.ts); SQS bills every request, and every 64 KB of a message body as
 * one more:
 * - send: SendMessage, one request per 64 KB of body;
 * - receive, receiveDeadLetters: ReceiveMessage of at most 10, repeated while a full page comes
 *   back and more were asked for;
 * - delete, changeVisibility: one request each.
 */
import type { Queue } from '../../ports/queue.js';
import { countCall, type CallFacts, type Outcome, type RequestCounter } from './request-counter.js';

export const QUEUE = 'queue';
const SQS_PAGE = 10;
const SQS_PAYLOAD_UNIT = 64 * 1024;

/** ReceiveMessage requests SqsQueue makes to get `received` of at most `max` messages. */
export function receiveRequests(max: number, received: number): number {
  return Math.max(1, Math.min(Math.ceil(max / SQS_PAGE), Math.floor(received / SQS_PAGE) + 1));
}

export function countingQueue(inner: Queue, counter: RequestCounter): Queue {
  const count = <T>(method: string, call: () => Promise<T>, facts: (o: Outcome<T>) => CallFacts) => countCall(counter, QUEUE, method, call, facts);
  const received = (max: number) => (o: Outcome<readonly { body: string }[]>): CallFacts => {
    const n = o.ok ? o.value.length : 0;
    const bytes = o.ok ? o.value.reduce((b, m) => b + Buffer.byteLength(m.body), 0) : 0;
    return { bytesOut: bytes, items: n, units: { sqs: receiveRequests(max, n) } };
  };
  const queue: Queue = {
    send: (queueName, body, options) => count('send', () => inner.send(queueName, body, options), () => {
      const bytes = Buffer.byteLength(body);
      return { bytesIn: bytes, items: 1, units: { sqs: Math.max(1, Math.ceil(bytes / SQS_PAYLOAD_UNIT)) } };
    }),
    receive: (queueName, options) => count('receive', () => inner.receive(queueName, options), received(options?.maxMessages ?? 1)),
    delete: (queueName, receiptHandle) => count('delete', () => inner.delete(queueName, receiptHandle), () => ({ units: { sqs: 1 } })),
    changeVisibility: (queueName, receiptHandle, seconds) => count('changeVisibility', () => inner.changeVisibility(queueName, receiptHandle, seconds), () => ({ units: { sqs: 1 } })),
    receiveDeadLetters: (queueName, options) => count('receiveDeadLetters', () => inner.receiveDeadLetters(queueName, options), received(options?.maxMessages ?? 1)),
  };
  if (inner.close) queue.close = inner.close.bind(inner);
  return queue;
}
