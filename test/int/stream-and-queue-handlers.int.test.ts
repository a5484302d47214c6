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
import { localDeps } from '../../shared/runtime/local-deps.js';
import { makeHandler as makeProjector } from '../../functions/handlers/projector.js';
import { makeHandler as makeWorker } from '../../functions/handlers/workflow-worker.js';
import { lambdaContext } from '../../local/lambda-context.js';
import { getPairing } from '../../shared/app/pairing-service.js';
import type { CertificateAuthority } from '../../shared/ports/certificate-authority.js';
import { UnavailableError } from '../../shared/ports/errors.js';
import { QUEUES } from '../../shared/ports/queue.js';
import { createCa, newSerial } from '../../shared/pki/ca.js';
import { createCsr, signCsr } from '../../shared/pki/csr.js';
import { generateKeyPair } from '../../shared/pki/keys.js';
import { startStreamDispatcher } from '../../local/stream-dispatcher.js';
import { PROJECTION_DEAD_LETTERS, type ProjectionDeadLetter } from '../../shared/app/projections/projection-dead-letters.js';
import { EVENT_STREAM_DELIVERY } from '../../shared/ports/event-stream.js';

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
  let projector: ReturnType<typeof makeProjector>;
  let worker: ReturnType<typeof makeWorker>;
  const ctx = (): Context => lambdaContext('test');
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'drcore-handlers-'));
    deps = localDeps(join(dir, 'data'));
    projector = makeProjector(deps);
    worker = makeWorker(deps);
  });
  after(async () => {
    await Promise.all([deps.events.close?.(), deps.queue.close?.(), deps.readModels.close?.(), deps.operational.close?.()]);
    await rm(dir, { recursive: true, force: true });
  });

  const requested = (requestId: string) => ({
    type: 'PairingRequested',
    data: { requestId, coreName: 'ACME', coreId: 'acme', email: 'a@example.com', csrPem: 'csr', enrollmentSerial: 'ab12' },
    at: '2026-11-25T06:00:00.000Z', actor: 'enrollment:ab12',
  });
  const acknowledged = (requestId: string) => ({ type: 'PairingAcknowledged', data: { requestId, message: 'queued' }, at: '2026-11-25T06:00:01.000Z', actor: 'system:pairing-workflow' });

  it('projector: skips the $log entry, projects the events in order, and sends the workflow message (outbox)', async () => {
    const [e1, e2] = chainEvents('pairing:pr-stream1', undefined, [requested('pr-stream1'), acknowledged('pr-stream1')]);
    const event = await fixture<DynamoDBStreamEvent>('dynamodb-stream-event.json', {
      STREAM_ID: 'pairing:pr-stream1', EVENT_IMAGE_1: storedEventToItem(e1!), EVENT_IMAGE_2: storedEventToItem(e2!),
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
    const [e1, e2] = chainEvents('pairing:pr-stream2', undefined, [requested('pr-stream2'), acknowledged('pr-stream2')]);
    const { hash: _dropped, ...broken } = storedEventToItem(e1!);
    const event = await fixture<DynamoDBStreamEvent>('dynamodb-stream-event.json', {
      STREAM_ID: 'pairing:pr-stream2', EVENT_IMAGE_1: broken, EVENT_IMAGE_2: storedEventToItem(e2!),
    });
    const result = await projector(event, ctx());
    assert.deepEqual(result, { batchItemFailures: [{ itemIdentifier: event.Records[1]!.dynamodb!.SequenceNumber }] });
    assert.equal(await deps.readModels.get(PAIRING_REQUESTS, 'pr-stream2'), undefined, 'the record after the failure was not applied');
  });

  it('workflow worker: processes each record; a malformed one is reported in batchItemFailures, the rest succeed', async () => {
    await deps.events.append('pairing:pr-worker1', 0, [requested('pr-worker1')]);
    const event = await fixture<SQSEvent>('sqs-event.json', { REQUEST_ID: 'pr-worker1' });
    const result = await worker(event, ctx());
    assert.deepEqual(result, { batchItemFailures: [{ itemIdentifier: '2e1424d4-f796-459a-8184-9c92662be6da' }] });
    const stream = await deps.events.readStream('pairing:pr-worker1');
    assert.deepEqual(stream.map((e) => e.type), ['PairingRequested', 'PairingAcknowledged']);
    const notes = await deps.notifier.recent();
    assert.ok(notes.some((n) => n.id === 'pairing-requested-pr-worker1'));

    // Redelivered (at-least-once): no second acknowledgement, no second notification.
    await worker(event, ctx());
    assert.equal((await deps.events.readStream('pairing:pr-worker1')).length, 2);
    assert.equal((await deps.notifier.recent()).filter((n) => n.id === 'pairing-requested-pr-worker1').length, 1);
  });

  it('workflow worker: a transient CA fault is retried; on the last receive it becomes feedback and an alert, then a later delivery issues the certificate', async () => {
    // No real part of the local core fails transiently on demand (the file CA is in-process), so
    // the CA here is a stub that throws the port's UnavailableError (what the Secrets Manager CA
    // throws when the service is unavailable), then a real CA once "the fault is fixed".
    const requestId = 'pr-worker2';
    await deps.events.append(`pairing:${requestId}`, 0, [
      { ...requested(requestId), data: { ...requested(requestId).data, csrPem: createCsr(generateKeyPair(), 'ACME') } },
      { type: 'PairingApproved', data: { requestId, tenantId: 't-worker2', quotaBytes: 2 ** 30, adminSerial: 'ad01' }, at: '2026-11-25T06:01:00.000Z', actor: 'admin:ad01' },
    ]);
    const realCa = createCa({ now: new Date(), serial: newSerial() });
    let faulty = true;
    const ca: CertificateAuthority = {
      caCertificatePem: async () => realCa.certificatePem,
      signCsr: async (csrPem, role, options) => {
        if (faulty) throw new UnavailableError('Secrets Manager read of the CA secret: service unavailable');
        return signCsr(realCa, csrPem, { ...options, role });
      },
      signDocument: async () => { throw new Error('not used by the pairing workflow'); },
      unwrapSeedKey: async () => { throw new Error('not used by the pairing workflow'); },
    };
    const { events, blobs, queue, readModels, operational, notifier, clock, newId } = deps;
    const overStubCa = makeWorker({ events, blobs, queue, readModels, operational, notifier, clock, newId, ca });
    const approvedMessage = async (receiveCount: number): Promise<SQSEvent> => {
      const event = await fixture<SQSEvent>('sqs-event.json', { REQUEST_ID: requestId });
      const record = event.Records[0]!;
      record.body = JSON.stringify({ type: 'PairingApproved', requestId });
      record.attributes.ApproximateReceiveCount = String(receiveCount);
      return { Records: [record] };
    };
    const failures = async () => (await deps.events.readStream(`pairing:${requestId}`)).filter((e) => e.type === 'PairingCertificateFailed');

    const first = await approvedMessage(1);
    assert.deepEqual(await overStubCa(first, ctx()), { batchItemFailures: [{ itemIdentifier: first.Records[0]!.messageId }] });
    assert.equal((await failures()).length, 0, 'a transient fault before the last receive is only retried');
    assert.deepEqual(await deps.events.readStream('tenant:t-worker2'), [], 'no tenant without a certificate');

    const last = await approvedMessage(QUEUES.workflow.maxReceiveCount);
    assert.deepEqual(await overStubCa(last, ctx()), { batchItemFailures: [{ itemIdentifier: last.Records[0]!.messageId }] }, 'still failed: it goes to the dead-letter queue');
    assert.deepEqual((await failures()).map((e) => (e.data as { retryable: boolean }).retryable), [true]);
    const delayed = await getPairing(deps, requestId);
    assert.equal(delayed.status, 'approved');
    assert.match(delayed.feedback.at(-1)!.message, /could not be issued yet.*keep polling/);
    assert.doesNotMatch(JSON.stringify(delayed), /Secrets Manager|UnavailableError/, 'the internal fault is not shown to the source');
    const note = (await deps.notifier.recent()).find((n) => n.id === `pairing-certificate-delayed-${requestId}`);
    assert.ok(note, 'the operator is alerted');
    assert.match(note.body, /dead-letter queue/);

    // The same last receive again (a duplicate delivery): recorded once.
    await overStubCa(last, ctx());
    assert.equal((await failures()).length, 1);

    // Fixed, and the dead-lettered job redriven: the certificate is issued, the failure cleared.
    faulty = false;
    assert.deepEqual(await overStubCa(await approvedMessage(1), ctx()), { batchItemFailures: [] });
    const issued = await getPairing(deps, requestId);
    assert.equal(issued.status, 'approved');
    assert.match(issued.certificate ?? '', /BEGIN CERTIFICATE/);
    assert.match(issued.feedback.at(-1)!.message, /^Certificate .* issued/);
    assert.equal((await deps.events.readStream('tenant:t-worker2')).length, 1);
  });

  it('stream dispatcher: a projection that throws on one event is retried a bounded number of times, dead-lettered with its error, and later events keep flowing', async () => {
    // A real projection that throws: the certificate projection meets an event type it does not know.
    const at = '2026-11-25T07:00:00.000Z';
    await deps.events.append('pairing:pr-before', 0, [requested('pr-before')]);
    await deps.events.append('cert:poison01', 0, [{ type: 'CertificateMangled', data: { serial: 'poison01' }, at, actor: 'test' }]);
    await deps.events.append('pairing:pr-after', 0, [requested('pr-after')]);
    const dispatcher = startStreamDispatcher(deps.events, deps.operational, projector, { idleMs: 10, retryDelayMs: { base: 1, max: 4 } });
    try {
      const end = Date.now() + 20_000;
      let after: PairingRequestSummary | undefined;
      while (!(after = await deps.readModels.get<PairingRequestSummary>(PAIRING_REQUESTS, 'pr-after')) && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(after, 'the event after the failing one was projected (before the fix the projector retried it forever)');
      assert.ok(await deps.readModels.get(PAIRING_REQUESTS, 'pr-before'));
      const letters = await deps.operational.list<ProjectionDeadLetter>(PROJECTION_DEAD_LETTERS);
      assert.equal(letters.length, 1);
      const letter = letters[0]!;
      assert.equal(letter.streamId, 'cert:poison01');
      assert.equal(letter.version, 1);
      assert.equal(letter.type, 'CertificateMangled');
      assert.equal(letter.attempts, 1 + EVENT_STREAM_DELIVERY.retryAttempts, 'as many attempts as the AWS event source mapping makes');
      assert.match(letter.error, /unknown certificate event/);
      // Still flowing: an event appended now is projected too.
      await deps.events.append('pairing:pr-later', 0, [requested('pr-later')]);
      await dispatcher.drain();
      await dispatcher.drain();
      assert.ok(await deps.readModels.get(PAIRING_REQUESTS, 'pr-later'));
      assert.equal((await deps.operational.list(PROJECTION_DEAD_LETTERS)).length, 1, 'dead-lettered once');
    } finally {
      await dispatcher.stop();
      for (let m = await deps.queue.receive('workflow', { maxMessages: 10 }); m.length > 0; m = await deps.queue.receive('workflow', { maxMessages: 10 })) {
        for (const x of m) await deps.queue.delete('workflow', x.receiptHandle);
      }
    }
  });
});
