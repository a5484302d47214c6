/**
 * verifyLog over a real SqliteEventStore: OK on an intact log, and the first bad event
 * named after the SQLite file was tampered with directly (node:sqlite, another connection),
 * as an attacker with the file — not the API — would do.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { SqliteEventStore } from '../../shared/adapters/local/sqlite-event-store.js';
import { verifyLog, type LogVerification } from '../../shared/app/verify-log.js';
import type { NewEvent } from '../../shared/events/envelope.js';
import { FIRST_FORMAT_STREAMS, writeFirstFormatLog } from '../support/first-format-log.js';

const ev = (type: string, data: Record<string, unknown>, actor = 'system:workflow'): NewEvent => ({
  type, data, at: '2026-03-01T12:00:00.000Z', actor,
});

/**
 * The log every case starts from (position: stream vN):
 *   1 pairing:req-1 v1   2 pairing:req-1 v2   3 pairing:req-1 v3   4 tenant:t-1 v1   5 cert:c0ffee v1
 *   6 pairing:req-1 v4   7 tenant:t-1 v2      8 pairing:req-2 v1   9 pairing:req-2 v2
 */
async function seed(store: SqliteEventStore): Promise<void> {
  await store.append('pairing:req-1', 0, [
    ev('PairingRequested', { requestId: 'req-1', coreName: 'Acme', email: 'ops@acme.example' }, 'enrollment:en01'),
    ev('PairingAcknowledged', { requestId: 'req-1', message: 'received' }),
  ]);
  await store.append('pairing:req-1', 2, [ev('PairingApproved', { requestId: 'req-1', tenantId: 't-1', quotaBytes: 1000 }, 'admin:ad01')]);
  await store.append('tenant:t-1', 0, [ev('TenantCreated', { tenantId: 't-1', quotaBytes: 1000, pairingRequestId: 'req-1' })]);
  await store.append('cert:c0ffee', 0, [ev('CertificateIssued', { serial: 'c0ffee', role: 'source-core', tenantId: 't-1' })]);
  await store.append('pairing:req-1', 3, [ev('PairingCertificateDelivered', { requestId: 'req-1', tenantId: 't-1', serial: 'c0ffee' })]);
  await store.append('tenant:t-1', 1, [ev('TenantQuotaChanged', { tenantId: 't-1', quotaBytes: 2000 }, 'admin:ad01')]);
  await store.append('pairing:req-2', 0, [ev('PairingRequested', { requestId: 'req-2', coreName: 'Other', email: 'x@y.example' }, 'enrollment:en01')]);
  await store.append('pairing:req-2', 1, [ev('PairingAcknowledged', { requestId: 'req-2', message: 'received' })]);
}

let dir: string;
let file: string;

/** Runs SQL on the events file through its own connection, as a tamperer would. */
function tamper(...statements: string[]): void {
  const db = new DatabaseSync(file);
  try {
    for (const sql of statements) {
      const changes = db.prepare(sql).run().changes;
      if (/^\s*(UPDATE|DELETE)/i.test(sql)) assert.ok(Number(changes) > 0, `tampering changed nothing: ${sql}`);
    }
  } finally {
    db.close();
  }
}

async function verify(): Promise<LogVerification> {
  const store = SqliteEventStore.open(file);
  try {
    return await verifyLog(store);
  } finally {
    await store.close();
  }
}

function assertFirstBreak(result: LogVerification, expected: { streamId: string; version: number; position: string; reason: RegExp }): void {
  assert.equal(result.ok, false, 'the tampered log must not verify');
  assert.ok(result.firstBreak, 'a first break must be named');
  const { reason, ...where } = expected;
  assert.deepEqual(
    { streamId: result.firstBreak.streamId, version: result.firstBreak.version, position: result.firstBreak.position },
    where,
    `named ${JSON.stringify(result.firstBreak)}`,
  );
  assert.match(result.firstBreak.reason, reason);
}

