/**
 * Quotas that hold (issue 10, item 3): bytes are charged at pack upload on the tenant's storage
 * counter (`storage:<tenantId>`), before the pack is stored. A pack past the quota is refused
 * with `Quota Exceeded` and nothing is stored; each stored pack counts once (its stored size),
 * whichever machine or RP uploaded it, committed or not; parallel uploads never overshoot. Run on the local
 * adapters (SQLite, files) and on the AWS adapters against dynalite and s3rver (test/support/
 * emulators.ts: dynalite appends 'emulated-sequential', still conditional on the stream version;
 * s3rver behind the shim that answers If-None-Match as S3 does, so pack objects are create-once).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storageHandler, tenantHandler } from '../../shared/app/handlers.js';
import { uploadPack } from '../../shared/app/replication/pack-service.js';
import { packKey } from '../../shared/app/replication/storage.js';
import { getUploadRecord } from '../../shared/app/replication/upload-records.js';
import { streams } from '../../shared/ids.js';
import type { BlobStore } from '../../shared/ports/blob-store.js';
import { encodePack, type EncodedPack } from '../../shared/format/index.js';
import { awsHarnessAdapters } from '../support/aws-harness-adapters.js';
import { buildRp, makeVolume, startHarness, type Harness } from '../support/replication-api-harness.js';

const P = 'https://drcore.dev/problems/';
const QUOTA = 300_000;

/** Distinct random chunks of ~64 KiB each (random extents do not compress). */
function randomChunks(n: number, seed: number): Buffer[] {
  const rp = buildRp([makeVolume('sda', n * 4, seed)]);
  return [...rp.chunks.values()].filter((c) => c.length > 60_000).slice(0, n);
}

