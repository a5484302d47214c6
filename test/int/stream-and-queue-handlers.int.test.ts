import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context, DynamoDBStreamEvent, SQSEvent } from 'aws-lambda';
import { storedEventToItem } from '../../shared/adapters/aws/dynamodb-event-item.js';
import { chainEvents } from '../../shared/events/chain.js';
import { PAIRING_REQUESTS, type PairingRequestSummary } from '../../shared/app/projections/pairing-requests.js';
import type { AppDeps } from '../../shared/app/deps.js';
import { setDeps } from '../../shared/runtime/deps.js';
import { localDeps } from '../../shared/runtime/local-deps.js';
import { handler as projector } from '../../functions/projector.js';
import { handler as worker } from '../../functions/workflow-worker.js';
import { lambdaContext } from '../../local/lambda-context.js';

/**
 * The projector and the workflow worker fed events shaped exactly as AWS sends them
 * (test/fixtures: a DynamoDB stream batch with NEW_IMAGE records, including the event
 * table's `$log` entry, and an SQS batch), over the local adapters.
 */
const fixture = async <T>(name: string, replace: Record<string, unknown>): Promise<T> => {
  let text = await readFile(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
  for (const [k, v] of Object.entries(replace)) text = text.replaceAll(typeof v === 'string' ? k : `"${k}"`, typeof v === 'string' ? v : JSON.stringify(v));
  return JSON.parse(text) as T;
};

describe('Lambda handlers on AWS-shaped events', () => {
  let dir: string;
  let deps: AppDeps;
  const ctx = (): Context => lambdaContext('test');
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'drcore-handlers-'));
    deps = localDeps(join(dir, 'data'));
    setDeps(deps);
  });
  after(async () => {
    await Promise.all([deps.events.close?.(), deps.queue.close?.(), deps.readModels.close?.()]);
    await rm(dir, { recursive: true, force: true });
  });

  const requested = (requestId: string) => ({
    type: 'PairingRequested',
    data: { requestId, coreName: 'ACME', coreId: 'acme', email: 'a@example.com', csrPem: 'csr', enrollmentSerial: 'ab12' },
    at: '2026-11-25T06:00:00.000Z', actor: 'enrollment:ab12',
  });
  const acknowledged = (requestId: string) => ({ type: 'PairingAcknowledged', data: { requestId, message: 'queued' }, at: '2026-11-25T06:00:01.000Z', actor: 'system:pairing-workflow' });

  it('projector: skips the $log entry, projects the events in order, and sends the workflow message (outbox)', async () => {
    const [e1, e2] = chainEvents('pairing-pr-stream1', undefined, [requested('pr-stream1'), acknowledged('pr-stream1')]);
    const event = await fixture<DynamoDBStreamEvent>('dynamodb-stream-event.json', {
      STREAM_ID: 'pairing-pr-stream1', EVENT_IMAGE_1: storedEventToItem(e1!), EVENT_IMAGE_2: storedEventToItem(e2!),
    });
    assert.deepEqual(await projector(event, ctx()), { batchItemFailures: [] });
    const doc = await deps.readModels.get<PairingRequestSummary>(PAIRING_REQUESTS, 'pr-stream1');
    assert.equal(doc?.status, 'pending');
    assert.equal(doc?.acknowledged, true);
    assert.equal(doc?.version, 2);
    const messages = await deps.queue.receive('workflow', { maxMessages: 10 });
    assert.deepEqual(messages.map((m) => JSON.parse(m.body)), [{ type: 'PairingRequested', requestId: 'pr-stream1' }]);
    for (const m of messages) await deps.queue.delete('workflow', m.receiptHandle);

    // Redelivery of the same batch (at-least-once) changes nothing in the read model.
    assert.deepEqual(await projector(event, ctx()), { batchItemFailures: [] });
    assert.deepEqual(await deps.readModels.get(PAIRING_REQUESTS, 'pr-stream1'), doc);
    for (const m of await deps.queue.receive('workflow', { maxMessages: 10 })) await deps.queue.delete('workflow', m.receiptHandle);
  });

  it('projector: a bad record fails from itself on (partial batch response) so the stream order is kept', async () => {
    const [e1, e2] = chainEvents('pairing-pr-stream2', undefined, [requested('pr-stream2'), acknowledged('pr-stream2')]);
    const { hash: _dropped, ...broken } = storedEventToItem(e1!);
    const event = await fixture<DynamoDBStreamEvent>('dynamodb-stream-event.json', {
      STREAM_ID: 'pairing-pr-stream2', EVENT_IMAGE_1: broken, EVENT_IMAGE_2: storedEventToItem(e2!),
    });
    const result = await projector(event, ctx());
    assert.deepEqual(result, { batchItemFailures: [{ itemIdentifier: event.Records[1]!.dynamodb!.SequenceNumber }] });
    assert.equal(await deps.readModels.get(PAIRING_REQUESTS, 'pr-stream2'), undefined, 'the record after the failure was not applied');
  });

  it('workflow worker: processes each record; a malformed one is reported in batchItemFailures, the rest succeed', async () => {
    await deps.events.append('pairing-pr-worker1', 0, [requested('pr-worker1')]);
    const event = await fixture<SQSEvent>('sqs-event.json', { REQUEST_ID: 'pr-worker1' });
    const result = await worker(event, ctx());
    assert.deepEqual(result, { batchItemFailures: [{ itemIdentifier: '2e1424d4-f796-459a-8184-9c92662be6da' }] });
    const stream = await deps.events.readStream('pairing-pr-worker1');
    assert.deepEqual(stream.map((e) => e.type), ['PairingRequested', 'PairingAcknowledged']);
    const notes = await deps.notifier.recent();
    assert.ok(notes.some((n) => n.id === 'pairing-requested-pr-worker1'));

    // Redelivered (at-least-once): no second acknowledgement, no second notification.
    await worker(event, ctx());
    assert.equal((await deps.events.readStream('pairing-pr-worker1')).length, 2);
    assert.equal((await deps.notifier.recent()).filter((n) => n.id === 'pairing-requested-pr-worker1').length, 1);
  });
});
