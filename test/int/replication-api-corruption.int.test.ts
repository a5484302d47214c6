/**
 * A stored chunk whose bytes no longer match its id (a flipped byte in its pack on disk) is
 * never served as good: the read is a 502 `Stored Chunk Corrupt` problem, one
 * `ChunkCorruptionDetected` is appended, `missing` reports the chunk from then on, and the next
 * replication re-sends it and heals the damage — into a new pack (`ChunkHealed`, reads served
 * from the new copy), or into the same pack id (its corrupt object replaced).
 */
import assert from 'node:assert/strict';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { packKey } from '../../shared/app/replication/storage.js';
import { relocatedCollection } from '../../shared/app/replication/damage.js';
import { uploadedChunks } from '../../shared/app/replication/upload-records.js';
import type { ChunkLocation } from '../../shared/format/rp-index.js';
import { streams } from '../../shared/ids.js';
import { buildRp, makeVolume, packsOf, readChunks, replicate, restore, startHarness, type BuiltRp, type Harness, type Volume } from '../support/replication-api-harness.js';

const CORRUPT = 'https://drcore.dev/problems/stored-chunk-corrupt';

describe('a corrupt stored chunk', () => {
  let h: Harness;
  let A: string;
  const M = 'db-01';

  before(async () => {
    h = await startHarness();
    A = h.tenantA;
    assert.equal((await h.call(A, 'PUT', `/v1/machines/${M}`, {})).status, 201);
  });
  after(async () => { await h.close(); });

  const locationOf = async (rpId: string, id: string): Promise<ChunkLocation> => (await uploadedChunks(h.deps, A, rpId)).chunks.get(id)!;
  /** Flips the last byte of the chunk inside its stored pack file, as a failing disk would. */
  const flipStoredByte = async (rpId: string, id: string): Promise<ChunkLocation> => {
    const r = await locationOf(rpId, id);
    const fh = await open(join(h.dir, 'data', 'blobs', packKey(A, r.pack)), 'r+');
    try {
      const at = r.offset + r.length - 1;
      const b = Buffer.alloc(1);
      await fh.read(b, 0, 1, at);
      b[0] = (b[0] ?? 0) ^ 0x5a;
      await fh.write(b, 0, 1, at);
    } finally {
      await fh.close();
    }
    return r;
  };
  const missingOf = async (rpId: string, rp: BuiltRp): Promise<string[]> => {
    const r = await h.call(A, 'POST', `/v1/machines/${M}/recovery-points/${rpId}/missing`, { chunks: [...rp.chunks.keys()] });
    assert.equal(r.status, 200, r.body.toString());
    return r.json['missing'] as string[];
  };
  const integrityEvents = (id: string) => h.deps.events.readStream(streams.chunk(A, id));
  const corruptionEvents = async (id: string) => (await integrityEvents(id)).filter((e) => e.type === 'ChunkCorruptionDetected');
  const read = (rpId: string, id: string) => readChunks(h, A, M, rpId, [id]);
  const assertRestores = async (rpId: string, volumes: readonly Volume[]) => {
    const restored = await restore(h, A, M, rpId);
    for (const v of volumes) assert.ok(restored.get(v.name)?.equals(v.bytes), `${rpId} ${v.name} byte-identical`);
  };

  it('is answered 502 with one event, then counts as missing, and a replication that re-sends it in a new pack heals it', async () => {
    const volumes = [makeVolume('sda', 6, 0)];
    const rp = buildRp(volumes);
    assert.equal((await replicate(h, A, M, 'rp-1', rp)).status, 201);
    const id = [...rp.chunks.keys()][0]!; // a data chunk, in a pack of three that nothing has read yet
    const bad = await flipStoredByte('rp-1', id);

    const got = await read('rp-1', id);
    assert.equal(got.status, 502, got.body.toString());
    assert.match(got.headers['content-type'] ?? '', /application\/problem\+json/);
    assert.equal(got.json['type'], CORRUPT);
    assert.equal(got.json['title'], 'Stored Chunk Corrupt');
    assert.ok(!got.body.includes(rp.chunks.get(id)!.subarray(0, 32)), 'no chunk bytes in the answer');
    const events = await corruptionEvents(id);
    assert.equal(events.length, 1);
    assert.equal(events[0]?.type, 'ChunkCorruptionDetected');
    const { actualSha256, ...data } = events[0]?.data as Record<string, unknown>;
    assert.deepEqual(data, { tenantId: A, chunk: id, pack: bad.pack, offset: bad.offset, length: bad.length });
    assert.match(String(actualSha256), /^[0-9a-f]{64}$/);
    assert.notEqual(actualSha256, id);

    const again = await read('rp-1', id);
    assert.equal(again.status, 502, 'still never served');
    assert.equal((await corruptionEvents(id)).length, 1, 'the corruption is recorded once');
    assert.deepEqual(await missingOf('rp-1', rp), [id], '`missing` reports it, and only it');

    // The next replication of that RP re-sends it (in a new pack of one chunk); the commit is a repeat.
    const commit = await replicate(h, A, M, 'rp-1', rp);
    assert.equal(commit.status, 200, commit.body.toString());
    const healed = await read('rp-1', id);
    assert.equal(healed.status, 200, healed.body.toString());
    assert.ok(healed.chunks[0]?.equals(rp.chunks.get(id)!), 'the right bytes');
    const moved = await h.deps.operational.get<ChunkLocation>(relocatedCollection(A), id);
    assert.ok(moved && moved.pack !== bad.pack, 'reads are pointed at the new pack');
    assert.deepEqual((await integrityEvents(id)).map((e) => e.type), ['ChunkCorruptionDetected', 'ChunkHealed']);
    assert.deepEqual(await missingOf('rp-1', rp), []);
    await assertRestores('rp-1', volumes);
    assert.equal((await corruptionEvents(id)).length, 1);
  });

  it('heals when the very same pack is sent again (its corrupt object is replaced, create-once or not)', async () => {
    const volumes = [makeVolume('sdb', 4, 2)];
    const rp = buildRp(volumes);
    const packs = packsOf(rp.chunks.values(), 1);
    for (const p of packs) {
      const put = await h.call(A, 'PUT', `/v1/machines/${M}/recovery-points/rp-2/packs/${p.id}`, p.bytes);
      assert.equal(put.status, 201, put.body.toString());
    }
    const commit = await h.call(A, 'POST', `/v1/machines/${M}/recovery-points/rp-2/commit`, { kind: rp.kind, manifest: rp.manifest, volumes: rp.volumes });
    assert.equal(commit.status, 201, commit.body.toString());
    const id = [...rp.chunks.keys()][0]!;
    const pack = packs.find((p) => p.chunkIds.includes(id))!;
    const bad = await flipStoredByte('rp-2', id);
    assert.equal(bad.pack, pack.id);

    const got = await read('rp-2', id);
    assert.equal(got.status, 502, got.body.toString());
    assert.equal(got.json['type'], CORRUPT);
    assert.equal((await corruptionEvents(id)).length, 1);
    assert.deepEqual(await missingOf('rp-2', rp), [id]);

    const resend = await h.call(A, 'PUT', `/v1/machines/${M}/recovery-points/rp-2/packs/${pack.id}`, pack.bytes);
    assert.equal(resend.status, 201, resend.body.toString());
    assert.equal(resend.json['created'], true);
    const healed = await read('rp-2', id);
    assert.equal(healed.status, 200, healed.body.toString());
    assert.ok(healed.chunks[0]?.equals(rp.chunks.get(id)!));
    assert.deepEqual(await missingOf('rp-2', rp), []);
    await assertRestores('rp-2', volumes);
    assert.equal((await corruptionEvents(id)).length, 1);
  });
});
