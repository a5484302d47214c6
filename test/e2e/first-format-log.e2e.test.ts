import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { serve } from '../../local/serve.js';
import { FirstFormatLogError } from '../../shared/app/log-format.js';
import { drcore } from '../support/in-process-core.js';
import { FIRST_FORMAT_STREAMS, writeFirstFormatLog } from '../support/first-format-log.js';

/**
 * A data directory whose event log has stream ids of the first format (`rp-<tenantId>-<rpId>`):
 * serve and verify-log refuse it with a clear message, and nothing is appended to it.
 */
describe('an event log of the first stream-id format', () => {
  let dir: string;
  let dataDir: string;
  const rows = (): string[] => {
    const db = new DatabaseSync(join(dataDir, 'events.db'));
    try {
      return (db.prepare('SELECT stream_id FROM events ORDER BY position').all() as { stream_id: string }[]).map((r) => r.stream_id);
    } finally {
      db.close();
    }
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'drcore-first-format-'));
    dataDir = join(dir, 'data');
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    await writeFirstFormatLog(join(dataDir, 'events.db'));
  });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  it('serve refuses to start on it and appends nothing (not even the bootstrap certificates)', async () => {
    await assert.rejects(serve({ dataDir, host: '127.0.0.1', port: 0, hostnames: [] }), (e: unknown) => {
      assert.ok(e instanceof FirstFormatLogError, String(e));
      assert.match(e.message, /before stream ids took the form kind:id/);
      assert.match(e.message, /found stream pairing-req-1 at log position 1/);
      return true;
    });
    assert.deepEqual(rows(), [...FIRST_FORMAT_STREAMS]);
  });

  it('drcore serve, admin verify-log and admin rebuild-projections exit 1 with the explanation, no stack trace', async () => {
    const served = await drcore(['serve', '--data', dataDir, '--port', '0']);
    assert.equal(served.code, 1, served.stdout + served.stderr);
    assert.match(served.stderr, /^drcore: this event log was written before stream ids took the form kind:id/);
    assert.doesNotMatch(served.stderr, /\n\s+at /, 'no stack trace');
    const verified = await drcore(['admin', 'verify-log', '--data', dataDir]);
    assert.equal(verified.code, 1, verified.stdout + verified.stderr);
    assert.match(verified.stdout, /^FIRST FORMAT: stream pairing-req-1 \(log position 1\): this event log was written before stream ids took the form kind:id/m);
    assert.match(verified.stdout, /hash chains of 4 events in 4 streams verify/);
    const rebuilt = await drcore(['admin', 'rebuild-projections', '--data', dataDir, '--url', 'https://127.0.0.1:1']);
    assert.equal(rebuilt.code, 1, rebuilt.stdout + rebuilt.stderr);
    assert.match(rebuilt.stderr, /^drcore: this event log was written before stream ids took the form kind:id/);
    assert.deepEqual(rows(), [...FIRST_FORMAT_STREAMS]);
  });
});