describe('verifyLog on a SQLite event log', () => {
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'drcore-verify-log-'));
    file = join(dir, 'events.db');
    const store = SqliteEventStore.open(file);
    try {
      await seed(store);
    } finally {
      await store.close();
    }
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reports OK on an intact log, with its counts', async () => {
    assert.deepEqual(await verify(), { ok: true, events: 9, streams: 4 });
  });

  it('reports OK on an empty log', async () => {
    const empty = SqliteEventStore.open(join(dir, 'empty.db'));
    try {
      assert.deepEqual(await verifyLog(empty), { ok: true, events: 0, streams: 0 });
    } finally {
      await empty.close();
    }
  });

  it('reports OK when the stored JSON is rewritten with another key order (same content)', async () => {
    tamper(`UPDATE events SET data = '{"quotaBytes":1000,"pairingRequestId":"req-1","tenantId":"t-1"}' WHERE position = 4`);
    assert.deepEqual(await verify(), { ok: true, events: 9, streams: 4 });
  });

  describe('an edited row', () => {
    it("names the row whose data was UPDATEd", async () => {
      tamper(`UPDATE events SET data = json_set(data, '$.quotaBytes', 999999999) WHERE position = 4`);
      assertFirstBreak(await verify(), { streamId: 'tenant:t-1', version: 1, position: '4', reason: /hash does not match the event content/ });
    });

    it('names the earliest of two edited rows', async () => {
      tamper(
        `UPDATE events SET data = json_set(data, '$.quotaBytes', 1) WHERE position = 7`,
        `UPDATE events SET data = json_set(data, '$.role', 'admin') WHERE position = 5`,
      );
      assertFirstBreak(await verify(), { streamId: 'cert:c0ffee', version: 1, position: '5', reason: /edited/ });
    });

    for (const [column, value] of [['type', `'PairingRejected'`], ['actor', `'admin:someone-else'`], ['at', `'2020-01-01T00:00:00.000Z'`]] as const) {
      it(`names the row whose ${column} was UPDATEd`, async () => {
        tamper(`UPDATE events SET ${column} = ${value} WHERE position = 3`);
        assertFirstBreak(await verify(), { streamId: 'pairing:req-1', version: 3, position: '3', reason: /edited/ });
      });
    }

    it('names the row whose hash was UPDATEd', async () => {
      tamper(`UPDATE events SET hash = '${'e'.repeat(64)}' WHERE position = 6`);
      assertFirstBreak(await verify(), { streamId: 'pairing:req-1', version: 4, position: '6', reason: /edited/ });
    });

    it('names the row whose prev_hash was UPDATEd', async () => {
      tamper(`UPDATE events SET prev_hash = '${'a'.repeat(64)}' WHERE position = 7`);
      assertFirstBreak(await verify(), { streamId: 'tenant:t-1', version: 2, position: '7', reason: /prevHash does not match/ });
    });

    it('names a row moved to another stream', async () => {
      tamper(`UPDATE events SET stream_id = 'pairing:req-9' WHERE position = 8`);
      assertFirstBreak(await verify(), { streamId: 'pairing:req-9', version: 1, position: '8', reason: /edited/ });
    });
  });

  describe('a deleted row', () => {
    it('names the next event of the stream when a middle row of a stream is DELETEd and no other stream wrote in between', async () => {
      tamper('DELETE FROM events WHERE position = 2');
      assertFirstBreak(await verify(), { streamId: 'pairing:req-1', version: 3, position: '3', reason: /missing|deleted/ });
    });

    it('names the place of a DELETEd middle row of an interleaved stream (position 3: pairing:req-1 v3)', async () => {
      tamper('DELETE FROM events WHERE position = 3');
      const result = await verify();
      assert.equal(result.ok, false);
      assert.equal(result.events, 8);
      // The first sign of the deletion is the hole at position 3, before pairing:req-1's own break at position 6.
      assert.match(result.firstBreak?.reason ?? '', /log positions 3\.\.3 are missing/);
      assert.ok(Number(result.firstBreak?.position) < 6);
    });

    it('names the gap when the last row of a stream is DELETEd (pairing:req-1 v4 at position 6)', async () => {
      tamper('DELETE FROM events WHERE position = 6');
      const result = await verify();
      assert.equal(result.ok, false, 'the stream chain itself cannot see a lost tail: the position gap must');
      assert.match(result.firstBreak?.reason ?? '', /log positions 6\.\.6 are missing/);
      assert.equal(result.firstBreak?.position, '7');
    });

    it('names the gap when the last rows of two streams are DELETEd', async () => {
      tamper('DELETE FROM events WHERE position IN (5, 7)');
      const result = await verify();
      assert.equal(result.ok, false);
      assert.match(result.firstBreak?.reason ?? '', /log positions 5\.\.5 are missing/);
      assert.equal(result.firstBreak?.position, '6');
    });

    it('names a whole run of DELETEd rows', async () => {
      tamper('DELETE FROM events WHERE position BETWEEN 4 AND 7');
      const result = await verify();
      assert.equal(result.ok, false);
      assert.match(result.firstBreak?.reason ?? '', /log positions 4\.\.7 are missing/);
      assert.equal(result.firstBreak?.position, '8');
    });

    it('names the first event of a stream whose first row was DELETEd', async () => {
      tamper('DELETE FROM events WHERE position = 1');
      assertFirstBreak(await verify(), { streamId: 'pairing:req-1', version: 2, position: '2', reason: /expected version 1, found 2/ });
    });

    it('names the stream that lost an interleaved middle event, not an intact event of another stream', async () => {
      tamper('DELETE FROM events WHERE position = 3');
      const result = await verify();
      assert.equal(result.firstBreak?.streamId, 'pairing:req-1');
    });

    it('notices the DELETEd last row of the whole log', async () => {
      tamper('DELETE FROM events WHERE position = 9');
      assert.equal((await verify()).ok, false);
    });

    it('notices a DELETEd first row that was a whole stream', async () => {
      file = join(dir, 'other.db');
      const store = SqliteEventStore.open(file);
      await store.append('cert:aa', 0, [ev('CertificateIssued', { serial: 'aa' })]);
      await store.append('cert:bb', 0, [ev('CertificateIssued', { serial: 'bb' })]);
      await store.close();
      tamper(`DELETE FROM events WHERE stream_id = 'cert:aa'`);
      assert.equal((await verify()).ok, false);
    });
  });

  describe('reordered rows', () => {
    it("names the first row when two rows' versions are swapped (pairing:req-1 v1 <-> v2)", async () => {
      tamper(
        'UPDATE events SET version = -1 WHERE position = 1',
        'UPDATE events SET version = 1 WHERE position = 2',
        'UPDATE events SET version = 2 WHERE position = 1',
      );
      assertFirstBreak(await verify(), { streamId: 'pairing:req-1', version: 2, position: '1', reason: /expected version 1, found 2/ });
    });

    it("names the first row when the versions of two interleaved rows are swapped (pairing:req-1 v3 <-> v4)", async () => {
      tamper(
        'UPDATE events SET version = -1 WHERE position = 3',
        'UPDATE events SET version = 3 WHERE position = 6',
        'UPDATE events SET version = 4 WHERE position = 3',
      );
      assertFirstBreak(await verify(), { streamId: 'pairing:req-1', version: 4, position: '3', reason: /expected version 3, found 4/ });
    });

    it('names the first row when two rows swap places (positions 2 and 3 exchanged)', async () => {
      tamper(
        'UPDATE events SET position = 100 WHERE position = 2',
        'UPDATE events SET position = 2 WHERE position = 3',
        'UPDATE events SET position = 3 WHERE position = 100',
      );
      assertFirstBreak(await verify(), { streamId: 'pairing:req-1', version: 3, position: '2', reason: /expected version 2, found 3/ });
    });

    it('names the first row when two rows swap their contents but keep their versions', async () => {
      // Rows 2 and 3 exchange everything but position and version: versions still read 1, 2, 3.
      const cols = 'type, data, at, actor, prev_hash, hash';
      tamper(
        `CREATE TEMP TABLE saved AS SELECT position, ${cols} FROM events WHERE position IN (2, 3)`,
        `UPDATE events SET (${cols}) = (SELECT ${cols} FROM saved WHERE saved.position = 5 - events.position) WHERE position IN (2, 3)`,
      );
      const result = await verify();
      assert.equal(result.ok, false);
      assert.equal(result.firstBreak?.streamId, 'pairing:req-1');
      assert.equal(result.firstBreak?.position, '2');
    });
  });

  describe('a log longer than one readAll page', () => {
    beforeEach(async () => {
      const store = SqliteEventStore.open(file);
      try {
        const many = Array.from({ length: 1200 }, (_, i) => ev('MachineSeen', { n: i }));
        await store.append('machine:t-1:m-1', 0, many); // positions 10..1209
      } finally {
        await store.close();
      }
    });

    it('reports OK with every event counted', async () => {
      assert.deepEqual(await verify(), { ok: true, events: 1209, streams: 5 });
    });

    it('names an edited row on the second page', async () => {
      tamper(`UPDATE events SET data = '{"n":-1}' WHERE position = 1100`);
      assertFirstBreak(await verify(), { streamId: 'machine:t-1:m-1', version: 1091, position: '1100', reason: /edited/ });
    });

    it('names a gap at the page boundary', async () => {
      tamper('DELETE FROM events WHERE position = 1001');
      assertFirstBreak(await verify(), { streamId: 'machine:t-1:m-1', version: 993, position: '1002', reason: /log positions 1001\.\.1001 are missing/ });
    });
  });

  describe('a log of the first stream-id format (kind-id, before kind:id)', () => {
    it('is not OK: verifyLog names its first stream id of that format, and still checks every chain', async () => {
      const old = join(dir, 'first-format.db');
      await writeFirstFormatLog(old);
      const store = SqliteEventStore.open(old);
      try {
        const result = await verifyLog(store);
        assert.deepEqual(result, { ok: false, events: 4, streams: 4, firstFormat: { streamId: FIRST_FORMAT_STREAMS[0], position: '1' } });
      } finally {
        await store.close();
      }
    });
  });
});
