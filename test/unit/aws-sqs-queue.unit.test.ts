/**
 * SqsQueue: the SQS requests it sends.
 *
 * The SQS client is a MOCK (its `send` records commands) for two behaviours local-aws-sqs
 * does not have, so they cannot be shown against it:
 * - a delete with a stale receipt handle: AWS keeps the message (DeleteMessage docs:
 *   "the request succeeds, but the message will not be deleted"); local-aws-sqs deletes
 *   by message id. The adapter's part is to pass exactly the handle it was given.
 * - ChangeMessageVisibility: local-aws-sqs counts it as a receive; AWS does not.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, type SQSClient,
} from '@aws-sdk/client-sqs';
import { SqsQueue } from '../../shared/adapters/aws/sqs-queue.js';
import { NotFoundError, UnavailableError } from '../../shared/ports/errors.js';

const URLS = { workflow: { url: 'https://sqs.eu-west-1.amazonaws.com/123456789012/wf', deadLetterUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/wf-dlq' } };

function mockSqs(answer: (command: unknown) => unknown = () => ({})) {
  const sent: unknown[] = [];
  const client = { send: (async (command: unknown) => { sent.push(command); return answer(command); }) as unknown as SQSClient['send'] };
  return { client, sent };
}

describe('SqsQueue requests (MOCK SQS client, for what local-aws-sqs does differently from SQS)', () => {
  it('delete sends one DeleteMessage with exactly the given receipt handle (a stale one leaves the message in SQS, by SQS\'s documented semantics)', async () => {
    const { client, sent } = mockSqs();
    await new SqsQueue({ client, queueUrls: URLS }).delete('workflow', 'stale-handle');
    assert.equal(sent.length, 1);
    const [command] = sent;
    assert.ok(command instanceof DeleteMessageCommand);
    assert.deepEqual(command.input, { QueueUrl: URLS.workflow.url, ReceiptHandle: 'stale-handle' });
  });

  it('changeVisibility sends one ChangeMessageVisibility, and nothing that would count as a receive', async () => {
    const { client, sent } = mockSqs();
    await new SqsQueue({ client, queueUrls: URLS }).changeVisibility('workflow', 'h', 0);
    assert.equal(sent.length, 1);
    assert.ok(sent[0] instanceof ChangeMessageVisibilityCommand);
    assert.deepEqual(sent[0].input, { QueueUrl: URLS.workflow.url, ReceiptHandle: 'h', VisibilityTimeout: 0 });
  });

  it('receive asks for ApproximateReceiveCount and SentTimestamp both ways (legacy AttributeNames and MessageSystemAttributeNames)', async () => {
    const { client, sent } = mockSqs(() => ({
      Messages: [{ MessageId: 'm1', ReceiptHandle: 'r1', Body: 'b', Attributes: { ApproximateReceiveCount: '3', SentTimestamp: '1741064767000' } }],
    }));
    const [m] = await new SqsQueue({ client, queueUrls: URLS }).receive('workflow', { waitSeconds: 2, visibilityTimeoutSeconds: 30 });
    assert.deepEqual(m, { messageId: 'm1', receiptHandle: 'r1', body: 'b', receiveCount: 3, sentAt: '2025-03-04T05:06:07.000Z' });
    const command = sent[0];
    assert.ok(command instanceof ReceiveMessageCommand);
    assert.deepEqual(command.input.AttributeNames, ['ApproximateReceiveCount', 'SentTimestamp']);
    assert.deepEqual(command.input.MessageSystemAttributeNames, ['ApproximateReceiveCount', 'SentTimestamp']);
    assert.equal(command.input.WaitTimeSeconds, 2);
    assert.equal(command.input.VisibilityTimeout, 30);
    assert.equal(command.input.MaxNumberOfMessages, 1);
  });

  it('receiveDeadLetters peeks the DLQ with visibility 0 (the messages stay for alarms and redrive)', async () => {
    const { client, sent } = mockSqs(() => ({ Messages: [] }));
    await new SqsQueue({ client, queueUrls: URLS }).receiveDeadLetters('workflow', { maxMessages: 5 });
    const command = sent[0];
    assert.ok(command instanceof ReceiveMessageCommand);
    assert.equal(command.input.QueueUrl, URLS.workflow.deadLetterUrl);
    assert.equal(command.input.VisibilityTimeout, 0);
  });

  it('an unknown queue name → NotFoundError before any request; a throttled request → UnavailableError', async () => {
    const { client, sent } = mockSqs(() => { throw Object.assign(new Error('throttled'), { name: 'RequestThrottled', $metadata: { httpStatusCode: 403 } }); });
    const queue = new SqsQueue({ client, queueUrls: URLS });
    await assert.rejects(queue.send('constructor', 'x'), NotFoundError);
    assert.equal(sent.length, 0);
    await assert.rejects(queue.send('workflow', 'x'), UnavailableError);
  });
});
