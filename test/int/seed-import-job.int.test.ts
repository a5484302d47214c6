/**
 * The seed import job (issue 12) on the local adapters and on the AWS adapters against the
 * emulators (dynalite, s3rver, local-aws-sqs): a seed the source core's export wrote
 * (`exportSeed`, interrupted once and resumed) is put into the seed inbox as `aws s3 sync` would
 * (the local inbox directory; the data bucket's seed-inbox/ prefix), then imported by the
 * workflow worker's steps off the workflow queue — one file per step here — each step recording
 * its progress and queueing the next, a redelivered step changing nothing, the RP visible only
 * after the last step, and the stored bytes counted on the tenant's storage counter exactly as
 * the network path counts them. A folder outside the inbox is refused before anything is appended.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ensurePki } from '../../local/pki-bootstrap.js';
import { handleCommand } from '../../shared/app/command-handler.js';
import { registerCertificate } from '../../shared/app/certificate-service.js';
import type { AppDeps } from '../../shared/app/deps.js';
import { recoveryPointHandler, seedImportHandler } from '../../shared/app/handlers.js';
import { storageUsage } from '../../shared/app/replication/storage-quota.js';
import { requestSeedImport, seedImportStatus } from '../../shared/app/seed/seed-import-job.js';
import { SeedImportMessage } from '../../shared/app/workflows/seed-import-messages.js';
import { runSeedImportWorkflow } from '../../shared/app/workflows/seed-import-workflow.js';
import { DomainError } from '../../shared/domain/errors.js';
import { tenantDecider } from '../../shared/domain/tenant.js';
import { streams } from '../../shared/ids.js';
import { loadCa, newSerial } from '../../shared/pki/ca.js';
import { issueClientCertificate } from '../../shared/pki/client-cert.js';
import { generateKeyPair, privateKeyToPem } from '../../shared/pki/keys.js';
import { localDeps } from '../../shared/runtime/local-deps.js';
import { exportSeed, type SeedIdentity } from '../../source/seed-export.js';
import { awsHarnessAdapters } from '../support/aws-harness-adapters.js';
import type { HarnessAdapters } from '../support/replication-api-harness.js';

const MiB = 1024 * 1024;

/** Every file under `dir`, as keys relative to it. */
function filesUnder(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name), base) : [relative(base, join(dir, e.name))]));
}

