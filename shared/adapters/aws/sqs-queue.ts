/**
 * Queue on SQS (DESIGN §2). Standard queues, each with a dead-letter queue: moving a
 * message to the DLQ after maxReceiveCount receives is the service's redrive policy,
 * set on the queue by the CDK app — this adapter only reads the DLQ.
 */
import {
  ChangeMessageVisibilityCommand, DeleteMessageCommand, GetQueueAttributesCommand, GetQueueUrlCommand,
  ReceiveMessageCommand, SendMessageCommand, type Message, type MessageSystemAttributeName,
  type QueueAttributeName, type SQSClient,
} from '@aws-sdk/client-sqs';
import { NotFoundError, PortError } from '../../ports/errors.js';
import type { Queue, QueueMessage } from '../../ports/queue.js';
import { ENV } from '../../runtime/env.js';
import { defaultSqsClient, requiredEnv } from './clients.js';
import { translateAwsError } from './errors.js';

/** Queue URLs per port queue name. Without deadLetterUrl, it is found from the queue's RedrivePolicy. */
export type SqsQueueUrls = Readonly<Record<string, { readonly url: string; readonly deadLetterUrl?: string }>>;

export type SqsSender = Pick<SQSClient, 'send'>;

export interface SqsQueueOptions {
  /** Default: the container's shared client (endpoint from DRCORE_AWS_ENDPOINT, if set). */
  readonly client?: SqsSender;
  readonly queueUrls: SqsQueueUrls;
}

/** SQS's limit per ReceiveMessage. */
const MAX_BATCH = 10;
// Asked both ways: AWS honours MessageSystemAttributeNames; local-aws-sqs answers only the
// legacy AttributeNames (STACK-NOTES), which the SDK's type no longer lists for messages.
const SYSTEM_ATTRIBUTES: MessageSystemAttributeName[] = ['ApproximateReceiveCount', 'SentTimestamp'];
const LEGACY_ATTRIBUTES = SYSTEM_ATTRIBUTES as string[] as QueueAttributeName[];

export class SqsQueue implements Queue {
  private readonly client: SqsSender;
  private readonly queueUrls: SqsQueueUrls;
  private readonly deadLetterUrls = new Map<string, Promise<string>>();

  constructor(options: SqsQueueOptions) {
    this.client = options.client ?? defaultSqsClient();
    this.queueUrls = options.queueUrls;
  }

  async send(queueName: string, body: string, options: { delaySeconds?: number } = {}): Promise<{ messageId: string }> {
    const out = await this.call(`SQS send to ${queueName}`, () => this.client.send(new SendMessageCommand({
      QueueUrl: this.url(queueName),
      MessageBody: body,
      ...(options.delaySeconds !== undefined ? { DelaySeconds: options.delaySeconds } : {}),
    })));
    if (out.MessageId === undefined) throw new PortError(`SQS send to ${queueName}: no MessageId in the answer`);
    return { messageId: out.MessageId };
  }

  async receive(queueName: string, options: { maxMessages?: number; waitSeconds?: number; visibilityTimeoutSeconds?: number } = {}): Promise<QueueMessage[]> {
    return this.receiveFrom(this.url(queueName), `SQS receive from ${queueName}`, options);
  }

  async delete(queueName: string, receiptHandle: string): Promise<void> {
    await this.call(`SQS delete from ${queueName}`, () => this.client.send(new DeleteMessageCommand({
      QueueUrl: this.url(queueName), ReceiptHandle: receiptHandle,
    })));
  }

  async changeVisibility(queueName: string, receiptHandle: string, visibilityTimeoutSeconds: number): Promise<void> {
    await this.call(`SQS change visibility in ${queueName}`, () => this.client.send(new ChangeMessageVisibilityCommand({
      QueueUrl: this.url(queueName), ReceiptHandle: receiptHandle, VisibilityTimeout: visibilityTimeoutSeconds,
    })));
  }

  /** A peek: received with visibility timeout 0, so the messages stay in the DLQ for alarms and redrive. */
  async receiveDeadLetters(queueName: string, options: { maxMessages?: number } = {}): Promise<QueueMessage[]> {
    const url = await this.deadLetterUrl(queueName);
    return this.receiveFrom(url, `SQS receive dead letters of ${queueName}`, { ...options, visibilityTimeoutSeconds: 0 });
  }

