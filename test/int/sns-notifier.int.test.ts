/**
 * The AWS Notifier publishes to the operator topic (issue 13, item 5: "an SNS e-mail on AWS via
 * the existing topic"), against a real SNS protocol server: fauxqs (an SNS/SQS emulator, in
 * process on 127.0.0.1), with an SQS queue subscribed to the topic standing in for the e-mail
 * subscription, so each test reads what the topic delivered. The recording notifier underneath
 * is the LocalNotifier over a real SQLite operational store.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SNSClient } from '@aws-sdk/client-sns';
import { startFauxqs } from 'fauxqs';
import { makeSnsClient } from '../../shared/adapters/aws/clients.js';
import { SnsNotifier, subjectOf } from '../../shared/adapters/aws/sns-notifier.js';
import { LocalNotifier } from '../../shared/adapters/local/file-notifier.js';
import { SqliteOperationalStore } from '../../shared/adapters/local/sqlite-operational-store.js';
import { PortError } from '../../shared/ports/errors.js';
import type { Notification } from '../../shared/ports/notifier.js';

const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

interface Delivered { Subject?: string; Message: string; MessageAttributes?: Record<string, { Value: string }> }

describe('SnsNotifier: notifications go out on the operator topic', () => {
  let server: Awaited<ReturnType<typeof startFauxqs>>;
  let sns: SNSClient;
  let sqs: SQSClient;
  let dir: string;
  let topicArn: string;
  let queueUrl: string;
  let store: SqliteOperationalStore;
  let logged: string[];
  let notifier: SnsNotifier;

  before(async () => {
    server = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
    ({ topicArn } = server.createTopic('drcore-operator'));
    ({ queueUrl } = server.createQueue('operator-mail'));
    server.subscribe({ topic: 'drcore-operator', queue: 'operator-mail' });
    sns = makeSnsClient({ region: REGION, endpoints: { sns: server.address }, credentials: CREDENTIALS });
    sqs = new SQSClient({ region: REGION, endpoint: server.address, credentials: CREDENTIALS });
    dir = await mkdtemp(join(tmpdir(), 'drcore-sns-notifier-'));
    store = SqliteOperationalStore.open(join(dir, 'read-models.db'));
    logged = [];
    notifier = new SnsNotifier({ topicArn, sns, records: store, recorder: new LocalNotifier(store, (l) => logged.push(l)) });
  });

  after(async () => {
    sns.destroy();
    sqs.destroy();
    await store.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Everything the topic delivered since the last call. */
  async function delivered(): Promise<Delivered[]> {
    const out: Delivered[] = [];
    for (;;) {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      const messages = r.Messages ?? [];
      if (messages.length === 0) return out;
      for (const m of messages) {
        out.push(JSON.parse(m.Body!) as Delivered);
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
      }
    }
  }

  const rpo = (id: string): Notification => ({
    id, at: '2026-12-01T16:00:00.000Z', kind: 'rpo-exceeded',
    subject: 'Machine m-1 of tenant acme is past its RPO (exceeded)',
    body: 'Machine m-1 of tenant acme has no committed RP for 5 h (RPO target 4 h). See drcore admin lag.',
  });

  it('publishes the notification once, with its subject, body and kind, and records it', async () => {
    await notifier.notify(rpo('rpo-acme-m-1-1'));
    const [mail, ...more] = await delivered();
    assert.equal(more.length, 0);
    assert.equal(mail!.Subject, 'Machine m-1 of tenant acme is past its RPO (exceeded)');
    assert.match(mail!.Message, /^Machine m-1 of tenant acme has no committed RP for 5 h \(RPO target 4 h\)\. See drcore admin lag\./);
    assert.match(mail!.Message, /id: rpo-acme-m-1-1/);
    assert.equal(mail!.MessageAttributes?.['kind']?.Value, 'rpo-exceeded');
    assert.deepEqual((await notifier.recent()).map((n) => n.id), ['rpo-acme-m-1-1']);
    assert.equal(logged.length, 1);
  });

  it('is idempotent per id: a redelivered notification and concurrent duplicates publish nothing more', async () => {
    await notifier.notify(rpo('rpo-acme-m-1-1'));
    await Promise.all([notifier.notify(rpo('rpo-acme-m-1-2')), notifier.notify(rpo('rpo-acme-m-1-2')), notifier.notify(rpo('rpo-acme-m-1-2'))]);
    const mails = await delivered();
    assert.equal(mails.length, 1, 'only the new id went out');
    assert.match(mails[0]!.Message, /id: rpo-acme-m-1-2/);
    // A second process (a new Lambda container) sees the record and does not publish again.
    const other = new SnsNotifier({ topicArn, sns, records: store, recorder: new LocalNotifier(store, () => undefined) });
    await other.notify(rpo('rpo-acme-m-1-2'));
    assert.equal((await delivered()).length, 0);
  });

  it('a subject SNS would refuse (too long, non-ASCII, line breaks) goes out cut to one printable line', async () => {
    const long = `Tenant «acme»\npassed 90 % ${'x'.repeat(200)}`;
    await notifier.notify({ ...rpo('quota-acme-7'), kind: 'quota-warning', subject: long });
    const [mail] = await delivered();
    assert.equal(mail!.Subject, subjectOf(long));
    assert.equal(mail!.Subject!.length, 100);
    assert.match(mail!.Subject!, /^Tenant \?acme\? passed 90 % x+\.\.\.$/);
  });

  it('a failed publish throws a PortError keeping the SDK error as cause, and records nothing (a redelivery tries again)', async () => {
    const missing = topicArn.replace(/drcore-operator$/, 'no-such-topic');
    const broken = new SnsNotifier({ topicArn: missing, sns, records: store, recorder: new LocalNotifier(store, () => undefined) });
    const err = await broken.notify(rpo('rpo-acme-m-2-1')).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof PortError, String(err));
    assert.match(err.message, /^sns Publish of notification rpo-acme-m-2-1: /);
    assert.ok(err.cause instanceof Error && err.cause.name !== 'PortError', 'the SDK error is the cause');
    assert.equal(await store.get('notifications', 'rpo-acme-m-2-1'), undefined);
    // The same notification on the real topic goes out then.
    await notifier.notify(rpo('rpo-acme-m-2-1'));
    assert.equal((await delivered()).length, 1);
  });
});