function seedJobSuite(name: string, adapters: () => Promise<HarnessAdapters | undefined>): void {
  describe(`seed import job (${name}): resumable steps off the queue, feedback at each, usage as the network path`, { timeout: 300_000 }, () => {
    let dir: string;
    let deps: AppDeps;
    let harness: HarnessAdapters | undefined;
    let identity: SeedIdentity;
    const tenantId = 't-seed';

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'drcore-seed-job-'));
      const data = join(dir, 'data');
      harness = await adapters();
      deps = harness ? harness.deps(data) : localDeps(data);
      const pki = await ensurePki(data, { hostnames: [], events: deps.events });
      await handleCommand(deps.events, streams.tenant(tenantId), tenantDecider, {
        type: 'CreateTenant', data: { tenantId, name: tenantId, email: 'ops@example.com', quotaBytes: 2 ** 32, pairingRequestId: 'pr-seed', coreId: 'core-seed' },
      }, { at: new Date().toISOString(), actor: 'test' });
      const ca = loadCa(readFileSync(pki.caCert, 'utf8'), readFileSync(pki.caKey, 'utf8'));
      const keys = generateKeyPair();
      const cert = issueClientCertificate(ca, { publicKey: keys.publicKey, role: 'source-core', tenantId, commonName: 'seed source', serial: newSerial(), now: new Date() });
      await registerCertificate(deps, cert.certificatePem, 'test');
      identity = { tenantId, certificatePem: cert.certificatePem, privateKeyPem: privateKeyToPem(keys.privateKey), caPem: ca.certificatePem, target: 'https://localhost' };
    });
    after(async () => {
      if (harness) await harness.close();
      else await Promise.all([deps.events.close?.(), deps.queue.close?.(), deps.readModels.close?.(), deps.operational.close?.()]);
      rmSync(dir, { recursive: true, force: true });
    });

    it('an interrupted export resumes; the worker imports it in steps, each recorded, and commits only at the end', async () => {
      const image = join(dir, 'disk.img');
      writeFileSync(image, Buffer.concat([randomBytes(12 * MiB), Buffer.alloc(4 * MiB), randomBytes(6 * MiB)]));
      const out = join(dir, 'out');
      const options = { stateDir: join(dir, 'source'), machineId: 'm1', volumes: [{ name: 'sda', path: image }], out, maxSize: 10_000_000, identity, threads: 1 };
      await assert.rejects(exportSeed({ ...options, progress: (p) => { if (p.done >= 12 * MiB) throw new Error('power cut'); } }), /power cut/);
      const firstFile = join(out, 'medium-01', '000001.dseed');
      const before = statSync(firstFile);
      const seed = await exportSeed(options);
      assert.equal(seed.resumed, true);
      assert.equal(statSync(firstFile).ino, before.ino, 'a file written before the interruption is not written again');
      assert.ok(seed.media >= 2, `${seed.media} media of 10 MB`);

      // Into the inbox, as `aws s3 sync out s3://BUCKET/seed-inbox/m1-seed/` does (locally: a copy into the inbox directory).
      for (const key of filesUnder(out)) await deps.seedInbox!.put(`m1-seed/${key}`, readFileSync(join(out, key)));
      const asked = await requestSeedImport(deps, { tenantId, from: 'm1-seed' }, 'admin:test');
      assert.equal(asked.status, 'running');
      const usedBefore = (await storageUsage(deps, tenantId)).usedBytes;
      // The projector's outbox sends the first step; each step queues the next (one file per step: budget 0).
      await deps.queue.send('workflow', JSON.stringify({ type: 'SeedImportStep', importId: asked.importId }));
      let steps = 0;
      for (;;) {
        const [m] = await deps.queue.receive('workflow', { maxMessages: 1, waitSeconds: 0, visibilityTimeoutSeconds: 30 });
        if (!m) break;
        const message = SeedImportMessage.parse(JSON.parse(m.body));
        await runSeedImportWorkflow(deps, message, { budgetMs: 0 });
        if (steps === 2) await runSeedImportWorkflow(deps, message, { budgetMs: 0 }); // a redelivered step: harmless (it queues one more step)
        await deps.queue.delete('workflow', m.receiptHandle);
        steps++;
        const view = await seedImportStatus(deps, asked.importId);
        if (view.status === 'running') {
          const { state } = await recoveryPointHandler.load(deps, { tenantId, rpId: seed.rpId });
          assert.equal(state.status, 'none', `step ${steps}: the RP is not visible before the import completes`);
        }
        assert.ok(steps < 1000);
      }
      const view = await seedImportStatus(deps, asked.importId);
      assert.equal(view.status, 'completed', JSON.stringify(view));
      assert.ok(steps >= seed.files, `${steps} steps for ${seed.files} files`);
      const events = await deps.events.readStream(streams.seed(asked.importId));
      const types = events.map((e) => e.type);
      assert.equal(types[0], 'SeedImportRequested');
      assert.equal(types.at(-1), 'SeedImportCompleted');
      assert.ok(types.filter((t) => t === 'SeedImportProgressed').length >= seed.files, 'feedback at each step');
      const { state } = await recoveryPointHandler.load(deps, { tenantId, rpId: seed.rpId });
      assert.equal(state.status, 'committed');
      // Usage: each stored pack's size, once — what the storage counter charged is what the RP added.
      const used = (await storageUsage(deps, tenantId)).usedBytes - usedBefore;
      assert.equal(used, view.storedBytes);
      assert.equal(state.status === 'committed' && state.rp.addedBytes, used);

      // Done: a further (redelivered) step appends nothing.
      const n = (await seedImportHandler.load(deps, asked.importId)).version;
      await runSeedImportWorkflow(deps, { type: 'SeedImportStep', importId: asked.importId }, { budgetMs: 0 });
      assert.equal((await seedImportHandler.load(deps, asked.importId)).version, n);
      assert.deepEqual(await deps.queue.receive('workflow', { maxMessages: 1, waitSeconds: 0 }), [], 'and queues no further step');
    });

    it('refuses a folder outside the seed inbox, or with no seed, appending nothing', async () => {
      const count = async () => { let k = 0; for (let c: string | undefined, p; ; c = p.next) { p = await deps.events.readAll(c, 1000); k += p.events.length; if (!p.next || p.events.length === 0) return k; } };
      const n = await count();
      for (const from of ['../data', '/etc', join(dir, 'out'), 'a/../../b']) {
        await assert.rejects(requestSeedImport(deps, { tenantId, from }, 'admin:test'), (e: unknown) => e instanceof DomainError && e.reason === 'outside-seed-inbox', from);
      }
      await assert.rejects(requestSeedImport(deps, { tenantId, from: 'nothing-here' }, 'admin:test'), (e: unknown) => e instanceof DomainError && e.reason === 'no-seed');
      assert.equal(await count(), n);
    });
  });
}

seedJobSuite('local adapters', async () => undefined);
seedJobSuite('AWS adapters on dynalite, s3rver and local-aws-sqs', () => awsHarnessAdapters());
