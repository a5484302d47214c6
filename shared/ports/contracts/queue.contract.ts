/**
 * The Queue contract (shared/ports/queue.ts): every adapter runs this suite.
 * make() is called once with one queue per test (1 s visibility, maxReceiveCount 2 — 5 for
 * 'stale'), so
 * tests never receive each other's messages. Timing tests use real time: a few seconds.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { NotFoundError } from '../errors.js';
import type { Queue, QueueConfig, QueueMessage } from '../queue.js';

const FAST: QueueConfig = { visibilityTimeoutSeconds: 1, maxReceiveCount: 2 };
const QUEUE_CONFIG = {
  basic: FAST, many: FAST, visibility: FAST, dlq: FAST, big: FAST, delay: FAST,
  // Room for receives plus visibility changes, whatever an emulator counts as a receive.
  changevis: { visibilityTimeoutSeconds: 1, maxReceiveCount: 5 },
  stale: { visibilityTimeoutSeconds: 1, maxReceiveCount: 5 },
} as const satisfies Record<string, QueueConfig>;
type Name = keyof typeof QUEUE_CONFIG;

/** What an emulator cannot do, stated by the caller: the suite then names the gap in a test of its own. */
export interface QueueContractGaps {
  /** Why a delete with a stale receipt handle removes the message on this adapter. */
  readonly staleReceiptHandleDeletes?: string;
}

