/**
 * The event log's anchors (issue 11 item 4): a signed checkpoint of every stream's head, written
 * create-once into its own directory, lets `verify-log` catch what the hash chains cannot — the
 * deleted or rewritten tail of a stream. The case of the issue: the last event of a stream, a
 * `CertificateRevoked`, deleted with SQL (and sqlite_sequence set back, so not even the position
 * gap shows it): without the anchor the log verifies; with it, verify-log names the stream.
 * The checkpoint is written the way the workflow worker writes it on AWS (a LogCheckpoint message);
 * test/e2e/verify-heal.e2e.test.ts runs the same case through `drcore serve` and `drcore admin verify-log`.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import type { SQSEvent } from 'aws-lambda';
import { FileBlobStore } from '../../shared/adapters/local/file-blob-store.js';
import { SqliteEventStore } from '../../shared/adapters/local/sqlite-event-store.js';
import { newestCheckpoint } from '../../shared/app/log-anchor-check.js';
import { writeLogCheckpoint } from '../../shared/app/log-anchor.js';
import { verifyLog } from '../../shared/app/verify-log.js';
import { eventHash } from '../../shared/events/chain.js';
import { normalizeSerial } from '../../shared/pki/ca.js';
import { lambdaContext } from '../../local/lambda-context.js';
import { makeHandler as workflowWorker } from '../../functions/handlers/workflow-worker.js';
import { startCore, type TestCore } from '../support/in-process-core.js';

describe('the anchored event log', () => {
  let t: TestCore;
  let serial: string;
  let file: string;
  let anchorsDir: string;
  let caPem: string;

  before(async () => {
    t = await startCore({ keep: false });
    file = join(t.dataDir, 'events.db');
    anchorsDir = join(t.dataDir, 'log-anchors');
    caPem = readFileSync(t.core.pki.caCert, 'utf8');
    serial = normalizeSerial(new X509Certificate(readFileSync(t.core.pki.enrollmentCert, 'utf8')).serialNumber);
    const admin = await t.client('admin');
    const revoked = await admin.json<{ status: string }>('POST', `/v1/admin/certificates/${serial}/revoke`, { reason: 'leaked' });
    assert.equal(revoked.status, 'revoked');
    // The checkpoint, as the worker makes it for a LogCheckpoint message (EventBridge on AWS, the local timer here).
    const worker = workflowWorker(t.deps);
    const event = { Records: [{ messageId: 'm1', receiptHandle: 'r1', body: JSON.stringify({ type: 'LogCheckpoint' }), attributes: { ApproximateReceiveCount: '1' } }] } as unknown as SQSEvent;
    const result = await worker(event, lambdaContext('workflow-worker'));
    assert.deepEqual(result, { batchItemFailures: [] });
    await t.core.stop();
  });
  after(async () => { await t.stop(); });

  const anchorOf = async () => (await newestCheckpoint(new FileBlobStore(anchorsDir), caPem)) ?? null;
  const verify = async (anchored: boolean) => {
    const store = SqliteEventStore.open(file);
    try { return await verifyLog(store, anchored ? { anchor: await anchorOf() } : {}); } finally { await store.close(); }
  };
  const sql = (...statements: string[]) => {
    const db = new DatabaseSync(file);
    try { for (const s of statements) db.exec(s); } finally { db.close(); }
  };

  it('a checkpoint names every stream head, signed by the CA key, in its own directory; the intact log verifies against it', async () => {
    const names = readdirSync(join(anchorsDir, 'checkpoints'));
    assert.equal(names.filter((n) => n.endsWith('.json')).length, 1);
    assert.ok(names.some((n) => n.endsWith('.json.sig')) && names.some((n) => n.endsWith('.json.p7s')));
    const newest = await anchorOf();
    assert.ok(newest && 'checkpoint' in newest, JSON.stringify(newest));
    const head = newest.checkpoint.heads.find(([s]) => s === `cert:${serial}`);
    assert.deepEqual(head?.slice(0, 2), [`cert:${serial}`, 2], 'the revoked certificate\'s stream at version 2');
    const result = await verify(true);
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.equal(result.anchor?.checkpoint, newest.name);
  });

  it('no new event, no new checkpoint', async () => {
    const store = SqliteEventStore.open(file);
    try {
      const ca = { caCertificatePem: async () => caPem, signCsr: async () => { throw new Error('unused'); }, signDocument: async () => { throw new Error('nothing to sign'); }, unwrapSeedKey: async () => { throw new Error('unused'); } };
      assert.equal(await writeLogCheckpoint({ events: store, ca, clock: () => new Date() }, new FileBlobStore(anchorsDir)), undefined);
    } finally { await store.close(); }
  });

  it('the last event of a stream (CertificateRevoked) deleted with SQL: the chains and positions pass, the anchor names the stream', async () => {
    const db = new DatabaseSync(file);
    const last = db.prepare('SELECT position, stream_id, type FROM events ORDER BY position DESC LIMIT 1').get() as { position: number; stream_id: string; type: string };
    db.close();
    assert.deepEqual([last.stream_id, last.type], [`cert:${serial}`, 'CertificateRevoked'], 'the revocation is the last event of the log');
    const saved = readFileSync(file);
    try {
      sql(`DELETE FROM events WHERE position = ${last.position}`, `UPDATE sqlite_sequence SET seq = ${last.position - 1} WHERE name = 'events'`);
      const unanchored = await verify(false);
      assert.equal(unanchored.ok, true, 'without the anchor the deletion goes unseen (what the issue says)');
      const anchored = await verify(true);
      assert.equal(anchored.ok, false);
      assert.equal(anchored.firstBreak?.streamId, `cert:${serial}`);
      assert.equal(anchored.firstBreak?.version, 2);
      assert.match(anchored.firstBreak?.reason ?? '', /only versions 1\.\.1: its event 2 \(and any after\) were deleted/);

    } finally {
      writeFileSync(file, saved);
    }
  });

  it('a rewritten tail whose hash chain was recomputed: the anchor sees another hash', async () => {
    const saved = readFileSync(file);
    try {
      const db = new DatabaseSync(file);
      const row = db.prepare(`SELECT * FROM events WHERE stream_id = 'cert:${serial}' AND version = 2`).get() as Record<string, string | number>;
      const forged = { streamId: String(row['stream_id']), version: 2, type: 'CertificateRevoked', data: { serial, reason: 'routine', adminSerial: 'ad01' }, at: String(row['at']), actor: String(row['actor']), prevHash: String(row['prev_hash']) };
      db.prepare('UPDATE events SET data = ?, hash = ? WHERE position = ?').run(JSON.stringify(forged.data), eventHash(forged), Number(row['position']));
      db.close();
      assert.equal((await verify(false)).ok, true, 'the chain itself verifies: its hashes were recomputed');
      const anchored = await verify(true);
      assert.equal(anchored.ok, false);
      assert.equal(anchored.firstBreak?.streamId, `cert:${serial}`);
      assert.match(anchored.firstBreak?.reason ?? '', /another hash: the stream's tail was rewritten/);
    } finally {
      writeFileSync(file, saved);
    }
  });

  it('a checkpoint edited in its directory no longer verifies: the log is not OK', async () => {
    const newest = await anchorOf();
    assert.ok(newest);
    const path = join(anchorsDir, 'checkpoints', `${newest.name}.json`);
    const saved = readFileSync(path);
    try {
      writeFileSync(path, saved.toString('utf8').replace(/"heads":\[/, '"heads":[["cert:ffff",1,"00"],'));
      const result = await verify(true);
      assert.equal(result.ok, false);
      assert.match(result.anchor?.problem ?? '', /signature does not verify/);
    } finally {
      writeFileSync(path, saved);
    }
  });
});
