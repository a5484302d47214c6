/**
 * What pack uploads do for GC (shared/app/replication/pack-service.ts, issue 11 item 2): each
 * upload registers its RP for the day and records when it stored each pack (`storedAt`, the
 * deps clock); an upload that would count on a stored pack GC has condemned is refused with a
 * retryable 429 (Retry-After) and records nothing; an upload that found the pack stored but whose
 * pack GC deleted right after (the head) stores it anew and charges it, so the counter never
 * misses a stored pack. Local adapters and the AWS adapters against the emulators.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bucketOf, condemnedCollection, type CondemnedBucket } from '../../shared/app/lifecycle/gc/condemned-packs.js';
import { registryCollection } from '../../shared/app/lifecycle/gc/upload-registry.js';
import { uploadPack } from '../../shared/app/replication/pack-service.js';
import { packKey } from '../../shared/app/replication/storage.js';
import { getUploadRecord } from '../../shared/app/replication/upload-records.js';
import type { BlobStore } from '../../shared/ports/blob-store.js';
import { makeVolume } from '../support/replication-api-harness.js';
import { awsGcHarness, buildRp, DAY_MS, encodePack, localGcHarness, usedBytes, type GcHarness } from '../support/gc-scenario.js';

function suite(name: string, start: () => Promise<GcHarness>): void {
  describe(`pack uploads and GC (${name})`, () => {
    let g: GcHarness;
    before(async () => { g = await start(); });
    after(async () => { await g?.h.close(); });
    const chunks = (seed: number) => [...buildRp([makeVolume('sda', 4, seed)]).chunks.values()].slice(0, 2);

    it('registers the RP for the day of the upload and records storedAt from the deps clock', async () => {
      const { h, clock } = g;
      const T = h.tenantA;
      assert.equal((await h.call(T, 'PUT', '/v1/machines/m1', {})).status, 201);
      clock.offsetMs = 3 * DAY_MS;
      const p = encodePack(chunks(1));
      assert.equal((await h.call(T, 'PUT', `/v1/machines/m1/recovery-points/rp-1/packs/${p.id}`, p.bytes)).status, 201);
      const day = clock.now().toISOString().slice(0, 10);
      assert.equal((await h.deps.operational.get<{ machineId: string }>(registryCollection(T, day), 'rp-1'))?.machineId, 'm1');
      const storedAt = (await getUploadRecord(h.deps, T, 'rp-1', p.id))?.storedAt;
      assert.ok(storedAt !== undefined && Math.abs(Date.parse(storedAt) - clock.now().getTime()) < 60_000, `storedAt ${storedAt} is the deps clock's time`);
    });

    it('an upload that would count on a condemned pack → 429 with Retry-After, nothing recorded; once GC is done with it, the upload goes through', async () => {
      const { h } = g;
      const T = h.tenantA;
      const p = encodePack(chunks(2));
      assert.equal((await h.call(T, 'PUT', `/v1/machines/m1/recovery-points/rp-a/packs/${p.id}`, p.bytes)).status, 201);
      // The condemned set's bucket of the pack, as the GC's condemn writes it (another pack of the bucket listed before it).
      const other = `${p.id.slice(0, 2)}${'0'.repeat(62)}`;
      await h.deps.operational.put<CondemnedBucket>(condemnedCollection(T), bucketOf(p.id), { runId: 'gc-test', at: new Date().toISOString(), ids: `${other}${p.id}`, bytes: [10, p.bytes.length] });
      const used = await usedBytes(h.deps, T);
      const r = await h.call(T, 'PUT', `/v1/machines/m1/recovery-points/rp-b/packs/${p.id}`, p.bytes);
      assert.equal(r.status, 429, r.body.toString());
      assert.equal(r.headers['retry-after'], '60');
      assert.match(String(r.json['detail']), /being garbage-collected/);
      assert.equal(await getUploadRecord(h.deps, T, 'rp-b', p.id), undefined, 'no record: the upload did not count on the pack');
      assert.equal(await usedBytes(h.deps, T), used);
      await h.deps.operational.put<CondemnedBucket>(condemnedCollection(T), bucketOf(p.id), { runId: 'gc-test', at: new Date().toISOString(), ids: other, bytes: [10] });
      assert.equal((await h.call(T, 'PUT', `/v1/machines/m1/recovery-points/rp-b/packs/${p.id}`, p.bytes)).status, 200, 'only the packs the bucket lists are refused');
      await h.deps.operational.delete(condemnedCollection(T), bucketOf(p.id));
      assert.ok(await getUploadRecord(h.deps, T, 'rp-b', p.id));
    });

    it('a pack deleted between the upload\'s head and its put is stored anew and charged (the counter never misses a stored pack)', async () => {
      const { h } = g;
      const T = h.tenantA;
      const p = encodePack(chunks(3));
      assert.equal((await h.call(T, 'PUT', `/v1/machines/m1/recovery-points/rp-c/packs/${p.id}`, p.bytes)).status, 201);
      const key = packKey(T, p.id);
      const inner = h.deps.blobs;
      // GC deletes (and releases) the pack right after the next upload looked it up.
      const blobs: BlobStore = {
        put: (k, b, o) => inner.put(k, b, o), get: (k) => inner.get(k), getRange: (k, o, l) => inner.getRange(k, o, l),
        list: (pr) => inner.list(pr), listPage: (pr, o) => inner.listPage(pr, o), delete: (k) => inner.delete(k),
        head: async (k) => { const found = await inner.head(k); if (k === key) await inner.delete(k); return found; },
      };
      const used = await usedBytes(h.deps, T);
      const receipt = await uploadPack({ ...h.deps, blobs }, T, 'm1', 'rp-d', p.id, p.bytes, 'source-core:test');
      assert.equal(receipt.created, true);
      assert.ok(await inner.head(key), 'stored again');
      assert.equal(await usedBytes(h.deps, T), used + p.bytes.length, 'and charged, as a new pack (GC released the deleted one)');
      assert.equal((await getUploadRecord(h.deps, T, 'rp-d', p.id))?.charged, true);
    });
  });
}

suite('local adapters', () => localGcHarness());
suite('AWS adapters on dynalite and s3rver', () => awsGcHarness());
