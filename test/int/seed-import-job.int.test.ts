/**
 * The seed import job over the local adapters (issue 12): a seed the source core's export wrote
 * (`exportSeed`, interrupted once and resumed), imported in many small worker steps — each step
 * records its progress, a redelivered step changes nothing, the RP becomes visible only with the
 * last step — and counted on the tenant's storage counter exactly as the network path counts it.
 * A request naming a folder outside the inbox is refused before anything is appended.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ensurePki } from '../../local/pki-bootstrap.js';
import { handleCommand } from '../../shared/app/command-handler.js';
import { registerCertificate } from '../../shared/app/certificate-service.js';
import type { AppDeps } from '../../shared/app/deps.js';
import { recoveryPointHandler, seedImportHandler } from '../../shared/app/handlers.js';
import { storageUsage } from '../../shared/app/replication/storage-quota.js';
import { requestSeedImport, seedImportStatus, seedImportStep } from '../../shared/app/seed/seed-import-job.js';
import { DomainError } from '../../shared/domain/errors.js';
import { tenantDecider } from '../../shared/domain/tenant.js';
import { streams } from '../../shared/ids.js';
import { loadCa, newSerial } from '../../shared/pki/ca.js';
import { issueClientCertificate } from '../../shared/pki/client-cert.js';
import { generateKeyPair, privateKeyToPem } from '../../shared/pki/keys.js';
import { localDeps } from '../../shared/runtime/local-deps.js';
import { exportSeed, type SeedIdentity } from '../../source/seed-export.js';
import { readFileSync } from 'node:fs';

const MiB = 1024 * 1024;

describe('seed import job: resumable steps, feedback at each, usage as the network path', () => {
  let dir: string;
  let deps: AppDeps;
  let identity: SeedIdentity;
  const tenantId = 't-seed';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'drcore-seed-job-'));
    const data = join(dir, 'data');
    deps = localDeps(data);
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
    await Promise.all([deps.events.close?.(), deps.queue.close?.(), deps.readModels.close?.(), deps.operational.close?.()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('an interrupted export resumes; the import runs in steps, each recorded, and commits only at the end', async () => {
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

    cpSync(out, join(deps.seedInboxPath!, 'm1-seed'), { recursive: true });
    const asked = await requestSeedImport(deps, { tenantId, from: 'm1-seed' }, 'admin:test');
    assert.equal(asked.status, 'running');
    const usedBefore = (await storageUsage(deps, tenantId)).usedBytes;
    let steps = 0;
    for (;;) {
      const { done } = await seedImportStep(deps, asked.importId, { budgetMs: 0 }); // one file per step
      steps++;
      if (done) break;
      const { state } = await recoveryPointHandler.load(deps, { tenantId, rpId: seed.rpId });
      assert.equal(state.status, 'none', `step ${steps}: the RP is not visible before the import completes`);
      if (steps === 3) await seedImportStep(deps, asked.importId, { budgetMs: 0 }).then(() => seedImportStep(deps, asked.importId, { budgetMs: 0 }));
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
    assert.deepEqual(await seedImportStep(deps, asked.importId, { budgetMs: 0 }), { done: true });
    assert.equal((await seedImportHandler.load(deps, asked.importId)).version, n);
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
