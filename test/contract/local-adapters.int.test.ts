/**
 * The port contracts against the local adapters (SQLite, files) on temp dirs, plus what
 * only the local adapters can show: durability across reopen, file modes, and two
 * writers on two connections (worker threads) racing on one stream.
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, open, readdir, readFile, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { verifyStream } from '../../shared/events/chain.js';
import { FileBlobStore } from '../../shared/adapters/local/file-blob-store.js';
import { FileSecretStore } from '../../shared/adapters/local/file-secret-store.js';
import { LocalNotifier } from '../../shared/adapters/local/file-notifier.js';
import { SqliteEventStore } from '../../shared/adapters/local/sqlite-event-store.js';
import { SqliteQueue } from '../../shared/adapters/local/sqlite-queue.js';
import { LIST_PAGE_SQL, SqliteOperationalStore } from '../../shared/adapters/local/sqlite-operational-store.js';
import { SqliteReadModels } from '../../shared/adapters/local/sqlite-read-models.js';
import { openSqlite } from '../../shared/adapters/local/sqlite.js';
import { blobStoreContract } from '../../shared/ports/contracts/blob-store.contract.js';
import { eventStoreContract } from '../../shared/ports/contracts/event-store.contract.js';
import { queueContract } from '../../shared/ports/contracts/queue.contract.js';
import { operationalStoreContract } from '../../shared/ports/contracts/operational-store.contract.js';
import { readModelsContract } from '../../shared/ports/contracts/read-models.contract.js';
import { sampleSecret, secretStoreContract } from '../../shared/ports/contracts/secret-store.contract.js';
import { NotFoundError } from '../../shared/ports/errors.js';
import type { Notification } from '../../shared/ports/notifier.js';

const tempDir = () => mkdtemp(join(tmpdir(), 'drcore-local-'));
const ev = (type: string) => ({ type, data: { type }, at: '2025-01-01T00:00:00.000Z', actor: 'system:test' });

eventStoreContract('SqliteEventStore', async () => {
  const dir = await tempDir();
  const store = SqliteEventStore.open(join(dir, 'events.db'));
  return { store, cleanup: async () => { await store.close(); await rm(dir, { recursive: true, force: true }); } };
});

blobStoreContract('FileBlobStore', async () => {
  const dir = await tempDir();
  return { blobs: new FileBlobStore(join(dir, 'blobs')), cleanup: () => rm(dir, { recursive: true, force: true }) };
}, { enforcesCreateOnce: true, verifiesSha256ServerSide: true });

queueContract('SqliteQueue', async (queues) => {
  const dir = await tempDir();
  const queue = SqliteQueue.open(join(dir, 'queue.db'), queues);
  return { queue, cleanup: async () => { await queue.close(); await rm(dir, { recursive: true, force: true }); } };
});

readModelsContract('SqliteReadModels', async () => {
  const dir = await tempDir();
  const readModels = SqliteReadModels.open(join(dir, 'read-models.db'));
  return { readModels, cleanup: async () => { await readModels.close(); await rm(dir, { recursive: true, force: true }); } };
});

secretStoreContract('FileSecretStore (the files of DATA/pki)', async () => {
  const dir = await tempDir();
  return { store: new FileSecretStore(join(dir, 'pki')), cleanup: () => rm(dir, { recursive: true, force: true }) };
});

operationalStoreContract('SqliteOperationalStore (operational.db, beside read-models.db)', async () => {
  const dir = await tempDir();
  const store = SqliteOperationalStore.open(join(dir, 'operational.db'));
  const readModels = SqliteReadModels.open(join(dir, 'read-models.db'));
  return { store, readModels, cleanup: async () => { await Promise.all([store.close(), readModels.close()]); await rm(dir, { recursive: true, force: true }); } };
});

describe('local adapters: beyond the contracts', () => {
  let dir: string;
  before(async () => { dir = await tempDir(); });
  after(() => rm(dir, { recursive: true, force: true }));

  it('durability: events, messages, documents and blobs survive close and reopen', async () => {
    const file = (n: string) => join(dir, 'reopen', n);
    const store = SqliteEventStore.open(file('events.db'));
    await store.append('tenant:t1', 0, [ev('A'), ev('B')]);
    await store.close();
    const queue = SqliteQueue.open(file('queue.db'), { workflow: { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 } });
    await queue.send('workflow', 'durable');
    await queue.close();
    const rmodels = SqliteReadModels.open(file('rm.db'));
    await rmodels.put('tenants', 't1', { id: 't1' });
    await rmodels.close();
    const ops = SqliteOperationalStore.open(file('ops.db'));
    await ops.putCheckpoint('p', '2');
    await ops.close();
    await new FileBlobStore(file('blobs')).put('tenants/t1/packs/p1', Buffer.from('pack'));

    const store2 = SqliteEventStore.open(file('events.db'));
    const events = await store2.readStream('tenant:t1');
    assert.deepEqual(events.map((e) => e.type), ['A', 'B']);
    assert.equal(verifyStream(events), undefined);
    assert.equal((await store2.append('tenant:t1', 2, [ev('C')]))[0]?.version, 3, 'the chain continues after reopen');
    assert.equal(verifyStream(await store2.readStream('tenant:t1')), undefined);
    assert.equal((await store2.readAll()).events.length, 3);
    await store2.close();
    const queue2 = SqliteQueue.open(file('queue.db'), { workflow: { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 } });
    assert.deepEqual((await queue2.receive('workflow')).map((m) => m.body), ['durable']);
    await queue2.close();
    const rm2 = SqliteReadModels.open(file('rm.db'));
    assert.deepEqual(await rm2.get('tenants', 't1'), { id: 't1' });
    await rm2.close();
    const ops2 = SqliteOperationalStore.open(file('ops.db'));
    assert.equal(await ops2.getCheckpoint('p'), '2');
    await ops2.close();
    assert.equal((await new FileBlobStore(file('blobs')).get('tenants/t1/packs/p1')).toString(), 'pack');
  });

  it('modes: blob files 0600, blob dirs 0700, database files 0600; no temp files left behind', async () => {
    const root = join(dir, 'modes', 'blobs');
    const blobs = new FileBlobStore(root);
    await blobs.put('tenants/t1/packs/p1', Buffer.from('x'));
    await blobs.put('tenants/t1/packs/p1', Buffer.from('x'));
    await assert.rejects(blobs.put('tenants/t1/packs/p1', Buffer.from('y')));
    assert.equal((await stat(join(root, 'tenants/t1/packs/p1'))).mode & 0o777, 0o600);
    for (const d of ['', 'tenants', 'tenants/t1', 'tenants/t1/packs']) assert.equal((await stat(join(root, d))).mode & 0o777, 0o700, `dir ${d}`);
    assert.deepEqual(await readdir(join(root, 'tenants/t1/packs')), ['p1'], 'no temp file left');
    const store = SqliteEventStore.open(join(dir, 'modes', 'events.db'));
    await store.append('tenant:t1', 0, [ev('A')]);
    for (const f of await readdir(join(dir, 'modes'))) {
      if (f.startsWith('events.db')) assert.equal((await stat(join(dir, 'modes', f))).mode & 0o777, 0o600, f);
    }
    await store.close();
  });

  it('getRange reads only the range: the last bytes of a 3 GiB sparse blob file (too large for a whole-file read) come back; a key that is a directory is NotFoundError', async () => {
    const root = join(dir, 'ranged', 'blobs');
    const blobs = new FileBlobStore(root);
    await blobs.put('tenants/t1/packs/small', Buffer.from('x'));
    const size = 3 * 1024 ** 3;
    const tail = Buffer.from('the end of a big pack');
    const fh = await open(join(root, 'tenants/t1/packs/big'), 'wx', 0o600);
    try {
      await fh.truncate(size);
      await fh.write(tail, 0, tail.length, size - tail.length);
    } finally {
      await fh.close();
    }
    await assert.rejects(blobs.get('tenants/t1/packs/big'), 'a whole-file read cannot even answer');
    assert.ok((await blobs.getRange('tenants/t1/packs/big', size - tail.length, 4096)).equals(tail));
    assert.ok((await blobs.getRange('tenants/t1/packs/big', 2 * 1024 ** 3 + 5, 3)).equals(Buffer.alloc(3)), 'a hole reads as zeros, past 2 GiB');
    assert.equal((await blobs.getRange('tenants/t1/packs/big', size, 10)).length, 0);
    await assert.rejects(blobs.getRange('tenants/t1/packs', 0, 1), NotFoundError);
    await assert.rejects(blobs.getRange('tenants/t1/packs/small/deeper', 0, 1), NotFoundError);
  });

  it('operational listPage is one range of the primary key with LIMIT: no scan of the collection, no sort (EXPLAIN QUERY PLAN)', async () => {
    const file = join(dir, 'plan', 'operational.db');
    await SqliteOperationalStore.open(file).close();
    const db = openSqlite(file);
    try {
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${LIST_PAGE_SQL}`).all('uploads/t1/rp1', 'p1', 1001).map((r) => String(r.detail));
      assert.deepEqual(plan, ['SEARCH records USING PRIMARY KEY (collection=? AND id>?)']);
      assert.match(LIST_PAGE_SQL, /LIMIT \?$/);
    } finally {
      db.close();
    }
  });

  it('an invalid blob key never touches the file system outside the root', async () => {
    const root = join(dir, 'escape', 'blobs');
    await assert.rejects(new FileBlobStore(root).put('../outside', Buffer.from('x')));
    await assert.rejects(stat(join(dir, 'escape')), { code: 'ENOENT' });
  });

  it('two connections (worker threads) racing on one stream: exactly one append wins', async () => {
    const file = join(dir, 'race.db');
    SqliteEventStore.open(file).close();
    const moduleUrl = new URL('../../shared/adapters/local/sqlite-event-store.ts', import.meta.url).href;
    const go = new Int32Array(new SharedArrayBuffer(4));
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      let ready = false;
      (async () => {
        (await import('tsx/esm/api')).register();
        const { SqliteEventStore } = await import(workerData.moduleUrl);
        const store = SqliteEventStore.open(workerData.file);
        parentPort.postMessage('ready');
        ready = true;
        Atomics.wait(workerData.go, 0, 0);
        const ev = { type: 'W' + workerData.id, data: {}, at: '2025-01-01T00:00:00.000Z', actor: 'system:test' };
        const result = await store.append('rp:t1:race', 0, [ev, ev]).then(() => 'ok', (e) => e.name);
        await store.close();
        parentPort.postMessage(result);
      })().catch((e) => {
        if (!ready) parentPort.postMessage('ready');
        parentPort.postMessage('worker failed: ' + e);
      });`;
    const workers = [0, 1, 2].map((id) => new Worker(code, { eval: true, workerData: { moduleUrl, file, go, id } }));
    const results = workers.map((w) => new Promise<string[]>((resolve, reject) => {
      const messages: string[] = [];
      w.on('message', (m: string) => { messages.push(m); if (messages.length === 2) resolve(messages); });
      w.on('error', reject);
    }));
    await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));
    Atomics.store(go, 0, 1);
    Atomics.notify(go, 0);
    const outcomes = (await Promise.all(results)).map((m) => m[1]).sort();
    await Promise.all(workers.map((w) => w.terminate()));
    assert.deepEqual(outcomes, ['ConcurrencyError', 'ConcurrencyError', 'ok']);
    const store = SqliteEventStore.open(file);
    const events = await store.readStream('rp:t1:race');
    assert.equal(events.length, 2);
    assert.equal(verifyStream(events), undefined);
    await store.close();
  });

  it('SqliteQueue: visibility 0 never returns one message twice in one batch', async () => {
    const queue = SqliteQueue.open(join(dir, 'q0.db'), { q: { visibilityTimeoutSeconds: 0, maxReceiveCount: 100 } });
    await queue.send('q', 'one');
    const got = await queue.receive('q', { maxMessages: 10 });
    assert.deepEqual(got.map((m) => m.body), ['one']);
    assert.equal((await queue.receive('q'))[0]?.receiveCount, 2);
    await queue.close();
  });

  describe('FileSecretStore', () => {
    const mode = async (p: string) => (await stat(p)).mode & 0o777;

    it('writes the DATA/pki file names: keys, PKCS#12 and password 0600, certificates 0644, the directory 0700; no temp file left', async () => {
      const root = join(dir, 'secrets-modes', 'pki');
      const store = new FileSecretStore(root);
      const admin = sampleSecret(true);
      await store.putIfAbsent('admin', admin);
      await store.put('ca', sampleSecret(false));
      assert.deepEqual((await readdir(root)).sort(), ['admin-issuer.pem', 'admin-key.pem', 'admin.p12', 'admin.p12.password', 'admin.pem', 'ca-key.pem', 'ca.pem']);
      assert.equal(await mode(root), 0o700);
      for (const f of ['admin-key.pem', 'admin.p12', 'admin.p12.password', 'ca-key.pem']) assert.equal(await mode(join(root, f)), 0o600, f);
      for (const f of ['admin.pem', 'admin-issuer.pem', 'ca.pem']) assert.equal(await mode(join(root, f)), 0o644, f);
      assert.equal(await readFile(join(root, 'admin-key.pem'), 'utf8'), admin.privateKeyPem);
      assert.equal(await readFile(join(root, 'admin.p12.password'), 'utf8'), `${admin.pkcs12!.password}\n`);
      assert.ok((await readFile(join(root, 'admin.p12'))).equals(Buffer.from(admin.pkcs12!.der)));
    });

    it('get tightens a private file that was loosened back to 0600; a part removed from outside is missing, the rest is there', async () => {
      const root = join(dir, 'secrets-partial', 'pki');
      const store = new FileSecretStore(root);
      const s = sampleSecret(true);
      await store.put('enrollment', s);
      await chmod(join(root, 'enrollment-key.pem'), 0o644);
      await unlink(join(root, 'enrollment.p12.password'));
      await unlink(join(root, 'enrollment.pem'));
      const got = await store.get('enrollment');
      assert.equal(await mode(join(root, 'enrollment-key.pem')), 0o600);
      assert.deepEqual(got, { privateKeyPem: s.privateKeyPem, issuerCertificatePem: s.issuerCertificatePem }, 'no certificate, and no PKCS#12 without its password');
      const r = await store.putIfAbsent('enrollment', sampleSecret());
      assert.equal(r.created, false, 'a partial secret is not absent');
    });

    it('an invalid name never touches the file system', async () => {
      const root = join(dir, 'secrets-escape', 'pki');
      await assert.rejects(new FileSecretStore(root).put('../../outside', sampleSecret()));
      await assert.rejects(stat(join(dir, 'secrets-escape')), { code: 'ENOENT' });
    });
  });

  it('SqliteOperationalStore takes over, once, what a read-models.db of before it held: the checkpoints table and the operational collections', async () => {
    const legacyFile = join(dir, 'legacy', 'read-models.db');
    const legacy = openSqlite(legacyFile);
    legacy.exec(`CREATE TABLE documents (collection TEXT NOT NULL, id TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (collection, id)) WITHOUT ROWID;
      CREATE TABLE checkpoints (name TEXT PRIMARY KEY, cursor TEXT NOT NULL) WITHOUT ROWID;
      INSERT INTO checkpoints VALUES ('stream-dispatcher', '41');
      INSERT INTO documents VALUES ('notifications', 'n1', '{"id":"n1"}'), ('notifications', 'n2', '{"id":"n2","old":true}'),
        ('projection-dead-letters', '7', '{"position":"7"}'), ('tenants', 't1', '{"tenantId":"t1"}');`);
    legacy.close();
    const opsFile = join(dir, 'legacy', 'operational.db');
    const before = SqliteOperationalStore.open(opsFile);
    await before.put('notifications', 'n2', { id: 'n2', current: true });
    await before.close();
    const legacyOf = { file: legacyFile, collections: ['notifications', 'projection-dead-letters'] };

    const ops = SqliteOperationalStore.open(opsFile, legacyOf);
    assert.equal(await ops.getCheckpoint('stream-dispatcher'), '41');
    assert.deepEqual(await ops.list('notifications'), [{ id: 'n1' }, { id: 'n2', current: true }], 'a record already here wins');
    assert.deepEqual(await ops.list('projection-dead-letters'), [{ position: '7' }]);
    await ops.putCheckpoint('stream-dispatcher', '42');
    await ops.close();
    const readModels = SqliteReadModels.open(legacyFile);
    assert.deepEqual(await readModels.list('notifications'), [], 'moved out of the read models');
    assert.deepEqual(await readModels.list('tenants'), [{ tenantId: 't1' }], 'projections stay');
    await readModels.close();
    const again = SqliteOperationalStore.open(opsFile, legacyOf);
    assert.equal(await again.getCheckpoint('stream-dispatcher'), '42', 'once: a reopen moves nothing back');
    await again.close();
    const fresh = SqliteOperationalStore.open(join(dir, 'legacy', 'fresh.db'), { file: join(dir, 'legacy', 'none.db'), collections: ['notifications'] });
    assert.equal(await fresh.getCheckpoint('stream-dispatcher'), undefined);
    await fresh.close();
    await assert.rejects(stat(join(dir, 'legacy', 'none.db')), { code: 'ENOENT' }, 'no legacy file is created');
  });

  describe('LocalNotifier', () => {
    const note = (id: string, at: string, subject = `subject ${id}`): Notification => ({ id, at, kind: 'pairing-request', subject, body: 'b' });

    it('is idempotent per id, logs one line per new notification, lists the newest first', async () => {
      const readModels = SqliteOperationalStore.open(join(dir, 'notify.db'));
      const lines: string[] = [];
      const notifier = new LocalNotifier(readModels, (l) => lines.push(l));
      await Promise.all([notifier.notify(note('n1', '2025-01-01T00:00:00Z')), notifier.notify(note('n1', '2025-01-01T00:00:00Z'))]);
      await notifier.notify(note('n1', '2025-01-01T00:00:00Z'));
      await notifier.notify(note('n2', '2025-01-03T00:00:00Z', 'evil\nsecond line'));
      await notifier.notify(note('n3', '2025-01-02T00:00:00Z'));
      assert.equal(lines.length, 3);
      assert.ok(lines.every((l) => !l.includes('\n')), 'one line each');
      assert.deepEqual((await notifier.recent()).map((n) => n.id), ['n2', 'n3', 'n1']);
      assert.deepEqual((await notifier.recent(1)).map((n) => n.id), ['n2']);
      const again = new LocalNotifier(readModels, (l) => lines.push(l));
      await again.notify(note('n1', '2025-01-01T00:00:00Z'));
      assert.equal(lines.length, 3, 'idempotent across instances (stored, not remembered)');
      await readModels.close();
    });
  });
});
