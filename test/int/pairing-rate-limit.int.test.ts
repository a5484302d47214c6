/**
 * The pairing rate limit holds on both runtimes and under a burst (issue 8 item 3): it is the
 * enrollment window stream in the event store, so it rests on the store's optimistic
 * concurrency, which SQLite and DynamoDB (here dynalite) both give.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DynamoDbEventStore } from '../../shared/adapters/aws/dynamodb-event-store.js';
import { SqliteEventStore } from '../../shared/adapters/local/sqlite-event-store.js';
import { filePairingRequest } from '../../shared/app/pairing-rate-limit.js';
import { DomainError } from '../../shared/domain/errors.js';
import { toProblem } from '../../shared/http/middleware/problem-json.js';
import { HttpProblem } from '../../shared/http/problem.js';
import { streams } from '../../shared/ids.js';
import type { EventStore } from '../../shared/ports/event-store.js';
import { ConcurrencyError } from '../../shared/ports/errors.js';
import { awsClients, createEventTable, startEmulators } from '../support/emulators.js';

const limit = { requests: 10, windowSeconds: 3600 };
const now = new Date('2025-03-04T05:06:07.000Z');
const windowStartSeconds = Math.floor(now.getTime() / 3_600_000) * 3600;

/** filePairingRequest as the API answers it: a refusal leaves as the problem the HTTP edge maps it to. */
const file = (...args: Parameters<typeof filePairingRequest>) =>
  filePairingRequest(...args).catch((e: unknown) => { throw e instanceof DomainError ? toProblem(e) : e; });

async function burst(events: EventStore, serial: string, n: number): Promise<{ accepted: number; limited: HttpProblem[]; conflicts: number }> {
  const results = await Promise.allSettled(Array.from({ length: n }, (_, i) =>
    file({ events }, limit, serial, `pr-${i}`, { now, actor: `enrollment:${serial}` })));
  const limited: HttpProblem[] = [];
  let conflicts = 0;
  for (const r of results) {
    if (r.status === 'fulfilled') continue;
    if (r.reason instanceof HttpProblem && r.reason.status === 429) limited.push(r.reason);
    else if (r.reason instanceof ConcurrencyError) conflicts++;
    else throw r.reason;
  }
  return { accepted: results.filter((r) => r.status === 'fulfilled').length, limited, conflicts };
}

function rateLimitSuite(name: string, open: () => Promise<{ events: EventStore; close(): Promise<void> }>): void {
  describe(`pairing rate limit on ${name}`, () => {
    it('a burst of 25 concurrent requests files exactly 10; the other 15 are refused with 429', async (ctx) => {
      const { events, close } = await open();
      try {
        const { accepted, limited, conflicts } = await burst(events, '80ab01', 25);
        ctx.diagnostic(`${accepted} accepted, ${limited.length} refused 429, ${conflicts} gave up on concurrency`);
        const filed = await events.readStream(streams.enrollment('80ab01', windowStartSeconds));
        assert.equal(filed.length, accepted, 'one event per accepted request, none for a refusal');
        assert.equal(accepted, 10, 'exactly the limit is filed');
        assert.equal(limited.length, 15, 'every other request is refused with 429');
        assert.equal(conflicts, 0, 'none gives up on a concurrency conflict: each conflict means another request was filed');
        for (const p of limited) {
          assert.equal(p.headers['retry-after'], String(3600 - (now.getTime() / 1000 - windowStartSeconds)));
          assert.match(p.detail, /at most 10 pairing requests per 3600 s/);
        }
        await assert.rejects(file({ events }, limit, '80ab01', 'pr-one-more', { now, actor: 'enrollment:80ab01' }), (e) => e instanceof HttpProblem && e.status === 429);
        assert.equal((await events.readStream(streams.enrollment('80ab01', windowStartSeconds))).length, 10);
        // Another certificate, or the next window, counts afresh.
        await filePairingRequest({ events }, limit, '80ab02', 'pr-x', { now, actor: 'enrollment:80ab02' });
        await filePairingRequest({ events }, limit, '80ab01', 'pr-next', { now: new Date(now.getTime() + 3_600_000), actor: 'enrollment:80ab01' });
      } finally {
        await close();
      }
    });
  });
}

rateLimitSuite('SQLite (local)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'drcore-ratelimit-'));
  const events = SqliteEventStore.open(join(dir, 'events.db'));
  return { events, close: async () => { await events.close(); await rm(dir, { recursive: true, force: true }); } };
});

let emulators: Awaited<ReturnType<typeof startEmulators>> | undefined;
after(async () => { await emulators?.stop(); });
rateLimitSuite('DynamoDB (dynalite; emulated-sequential appends, as in the AWS adapter contract)', async () => {
  emulators ??= await startEmulators();
  const clients = awsClients(emulators.endpoints);
  const tableName = await createEventTable(clients.dynamodb);
  const events = new DynamoDbEventStore({ client: clients.dynamodb, tableName, transactions: 'emulated-sequential' });
  return { events, close: async () => { clients.destroy(); } };
});
