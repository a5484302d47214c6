/**
 * Issue 13, item 3: the target limits a tenant's pack uploads in flight
 * (DRCORE_UPLOAD_CONCURRENCY_PER_TENANT); past it a PUT gets 429 Too Many Uploads
 * (application/problem+json, Retry-After) and nothing is stored; the source waits the
 * Retry-After plus jitter and sends again. A source with more upload lanes than the limit
 * completes, every pack stored and charged once, the restore byte-identical. Over real mTLS
 * against an in-process core, with the real source (source/replicate.ts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InProcessUploadSlots } from '../../shared/adapters/local/in-process-upload-slots.js';
import { streams } from '../../shared/ids.js';
import type { UploadSlot } from '../../shared/ports/upload-slots.js';
import { ENV } from '../../shared/runtime/env.js';
import { localDeps } from '../../shared/runtime/local-deps.js';
import { replicate } from '../../source/replicate.js';
import { restore } from '../../source/restore.js';
import type { HttpResponse } from '../../source/client.js';
import { HttpsTransport } from '../../source/transport.js';
import { startCore, type TestCore } from '../support/in-process-core.js';
import { pairSource, sourceApi, type PairedSource } from '../support/paired-source.js';

const MiB = 1024 * 1024;
const LIMIT = 2;
const LANES = 6;
const image = (size: number, seed: number) => createCipheriv('aes-128-ctr', Buffer.alloc(16, seed), Buffer.alloc(16)).update(Buffer.alloc(size));

/** The core's slots, remembering the most held at once per tenant. */
class WatchedSlots extends InProcessUploadSlots {
  readonly most = new Map<string, number>();
  override async acquire(tenantId: string, limit: number): Promise<UploadSlot | undefined> {
    const slot = await super.acquire(tenantId, limit);
    this.most.set(tenantId, Math.max(this.most.get(tenantId) ?? 0, this.inFlight(tenantId)));
    return slot;
  }
}

/** The source's transport, keeping each pack PUT's answer. */
class PackAnswers extends HttpsTransport {
  readonly answers: { packId: string; status: number; res: HttpResponse }[] = [];
  override async send(method: string, path: string, body?: Buffer, contentType?: string): Promise<HttpResponse> {
    const res = await super.send(method, path, body, contentType);
    const m = /\/packs\/([0-9a-f]{64})$/.exec(path);
    if (method === 'PUT' && m) this.answers.push({ packId: m[1]!, status: res.status, res });
    return res;
  }
}

describe('the target\'s per-tenant limit of uploads in flight (429 Too Many Uploads; the source backs off)', () => {
  let t: TestCore;
  let src: PairedSource;
  const slots = new WatchedSlots();
  const dir = mkdtempSync(join(tmpdir(), 'drcore-upload-limit-'));
  const before_ = process.env[ENV.uploadConcurrency];

  before(async () => {
    process.env[ENV.uploadConcurrency] = String(LIMIT);
    t = await startCore({ deps: (dataDir) => Object.assign(localDeps(dataDir), { uploadSlots: slots }) });
    src = await pairSource(t, join(dir, 'state'), 'limit-src');
  });
  after(async () => {
    if (before_ === undefined) delete process.env[ENV.uploadConcurrency];
    else process.env[ENV.uploadConcurrency] = before_;
    await t.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`a source with ${LANES} upload lanes against a limit of ${LIMIT} gets 429s, backs off, and completes with nothing lost`, async () => {
    const img = join(dir, 'sda.img');
    writeFileSync(img, image(11 * 4 * MiB + 777, 5)); // random: one 4 MiB pack per extent, 12 packs
    const transport = new PackAnswers(t.url, src.identity, LANES);
    const waits: number[] = [];
    const { api } = sourceApi(t, src, transport, {
      attempts: 3, baseDelayMs: 50,
      sleep: (ms) => { waits.push(ms); return new Promise((r) => setTimeout(r, ms / 10)); }, // the backoff as asked, run at 10× speed
    });
    try {
      const result = await replicate({ api, stateDir: src.stateDir, machineId: 'm-limit', volumes: [{ name: 'sda', path: img }], parallel: LANES });
      assert.equal(result.kind, 'base');

      const refused = transport.answers.filter((a) => a.status === 429);
      const accepted = transport.answers.filter((a) => a.status < 300);
      assert.ok(refused.length >= 1, `the source was refused past the limit (${refused.length} × 429 of ${transport.answers.length})`);
      assert.ok((slots.most.get(src.tenantId) ?? 0) <= LIMIT, `at most ${LIMIT} uploads were in flight on the target (saw ${slots.most.get(src.tenantId)})`);
      assert.equal(slots.inFlight(src.tenantId), 0, 'every slot was given back');

      // The refusal: a problem with a Retry-After, and the source waited at least that, with jitter.
      const problem = JSON.parse(refused[0]!.res.body.toString('utf8')) as Record<string, unknown>;
      assert.match(String(refused[0]!.res.headers['content-type']), /^application\/problem\+json/);
      assert.equal(refused[0]!.res.headers['retry-after'], '1');
      assert.deepEqual({ type: problem['type'], title: problem['title'], status: problem['status'], limit: problem['limit'], retryAfterSeconds: problem['retryAfterSeconds'] },
        { type: 'https://drcore.dev/problems/too-many-uploads', title: 'Too Many Uploads', status: 429, limit: LIMIT, retryAfterSeconds: 1 });
      const busyWaits = waits.filter((ms) => ms >= 1000);
      assert.equal(busyWaits.length, refused.length, 'each refusal was waited out (and none counted as a failed attempt)');
      assert.ok(busyWaits.every((ms) => ms < 2000), 'Retry-After plus at most as long again in jitter');
      assert.ok(new Set(busyWaits).size > 1 || busyWaits.length === 1, 'the waits are jittered');

      // Nothing lost, nothing twice: each pack accepted once, created once, charged once.
      assert.equal(new Set(accepted.map((a) => a.packId)).size, accepted.length, 'no pack was accepted twice');
      assert.equal(accepted.length, result.packs);
      assert.ok(refused.every((a) => accepted.some((b) => b.packId === a.packId)), 'every refused pack was sent again and stored');
      const storage = await t.deps.events.readStream(streams.storage(src.tenantId));
      assert.equal(storage.filter((e) => e.type === 'StorageCharged').length, accepted.length, 'each pack charged once (a refusal charges nothing)');

      const restored = await restore({ api, machineId: 'm-limit', rp: result.rpId, outDir: join(dir, 'out'), parallel: 2 });
      assert.ok(readFileSync(restored.files[0]!.file).equals(readFileSync(img)), 'the restore is byte-identical');
    } finally {
      transport.close();
    }
  });
});