function quotaSuite(name: string, start: () => Promise<Harness>): void {
  describe(`quota at pack upload (${name})`, () => {
    let h: Harness;
    before(async () => { h = await start(); });
    after(async () => { await h?.close(); });

    const put = (tenant: string, machine: string, rpId: string, p: EncodedPack) =>
      h.call(tenant, 'PUT', `/v1/machines/${machine}/recovery-points/${rpId}/packs/${p.id}`, p.bytes);
    const used = async (tenant: string): Promise<number> => (await storageHandler.load(h.deps, tenant)).state.usedBytes;
    const stored = async (tenant: string, rpId: string, p: EncodedPack): Promise<{ pack: boolean; record: boolean }> => ({
      pack: (await h.deps.blobs.head(packKey(tenant, p.id))) !== undefined,
      record: (await getUploadRecord(h.deps, tenant, rpId, p.id)) !== undefined,
    });

    it('a pack past the quota → 422 Quota Exceeded with the figures; no blob, no upload record, no event', async () => {
      const t = h.tenantA;
      assert.equal((await h.call(t, 'PUT', '/v1/machines/m-a', {})).status, 201);
      const ok = encodePack(randomChunks(2, 1));
      assert.equal((await put(t, 'm-a', 'rp-a1', ok)).status, 201);
      assert.equal(await used(t), ok.bytes.length, 'the accepted pack is charged its stored size, before any commit');

      const pack = encodePack(randomChunks(4, 2));
      assert.ok(ok.bytes.length + pack.bytes.length > QUOTA);
      const [events, blobs] = [await h.logSize(), await h.blobCount()];
      const r = await put(t, 'm-a', 'rp-a1', pack);
      assert.equal(r.status, 422, r.body.toString());
      assert.equal(r.headers['content-type'], 'application/problem+json');
      assert.equal(r.json['type'], `${P}quota-exceeded`);
      assert.equal(r.json['title'], 'Quota Exceeded');
      assert.equal(r.json['quotaBytes'], QUOTA);
      assert.equal(r.json['usedBytes'], ok.bytes.length);
      assert.equal(r.json['addedBytes'], pack.bytes.length);
      assert.equal(await h.logSize(), events, 'no event');
      assert.equal(await h.blobCount(), blobs, 'nothing stored');
      assert.deepEqual(await stored(t, 'rp-a1', pack), { pack: false, record: false }, 'no pack blob, no upload record');
      assert.equal(await used(t), ok.bytes.length);

      // A repeat of the accepted pack is not charged again.
      assert.equal((await put(t, 'm-a', 'rp-a1', ok)).status, 200);
      assert.equal(await used(t), ok.bytes.length, 'a retried upload is charged once');
    });

    it('the same pack uploaded by two machines is stored once and charged once, and recorded for both RPs', async () => {
      const t = h.tenantB;
      for (const m of ['m-1', 'm-2']) assert.equal((await h.call(t, 'PUT', `/v1/machines/${m}`, {})).status, 201);
      const pack = encodePack(randomChunks(2, 3));
      assert.equal((await put(t, 'm-1', 'rp-1', pack)).status, 201);
      const again = await put(t, 'm-2', 'rp-2', pack);
      assert.equal(again.status, 200, again.body.toString());
      assert.equal(again.json['created'], false);
      assert.equal(await used(t), pack.bytes.length, 'one stored object, one charge');
      assert.deepEqual(await stored(t, 'rp-2', pack), { pack: true, record: true }, 'the second RP may reference its chunks');
    });
  });

  describe(`quota under concurrent uploads (${name})`, () => {
    let h: Harness;
    before(async () => { h = await start(); });
    after(async () => { await h?.close(); });

    it('N parallel uploads that together exceed the quota: the total charged never exceeds it, the refused ones stored nothing', async () => {
      const t = h.tenantA;
      assert.equal((await h.call(t, 'PUT', '/v1/machines/m-c', {})).status, 201);
      const packs = randomChunks(8, 4).map((c) => encodePack([c]));
      assert.ok(packs.reduce((n, p) => n + p.bytes.length, 0) > QUOTA * 1.5);
      const rpOf = (i: number) => `rp-c${i % 3}`;
      const replies = await Promise.all(packs.map((p, i) => h.call(t, 'PUT', `/v1/machines/m-c/recovery-points/${rpOf(i)}/packs/${p.id}`, p.bytes)));
      let acceptedBytes = 0;
      for (const [i, r] of replies.entries()) {
        const p = packs[i]!;
        const has = (await h.deps.blobs.head(packKey(t, p.id))) !== undefined;
        const record = (await getUploadRecord(h.deps, t, rpOf(i), p.id)) !== undefined;
        if (r.status === 201) { acceptedBytes += p.bytes.length; assert.ok(has && record); continue; }
        assert.equal(r.status, 422, r.body.toString());
        assert.equal(r.json['type'], `${P}quota-exceeded`);
        assert.deepEqual({ has, record }, { has: false, record: false }, 'a refused pack stored nothing');
      }
      const usedBytes = (await storageHandler.load(h.deps, t)).state.usedBytes;
      assert.ok(usedBytes <= QUOTA, `charged ${usedBytes} > quota ${QUOTA}`);
      assert.equal(usedBytes, acceptedBytes, 'exactly the accepted packs are charged');
      assert.ok(replies.some((r) => r.status === 422) && replies.some((r) => r.status === 201));
    });

    it('the same new pack uploaded twice at once: both charge, one stores it, the other releases its charge', async () => {
      const t = h.tenantB;
      assert.equal((await h.call(t, 'PUT', '/v1/machines/m-e', {})).status, 201);
      await tenantHandler(h.deps, t, { type: 'ChangeQuota', data: { tenantId: t, quotaBytes: 10 * QUOTA, adminSerial: '00ad' } }, 'test'); // room for both
      const pack = encodePack(randomChunks(2, 6));
      const key = packKey(t, pack.id);
      // Both uploads look the pack up before either stores it: the race made certain.
      let arrived = 0;
      let open = (): void => {};
      const both = new Promise<void>((r) => { open = r; });
      const inner = h.deps.blobs;
      const blobs: BlobStore = {
        put: (k, bytes, options) => inner.put(k, bytes, options),
        get: (k) => inner.get(k),
        getRange: (k, offset, length) => inner.getRange(k, offset, length),
        list: (prefix) => inner.list(prefix),
        listPage: (prefix, options) => inner.listPage(prefix, options),
        delete: (k) => inner.delete(k),
        head: async (k) => {
          if (k === key && arrived < 2) { if (++arrived === 2) open(); await both; }
          return inner.head(k);
        },
      };
      const deps = { ...h.deps, blobs };
      const usedBefore = (await storageHandler.load(h.deps, t)).state.usedBytes;
      const receipts = await Promise.all(['rp-e1', 'rp-e2'].map((rp) => uploadPack(deps, t, 'm-e', rp, pack.id, pack.bytes, 'source-core:test')));
      assert.deepEqual(receipts.map((r) => r.created).sort(), [false, true]);
      const events = await h.deps.events.readStream(streams.storage(t));
      const mine = events.filter((e) => (e.data as { packId: string }).packId === pack.id);
      assert.deepEqual(mine.map((e) => [e.type, (e.data as { bytes: number }).bytes]).sort(),
        [['StorageCharged', pack.bytes.length], ['StorageCharged', pack.bytes.length], ['StorageReleased', pack.bytes.length]].sort());
      assert.equal((await storageHandler.load(h.deps, t)).state.usedBytes - usedBefore, pack.bytes.length, 'the pack counts once');
    });
  });
}

quotaSuite('local adapters', () => startHarness(QUOTA));
quotaSuite('AWS adapters on dynalite and s3rver', async () => startHarness(QUOTA, await awsHarnessAdapters()));
