/**
 * Queue on SQLite (DESIGN §2), SQS semantics: visibility timeout, receive count,
 * dead-letter after maxReceiveCount, all in one table of the same database.
 *
 * A message is `dead = 1` once in its queue's dead-letter queue. Every receive gives
 * a fresh receipt handle, so a stale handle (from an earlier receive) deletes nothing.
 * receiveDeadLetters() peeks: it does not hide the dead letters it returns.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { NotFoundError } from '../../ports/errors.js';
import type { Queue, QueueConfig, QueueMessage } from '../../ports/queue.js';
import { int, openSqlite, optionalText, text, transaction, type Row } from './sqlite.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS messages (
  id            TEXT    PRIMARY KEY,
  queue         TEXT    NOT NULL,
  dead          INTEGER NOT NULL DEFAULT 0,
  body          TEXT    NOT NULL,
  sent_at       TEXT    NOT NULL,
  visible_at    INTEGER NOT NULL,
  receive_count INTEGER NOT NULL DEFAULT 0,
  receipt       TEXT
);
CREATE INDEX IF NOT EXISTS messages_ready ON messages (queue, dead, visible_at);
CREATE UNIQUE INDEX IF NOT EXISTS messages_receipt ON messages (receipt);`;

const MAX_BODY_BYTES = 256 * 1024; // SQS
const MAX_MESSAGES = 10; // SQS
const MAX_WAIT_SECONDS = 20; // SQS
const MAX_VISIBILITY_SECONDS = 12 * 60 * 60; // SQS
const MAX_DELAY_SECONDS = 15 * 60; // SQS
const POLL_MS = 50;

export class SqliteQueue implements Queue {
  readonly #db: DatabaseSync;
  readonly #queues: Readonly<Record<string, QueueConfig>>;
  readonly #insert: StatementSync;
  readonly #ready: StatementSync;
  readonly #toDead: StatementSync;
  readonly #receive: StatementSync;
  readonly #delete: StatementSync;
  readonly #changeVisibility: StatementSync;
  readonly #dead: StatementSync;
  #closed = false;

  private constructor(db: DatabaseSync, queues: Record<string, QueueConfig>) {
    this.#db = db;
    this.#queues = { ...queues };
    db.exec(SCHEMA);
    this.#insert = db.prepare('INSERT INTO messages (id, queue, body, sent_at, visible_at) VALUES (?, ?, ?, ?, ?)');
    this.#ready = db.prepare('SELECT * FROM messages WHERE queue = ? AND dead = 0 AND visible_at <= ? ORDER BY visible_at, rowid LIMIT ?');
    this.#toDead = db.prepare('UPDATE messages SET dead = 1, receipt = NULL, visible_at = ? WHERE id = ?');
    this.#receive = db.prepare('UPDATE messages SET receive_count = receive_count + 1, receipt = ?, visible_at = ? WHERE id = ?');
    this.#delete = db.prepare('DELETE FROM messages WHERE queue = ? AND dead = 0 AND receipt = ?');
    this.#changeVisibility = db.prepare('UPDATE messages SET visible_at = ? WHERE queue = ? AND dead = 0 AND receipt = ?');
    this.#dead = db.prepare('SELECT * FROM messages WHERE queue = ? AND dead = 1 ORDER BY visible_at, rowid LIMIT ?');
  }

  static open(file: string, queues: Record<string, QueueConfig>): SqliteQueue {
    for (const [name, config] of Object.entries(queues)) {
      if (!Number.isSafeInteger(config.maxReceiveCount) || config.maxReceiveCount < 1) throw new RangeError(`queue ${name}: maxReceiveCount must be ≥ 1`);
      checkSeconds('visibilityTimeoutSeconds', config.visibilityTimeoutSeconds, MAX_VISIBILITY_SECONDS);
    }
    return new SqliteQueue(openSqlite(file), queues);
  }

  async send(queueName: string, body: string, options?: { delaySeconds?: number }): Promise<{ messageId: string }> {
    this.#config(queueName);
    if (typeof body !== 'string') throw new TypeError('message body must be a string');
    if (Buffer.byteLength(body) > MAX_BODY_BYTES) throw new RangeError(`message body exceeds ${MAX_BODY_BYTES} bytes`);
    const delay = checkSeconds('delaySeconds', options?.delaySeconds ?? 0, MAX_DELAY_SECONDS);
    const messageId = randomUUID();
    const now = Date.now();
    this.#insert.run(messageId, queueName, body, new Date(now).toISOString(), now + delay * 1000);
    return { messageId };
  }

  async receive(queueName: string, options?: { maxMessages?: number; waitSeconds?: number; visibilityTimeoutSeconds?: number }): Promise<QueueMessage[]> {
    const config = this.#config(queueName);
    const max = options?.maxMessages ?? 1;
    if (!Number.isSafeInteger(max) || max < 1 || max > MAX_MESSAGES) throw new RangeError(`maxMessages must be 1..${MAX_MESSAGES}`);
    const wait = checkSeconds('waitSeconds', options?.waitSeconds ?? 0, MAX_WAIT_SECONDS);
    const visibility = checkSeconds('visibilityTimeoutSeconds', options?.visibilityTimeoutSeconds ?? config.visibilityTimeoutSeconds, MAX_VISIBILITY_SECONDS);
    const deadline = Date.now() + wait * 1000;
    for (;;) {
      const messages = this.#receiveNow(queueName, config, max, visibility);
      if (messages.length > 0 || Date.now() >= deadline || this.#closed) return messages;
      await sleep(Math.min(POLL_MS, Math.max(1, deadline - Date.now())));
    }
  }

  async delete(queueName: string, receiptHandle: string): Promise<void> {
    this.#config(queueName);
    this.#delete.run(queueName, receiptHandle);
  }

  async changeVisibility(queueName: string, receiptHandle: string, visibilityTimeoutSeconds: number): Promise<void> {
    this.#config(queueName);
    const seconds = checkSeconds('visibilityTimeoutSeconds', visibilityTimeoutSeconds, MAX_VISIBILITY_SECONDS);
    this.#changeVisibility.run(Date.now() + seconds * 1000, queueName, receiptHandle);
  }

  async receiveDeadLetters(queueName: string, options?: { maxMessages?: number }): Promise<QueueMessage[]> {
    this.#config(queueName);
    const max = options?.maxMessages ?? MAX_MESSAGES;
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError('maxMessages must be ≥ 1');
    return this.#dead.all(queueName, max).map((row) => toMessage(row, optionalText(row, 'receipt') ?? `dead-${text(row, 'id')}`));
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#db.isOpen) this.#db.close();
  }

  #receiveNow(queueName: string, config: QueueConfig, max: number, visibility: number): QueueMessage[] {
    return transaction(this.#db, () => {
      const now = Date.now();
      const out: QueueMessage[] = [];
      const seen = new Set<string>();
      for (;;) {
        let deadLettered = 0;
        for (const row of this.#ready.all(queueName, now, max - out.length + seen.size)) {
          const id = text(row, 'id');
          if (seen.has(id)) continue;
          seen.add(id);
          if (int(row, 'receive_count') >= config.maxReceiveCount) {
            this.#toDead.run(now, id); // received maxReceiveCount times, never deleted
            deadLettered += 1;
            continue;
          }
          const receipt = `${id}.${randomBytes(12).toString('hex')}`;
          this.#receive.run(receipt, now + visibility * 1000, id);
          out.push({ ...toMessage(row, receipt), receiveCount: int(row, 'receive_count') + 1 });
          if (out.length >= max) return out;
        }
        // Dead-lettered rows made room: look again for deliverable ones.
        if (deadLettered === 0) return out;
      }
    });
  }

  #config(queueName: string): QueueConfig {
    const config = Object.hasOwn(this.#queues, queueName) ? this.#queues[queueName] : undefined;
    if (config === undefined) throw new NotFoundError(`unknown queue ${JSON.stringify(queueName)}`);
    return config;
  }
}

function checkSeconds(name: string, value: number, max: number): number {
  if (!Number.isFinite(value) || value < 0 || value > max) throw new RangeError(`${name} must be 0..${max} seconds`);
  return value;
}

function toMessage(row: Row, receiptHandle: string): QueueMessage {
  return {
    messageId: text(row, 'id'),
    receiptHandle,
    body: text(row, 'body'),
    receiveCount: int(row, 'receive_count'),
    sentAt: text(row, 'sent_at'),
  };
}
