/**
 * Compatibility (issue 10 item 7): a recovery point committed in storage layout 1 — chunks found
 * through one record object per chunk, no RP index — is never misread: its reads are refused with
 * 409 Storage Migration Required, naming the command; `POST /v1/admin/storage-migration` (what
 * `drcore admin migrate-storage` loops over) indexes it from its chunk records, after which it
 * restores byte-identical; a second run changes nothing; an RP whose records are incomplete is
 * reported and stays refused.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { recoveryPointHandler } from '../../shared/app/handlers.js';
import { layoutOneChunkKey } from '../../shared/app/replication/migrate-storage.js';
import { uploadedChunks } from '../../shared/app/replication/upload-records.js';
import { streams } from '../../shared/ids.js';
import { buildRp, makeVolume, packsOf, readChunks, restore, startHarness, type BuiltRp, type Harness } from '../support/replication-api-harness.js';

const P = 'https://drcore.dev/problems/';

describe('storage layout 1 → 2 migration', () => {
  let h: Harness;
  let A: string;
  const M = 'old-01';
  before(async () => {
    h = await startHarness();
    A = h.tenantA;
    assert.equal((await h.call(A, 'PUT', `/v1/machines/${M}`, {})).status, 201);
  });
  after(async () => { await h?.close(); });

  /** What a layout-1 core left: the packs, one record object per chunk, and a commit event without an index. */
  async function layoutOneRp(rpId: string, rp: BuiltRp, skipRecord?: string): Promise<void> {
    for (const p of packsOf(rp.chunks.values(), 3)) {
      const r = await h.call(A, 'PUT', `/v1/machines/${M}/recovery-points/${rpId}/packs/${p.id}`, p.bytes);
      assert.equal(r.status, 201, r.body.toString());
    }
    for (const [id, l] of (await uploadedChunks(h.deps, A, rpId)).chunks) {
      if (id === skipRecord) continue;
      const record = { pack: l.pack, offset: l.offset, length: l.length, machine: M, rp: rpId };
      await h.deps.blobs.put(layoutOneChunkKey(A, id), Buffer.from(JSON.stringify(record)));
    }
    const referencedBytes = [...rp.chunks.values()].reduce((n, c) => n + c.length, 0);
    await recoveryPointHandler(h.deps, { tenantId: A, rpId }, {
      type: 'CommitRecoveryPoint',
      data: { tenantId: A, machineId: M, rpId, kind: 'base', manifest: rp.manifest, volumes: rp.volumes, chunkCount: rp.chunks.size, referencedBytes, addedBytes: referencedBytes },
      quota: { quotaBytes: 1 << 30, usedBytes: 0 },
    }, 'layout-1 core');
  }

  it('refuses reads of a layout-1 RP with 409, indexes it on migration, then restores it byte-identical; a rerun does nothing', async () => {
    const volumes = [makeVolume('sda', 5, 11)];
    const rp = buildRp(volumes);
    await layoutOneRp('rp-old', rp);

    const view = await h.call(A, 'GET', `/v1/machines/${M}/recovery-points/rp-old`);
    assert.equal(view.json['storageLayout'], 1);
    const refused = await readChunks(h, A, M, 'rp-old', [rp.manifest]);
    assert.equal(refused.status, 409, refused.body.toString());
    assert.equal(refused.json['type'], `${P}storage-migration-required`);
    assert.match(String(refused.json['detail']), /drcore admin migrate-storage/);

    const step = await h.admin('POST', '/v1/admin/storage-migration', {});
    assert.equal(step.status, 200, step.body.toString());
    assert.deepEqual(step.json['migrated'], [{ tenantId: A, rpId: 'rp-old', chunks: rp.chunks.size }]);
    assert.deepEqual(step.json['failed'], []);
    assert.equal(step.json['done'], true);
    const events = await h.deps.events.readStream(streams.rp(A, 'rp-old'));
    assert.deepEqual(events.map((e) => e.type), ['RecoveryPointCommitted', 'RecoveryPointIndexed']);
    assert.equal((await h.call(A, 'GET', `/v1/machines/${M}/recovery-points/rp-old`)).json['storageLayout'], 2);

    const restored = await restore(h, A, M, 'rp-old');
    assert.ok(restored.get('sda')?.equals(volumes[0]!.bytes), 'byte-identical after the migration');

    const again = await h.admin('POST', '/v1/admin/storage-migration', {});
    assert.deepEqual([again.json['migrated'], again.json['failed'], again.json['done']], [[], [], true], 'idempotent');
    assert.equal((await h.deps.events.readStream(streams.rp(A, 'rp-old'))).length, 2);
  });

  it('an RP whose chunk records are incomplete is reported, not indexed, and stays refused', async () => {
    const rp = buildRp([makeVolume('sdb', 4, 12)]);
    const lost = [...rp.chunks.keys()].find((id) => id !== rp.manifest)!;
    await layoutOneRp('rp-broken', rp, lost);
    const step = await h.admin('POST', '/v1/admin/storage-migration', {});
    assert.equal(step.status, 200, step.body.toString());
    const failed = step.json['failed'] as { rpId: string; reason: string }[];
    assert.equal(failed.length, 1);
    assert.equal(failed[0]?.rpId, 'rp-broken');
    assert.match(failed[0]!.reason, new RegExp(lost));
    assert.equal((await readChunks(h, A, M, 'rp-broken', [rp.manifest])).status, 409);
  });
});