  private async receiveFrom(queueUrl: string, operation: string, options: { maxMessages?: number; waitSeconds?: number; visibilityTimeoutSeconds?: number }): Promise<QueueMessage[]> {
    const max = options.maxMessages ?? 1;
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`maxMessages must be a positive integer, got ${String(max)}`);
    const out: QueueMessage[] = [];
    const seen = new Set<string>();
    let wait = options.waitSeconds ?? 0;
    // Several requests when more than SQS's 10 per request are asked for; stop at the first
    // short one. With visibility 0 (the DLQ peek) a message can come back: keep it once.
    while (out.length < max) {
      const want = Math.min(MAX_BATCH, max - out.length);
      const page = await this.call(operation, () => this.client.send(new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: want,
        WaitTimeSeconds: wait,
        ...(options.visibilityTimeoutSeconds !== undefined ? { VisibilityTimeout: options.visibilityTimeoutSeconds } : {}),
        AttributeNames: LEGACY_ATTRIBUTES,
        MessageSystemAttributeNames: SYSTEM_ATTRIBUTES,
      })));
      const messages = (page.Messages ?? []).map((m) => toQueueMessage(m, operation));
      const fresh = messages.filter((m) => !seen.has(m.messageId) && seen.add(m.messageId) !== undefined);
      out.push(...fresh);
      if (messages.length < want || fresh.length < messages.length) break;
      wait = 0;
    }
    return out;
  }

  private url(queueName: string): string {
    const entry = Object.hasOwn(this.queueUrls, queueName) ? this.queueUrls[queueName] : undefined;
    if (entry === undefined) throw new NotFoundError(`unknown queue ${JSON.stringify(queueName)}`);
    return entry.url;
  }

  private deadLetterUrl(queueName: string): Promise<string> {
    const queueUrl = this.url(queueName);
    const known = this.queueUrls[queueName]?.deadLetterUrl;
    if (known !== undefined) return Promise.resolve(known);
    let found = this.deadLetterUrls.get(queueName);
    if (found === undefined) {
      found = this.findDeadLetterUrl(queueName, queueUrl);
      found.catch(() => this.deadLetterUrls.delete(queueName));
      this.deadLetterUrls.set(queueName, found);
    }
    return found;
  }

  /** RedrivePolicy.deadLetterTargetArn → queue name (last ARN part) → GetQueueUrl. */
  private async findDeadLetterUrl(queueName: string, queueUrl: string): Promise<string> {
    const operation = `SQS find the dead-letter queue of ${queueName}`;
    const attrs = await this.call(operation, () => this.client.send(new GetQueueAttributesCommand({
      QueueUrl: queueUrl, AttributeNames: ['RedrivePolicy'],
    })));
    const policy = attrs.Attributes?.RedrivePolicy;
    const arn = policy === undefined ? undefined : (JSON.parse(policy) as { deadLetterTargetArn?: unknown }).deadLetterTargetArn;
    if (typeof arn !== 'string') throw new PortError(`${operation}: the queue has no redrive policy`);
    const [, , , , account, name] = arn.split(':');
    if (account === undefined || name === undefined) throw new PortError(`${operation}: malformed dead-letter ARN ${arn}`);
    const out = await this.call(operation, () => this.client.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account })));
    if (out.QueueUrl === undefined) throw new PortError(`${operation}: GetQueueUrl returned no URL`);
    return out.QueueUrl;
  }

  private async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw translateAwsError(err, operation);
    }
  }
}

function toQueueMessage(m: Message, operation: string): QueueMessage {
  const count = Number(m.Attributes?.ApproximateReceiveCount);
  const sent = Number(m.Attributes?.SentTimestamp);
  if (m.MessageId === undefined || m.ReceiptHandle === undefined || m.Body === undefined || !Number.isSafeInteger(count) || !Number.isFinite(sent)) {
    throw new PortError(`${operation}: a message lacks its id, receipt handle, body or attributes`);
  }
  return { messageId: m.MessageId, receiptHandle: m.ReceiptHandle, body: m.Body, receiveCount: count, sentAt: new Date(sent).toISOString() };
}

/** The workflow queue from env (DRCORE_WORKFLOW_QUEUE_URL); its DLQ is found from the redrive policy. */
export function sqsQueueUrlsFromEnv(env: NodeJS.ProcessEnv = process.env): SqsQueueUrls {
  return { workflow: { url: requiredEnv(ENV.workflowQueueUrl, env) } };
}
