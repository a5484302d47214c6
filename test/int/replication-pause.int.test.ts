/**
 * Issue 13 "Done when": the operator pauses the tenant mid-run; the source's next writes get 423
 * Replication Paused with the reason; it waits; once resumed the run completes, and nothing was
 * uploaded twice (each pack stored once, created once, charged once). Over real mTLS against an
 * in-process core, with the real source (source/replicate.ts) and a byte-identical restore.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiClient } from '../../cli/http-client.js';
import { streams } from '../../shared/ids.js';
import { replicate } from '../../source/replicate.js';
import { restore } from '../../source/restore.js';
import type { HttpResponse } from '../../source/client.js';
import { HttpsTransport } from '../../source/transport.js';
import { startCore, type TestCore } from '../support/in-process-core.js';
import { pairSource, sourceApi, type PairedSource } from '../support/paired-source.js';

const MiB = 1024 * 1024;
const image = (size: number, seed: number) => createCipheriv('aes-128-ctr', Buffer.alloc(16, seed), Buffer.alloc(16)).update(Buffer.alloc(size));

/** The source's transport, counting each pack PUT's answer, with a hook after each. */
class CountingTransport extends HttpsTransport {
  readonly packAnswers: { packId: string; status: number; created?: boolean }[] = [];
  afterPack: (() => Promise<void>) | undefined;
  override async send(method: string, path: string, body?: Buffer, contentType?: string): Promise<HttpResponse> {
    const res = await super.send(method, path, body, contentType);
    const m = /\/packs\/([0-9a-f]{64})$/.exec(path);
    if (method === 'PUT' && m) {
      const created = res.status < 300 ? (JSON.parse(res.body.toString('utf8')) as { created: boolean }).created : undefined;
      this.packAnswers.push({ packId: m[1]!, status: res.status, ...(created !== undefined ? { created } : {}) });
      await this.afterPack?.();
    }
    return res;
  }
}

describe('pause and resume mid-run (423 Replication Paused; the source waits; nothing uploaded twice)', () => {
  let t: TestCore;
  let admin: ApiClient;
  let src: PairedSource;
  const dir = mkdtempSync(join(tmpdir(), 'drcore-pause-'));

  before(async () => {
    t = await startCore();
    admin = await t.client('admin');
    src = await pairSource(t, join(dir, 'state'), 'pause-src');
  });
  after(async () => {
    await t.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the tenant is paused after the second pack, resumed later; the RP commits with every pack stored once and restores byte-identical', async () => {
    const img = join(dir, 'sda.img');
    writeFileSync(img, image(8 * 4 * MiB + 12_345, 3)); // random: one 4 MiB pack per extent, 9 packs and the manifest
    const transport = new CountingTransport(t.url, src.identity, 4);
    const pausedSeen: string[] = [];
    const { api } = sourceApi(t, src, transport, { attempts: 6, baseDelayMs: 50, pausedPollMs: 100, onPaused: (reason) => pausedSeen.push(reason) });
    let paused = false;
    let resumeAt: Promise<void> | undefined;
    transport.afterPack = async () => {
      const ok = transport.packAnswers.filter((a) => a.status < 300).length;
      if (!paused && ok === 2) {
        paused = true;
        const r = await admin.json<{ paused: boolean }>('POST', `/v1/admin/tenants/${src.tenantId}/replication/pause`, { reason: 'storage maintenance until 02:00' });
        assert.equal(r.paused, true);
      }
      if (paused && !resumeAt && transport.packAnswers.filter((a) => a.status === 423).length >= 3) {
        resumeAt = new Promise((r) => setTimeout(r, 400)).then(async () => {
          await admin.json('POST', `/v1/admin/tenants/${src.tenantId}/replication/resume`, {});
        });
      }
    };
    try {
      const result = await replicate({ api, stateDir: src.stateDir, machineId: 'm-pause', volumes: [{ name: 'sda', path: img }], parallel: 2 });
      await resumeAt;
      assert.equal(result.kind, 'base');
      const refused = transport.packAnswers.filter((a) => a.status === 423);
      const accepted = transport.packAnswers.filter((a) => a.status < 300);
      assert.ok(refused.length >= 3, `the source was refused while paused (${refused.length} × 423)`);
      // Told once per request that met the pause (at most one per upload lane), with the operator's reason.
      assert.ok(pausedSeen.length >= 1 && pausedSeen.length <= 2, `told of the pause ${pausedSeen.length} times`);
      assert.ok(pausedSeen.every((r) => r === 'storage maintenance until 02:00'), 'the reason reached the source');
      assert.equal(new Set(accepted.map((a) => a.packId)).size, accepted.length, 'no pack was accepted twice');
      assert.ok(accepted.every((a) => a.created === true), 'every accepted pack was new: nothing re-uploaded');
      assert.equal(accepted.length, result.packs, 'the run counted the packs the target accepted');
      assert.ok(refused.every((a) => accepted.some((b) => b.packId === a.packId)), 'every refused pack was sent again after the resume');

      const types = (await t.deps.events.readStream(streams.tenant(src.tenantId))).map((e) => e.type);
      assert.deepEqual(types.filter((ty) => ty.startsWith('TenantReplication')), ['TenantReplicationPaused', 'TenantReplicationResumed']);
      const storage = await t.deps.events.readStream(streams.storage(src.tenantId));
      assert.equal(storage.filter((e) => e.type === 'StorageCharged').length, accepted.length, 'each pack charged once');

      const out = join(dir, 'out');
      const restored = await restore({ api, machineId: 'm-pause', rp: result.rpId, outDir: out, parallel: 2 });
      assert.ok(readFileSync(restored.files[0]!.file).equals(readFileSync(img)), 'the restore is byte-identical');
    } finally {
      transport.close();
    }
  });
});
