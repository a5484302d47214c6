/**
 * Notifier on AWS: each notification goes out as one message on the operator topic
 * (infra/constructs/operator-topic.ts; its e-mail subscription makes it an SNS e-mail), and is
 * then recorded by the recording notifier it wraps (the operational store and the log), which
 * keeps recent() and the idempotence record.
 *
 * Guarantees (shared/ports/notifier.ts):
 * - Idempotent per `id`: a notification already recorded is not published again, and concurrent
 *   duplicates in this process wait for the first. The record is written after the publish, so
 *   a crash between the two (or a failed record) can publish twice on redelivery: at least once,
 *   never silently lost.
 * - A failed publish records nothing and throws a PortError (UnavailableError when a retry may
 *   pass) with the SDK error as `cause`, so a redelivered workflow message tries again.
 * - The message carries the notification's subject, body, kind, time and id only: no
 *   credentials, no certificates, nothing from the request beyond what the caller put in.
 */
import { PublishCommand, type PublishCommandInput } from '@aws-sdk/client-sns';
import type { Notification, Notifier } from '../../ports/notifier.js';
import type { OperationalStore } from '../../ports/operational-store.js';
import { NOTIFICATIONS_COLLECTION } from '../local/file-notifier.js';
import { translateAwsError } from './errors.js';

/** What the adapter needs of the SNS client (an SNSClient; a test may give a recorder). */
export interface SnsPublisher {
  send(command: PublishCommand): Promise<{ MessageId?: string | undefined }>;
}

/** SNS: a subject is at most 100 characters of printable ASCII, one line. */
const SUBJECT_MAX = 100;
/** SNS: a message is at most 256 KiB; notifications are far smaller, the cut is a guard. */
const MESSAGE_MAX_BYTES = 200 * 1024;

export class SnsNotifier implements Notifier {
  readonly #topicArn: string;
  readonly #sns: SnsPublisher;
  readonly #records: OperationalStore;
  readonly #recorder: Notifier;
  readonly #inFlight = new Map<string, Promise<void>>();

  /** `recorder` stores into `records` (the LocalNotifier over the operational store). */
  constructor(options: { topicArn: string; sns: SnsPublisher; records: OperationalStore; recorder: Notifier }) {
    this.#topicArn = options.topicArn;
    this.#sns = options.sns;
    this.#records = options.records;
    this.#recorder = options.recorder;
  }

  notify(n: Notification): Promise<void> {
    const pending = this.#inFlight.get(n.id);
    if (pending) return pending;
    const work = this.#publishOnce(n).finally(() => this.#inFlight.delete(n.id));
    this.#inFlight.set(n.id, work);
    return work;
  }

  recent(limit?: number): Promise<Notification[]> {
    return this.#recorder.recent(limit);
  }

  async #publishOnce(n: Notification): Promise<void> {
    if (await this.#records.get<Notification>(NOTIFICATIONS_COLLECTION, n.id)) return;
    try {
      await this.#sns.send(new PublishCommand(publishInput(this.#topicArn, n)));
    } catch (err) {
      throw translateAwsError(err, `sns Publish of notification ${oneLine(n.id)}`);
    }
    await this.#recorder.notify(n);
  }
}

/** The Publish request of a notification: an e-mail-readable text, the kind as a filterable attribute. */
export function publishInput(topicArn: string, n: Notification): PublishCommandInput {
  const text = `${n.body}\n\n--\nkind: ${n.kind}\nat: ${n.at}\nid: ${n.id}\n`;
  return {
    TopicArn: topicArn,
    Subject: subjectOf(n.subject),
    Message: truncateBytes(text, MESSAGE_MAX_BYTES),
    MessageAttributes: { kind: { DataType: 'String', StringValue: oneLine(n.kind) || 'notification' } },
  };
}

/** One line of printable ASCII, at most 100 characters, never empty (SNS refuses others). */
export function subjectOf(subject: string): string {
  const ascii = oneLine(subject).replace(/[^\x20-\x7e]/g, '?').replace(/\s+/g, ' ').trim();
  const s = ascii === '' ? 'drcore notification' : ascii;
  return s.length <= SUBJECT_MAX ? s : `${s.slice(0, SUBJECT_MAX - 3)}...`;
}

function truncateBytes(s: string, max: number): string {
  const buf = Buffer.from(s, 'utf8');
  return buf.length <= max ? s : `${buf.subarray(0, max).toString('utf8').replace(/\uFFFD$/, '')}\n[truncated]`;
}

function oneLine(s: string): string {
  return String(s).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
}