export function queueContract(name: string, make: (queues: Record<string, QueueConfig>) => Promise<{ queue: Queue; cleanup(): Promise<void> }>, gaps: QueueContractGaps = {}): void {
  describe(`Queue contract: ${name}`, () => {
    let queue: Queue;
    let cleanup: () => Promise<void>;

    before(async () => ({ queue, cleanup } = await make({ ...QUEUE_CONFIG })));
    after(async () => cleanup());

    /** Receives until `count` messages arrived or `ms` passed (long-polling 1 s at a time). */
    async function receiveWithin(q: Name, ms: number, count = 1): Promise<QueueMessage[]> {
      const out: QueueMessage[] = [];
      const deadline = Date.now() + ms;
      while (out.length < count && Date.now() < deadline) {
        out.push(...(await queue.receive(q, { maxMessages: Math.min(10, count - out.length), waitSeconds: 1 })));
      }
      return out;
    }

    it('send, receive, delete: the body round-trips and a deleted message is gone', async () => {
      const body = JSON.stringify({ kind: 'test', text: 'Grüße 🔐', n: 1 });
      const { messageId } = await queue.send('basic', body);
      assert.equal(typeof messageId, 'string');
      const [m] = await receiveWithin('basic', 5000);
      assert.ok(m, 'received');
      assert.equal(m.messageId, messageId);
      assert.equal(m.body, body);
      assert.equal(m.receiveCount, 1);
      assert.ok(!Number.isNaN(Date.parse(m.sentAt)), 'sentAt is a date');
      await queue.delete('basic', m.receiptHandle);
      await sleep(1300);
      assert.deepEqual(await queue.receive('basic', { waitSeconds: 1 }), [], 'deleted: never delivered again');
    });

    it('receive on an empty queue → [] (and waitSeconds returns within about that time)', async () => {
      const t0 = Date.now();
      assert.deepEqual(await queue.receive('many', { waitSeconds: 1 }), []);
      assert.ok(Date.now() - t0 < 5000, 'the long poll ends');
    });

    it('maxMessages: several messages come back, each exactly once while in flight', async () => {
      const bodies = ['m1', 'm2', 'm3', 'm4', 'm5'];
      for (const b of bodies) await queue.send('many', b);
      const got = await receiveWithin('many', 8000, bodies.length);
      assert.deepEqual(got.map((m) => m.body).sort(), bodies);
      for (const m of got) await queue.delete('many', m.receiptHandle);
    });

    it('visibility timeout hides a received message, then it is redelivered with receiveCount + 1', async () => {
      await queue.send('visibility', 'v');
      const [first] = await receiveWithin('visibility', 5000);
      assert.equal(first?.receiveCount, 1);
      assert.deepEqual(await queue.receive('visibility'), [], 'invisible while in flight');
      const [second] = await receiveWithin('visibility', 5000);
      assert.ok(second, 'redelivered after the timeout');
      assert.equal(second.messageId, first?.messageId);
      assert.equal(second.receiveCount, 2);
      await queue.delete('visibility', second.receiptHandle);
    });

    it('changeVisibility extends the timeout, and 0 makes the message visible at once', async () => {
      await queue.send('changevis', 'c');
      const [m] = await receiveWithin('changevis', 5000);
      assert.ok(m);
      await queue.changeVisibility('changevis', m.receiptHandle, 4);
      await sleep(1800);
      assert.deepEqual(await queue.receive('changevis'), [], 'still hidden past the 1 s default');
      await queue.changeVisibility('changevis', m.receiptHandle, 0);
      const [again] = await receiveWithin('changevis', 3000);
      assert.ok(again);
      assert.equal(again.messageId, m.messageId);
      await queue.delete('changevis', again.receiptHandle);
    });

    it('dead-letter: received maxReceiveCount (2) times without delete → in receiveDeadLetters, not delivered again', async () => {
      const { messageId } = await queue.send('dlq', 'poison');
      const seen: QueueMessage[] = [];
      const deadline = Date.now() + 12_000;
      let dead: QueueMessage[] = [];
      while (Date.now() < deadline && dead.length === 0) {
        seen.push(...(await queue.receive('dlq', { waitSeconds: 1 })));
        dead = (await queue.receiveDeadLetters('dlq')).filter((m) => m.messageId === messageId || m.body === 'poison');
      }
      assert.deepEqual(seen.map((m) => m.receiveCount), [1, 2], 'delivered exactly maxReceiveCount times');
      assert.equal(dead.length, 1, 'in the dead-letter queue');
      assert.equal(dead[0]?.body, 'poison');
      await sleep(1200);
      assert.deepEqual(await queue.receive('dlq', { waitSeconds: 1 }), [], 'never delivered again');
    });

    it('message bodies up to 200 KiB round-trip', async () => {
      const body = 'x'.repeat(100 * 1024) + 'é🔐'.repeat(1000) + 'y'.repeat(200 * 1024 - 100 * 1024 - 6000);
      assert.ok(Buffer.byteLength(body) <= 200 * 1024);
      await queue.send('big', body);
      const [m] = await receiveWithin('big', 5000);
      assert.ok(m);
      assert.equal(m.body, body);
      await queue.delete('big', m.receiptHandle);
    });

    it('an unknown queue name → NotFoundError', async () => {
      await assert.rejects(queue.send('no-such-queue', 'x'), NotFoundError);
      await assert.rejects(queue.receive('no-such-queue'), NotFoundError);
      await assert.rejects(queue.delete('no-such-queue', 'handle'), NotFoundError);
      await assert.rejects(queue.receiveDeadLetters('no-such-queue'), NotFoundError);
      await assert.rejects(queue.send('toString', 'x'), NotFoundError, 'no prototype names');
    });

    /** A message received twice, then deleted with the first (stale) receipt handle. */
    async function deleteWithStaleHandle(): Promise<{ first: QueueMessage; second: QueueMessage }> {
      await queue.send('stale', 's');
      const [first] = await receiveWithin('stale', 5000);
      assert.ok(first);
      const [second] = await receiveWithin('stale', 5000);
      assert.ok(second, 'redelivered');
      await queue.delete('stale', first.receiptHandle);
      return { first, second };
    }

    if (gaps.staleReceiptHandleDeletes) {
      it(`stale receipt handle: NOT enforced by this adapter (${gaps.staleReceiptHandleDeletes}); the documented weaker behaviour is asserted`, async () => {
        const { second } = await deleteWithStaleHandle();
        await queue.changeVisibility('stale', second.receiptHandle, 0).catch(() => undefined);
        assert.deepEqual(await receiveWithin('stale', 2500), [], 'the stale delete removed the message');
      });
    } else {
      it('delete with a stale receipt handle is harmless: the message stays', async () => {
        const { first, second } = await deleteWithStaleHandle();
        await queue.changeVisibility('stale', second.receiptHandle, 0);
        const [third] = await receiveWithin('stale', 3000);
        assert.ok(third);
        assert.equal(third.messageId, first.messageId, 'the stale delete removed nothing');
        await queue.delete('stale', third.receiptHandle);
      });
    }

    it('delaySeconds hides a new message for that long', async () => {
      await queue.send('delay', 'd', { delaySeconds: 2 });
      assert.deepEqual(await queue.receive('delay', { waitSeconds: 1 }), [], 'not yet');
      const [m] = await receiveWithin('delay', 5000);
      assert.ok(m);
      assert.equal(m.body, 'd');
      await queue.delete('delay', m.receiptHandle);
    });
  });
}
