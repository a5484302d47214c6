/**
 * Seeding over external media (issue 12, docs/seeding.md), end to end: a spawned `drcore serve`,
 * the real CLI. A 512 MiB image's base RP is exported to two "media" (`--max-size`), an RP made
 * while the seed is in transit is stored and waits, the seed is copied into the core's seed
 * inbox and imported as a queued job, the waiting RP is committed, a 1 % change replicates
 * sending ≤ 1.3 × the changed bytes, and every RP restores byte-identical. Then bad seeds are
 * refused with a report naming each bad file, and nothing of them becomes visible: a flipped
 * byte, a truncated and a missing file, a medium of another set, another tenant, a seed made for
 * another core, a replay; and a folder outside the inbox. The seed files are unreadable without
 * the target's key.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { createPrivateKey, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mutateBlocks, writeImage } from '../../bench/image.js';
import { MediumLabel, openSeedFile, SeedManifest, unwrapDataKey } from '../../shared/format/seed.js';
import { CoreProcess, runCli, type CliRun, type PairedSource } from '../support/core-process.js';
import { replicate, restore, sameBytes, snapshot } from './source-cli.js';

const MiB = 1024 * 1024;
const SIZE = 512 * MiB;

interface Summary { rpId: string; kind: string; bytesSent: number; bytesChanged: number; waitingForSeed?: string }
interface SeedExport { seedId: string; mediumSetId: string; rpId: string; kind: string; media: number; files: number; bytes: number; out: string }
interface ImportView { importId: string; status: string; reason?: string; problems: { file: string; problem: string }[]; rpIds?: string[]; storedBytes?: number; seedId?: string }

const json = <T>(r: CliRun, what: string): T => {
  assert.equal(r.code, 0, `${what} failed (${r.code ?? r.signal}):\n${r.stderr}\n${r.stdout}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as T;
};

describe('seeding over external media (spawned core, real CLI)', { timeout: 600_000 }, () => {
  let dir: string;
  let core: CoreProcess;
  let a: PairedSource;
  let b: PairedSource;
  let image: string;
  let inbox: string;
  const admin = (args: string[]) => runCli(['admin', ...args, '--url', core.url, '--data', core.dataDir, '--json']);
  const importSeed = async (tenant: string, from: string): Promise<ImportView> => {
    const r = await admin(['seed', 'import', '--tenant', tenant, '--from', from]);
    assert.ok(r.code === 0 || r.code === 1, `seed import ran (${r.code}):\n${r.stderr}`);
    return JSON.parse(r.stdout.trim()) as ImportView;
  };
  const exportSeed = (state: string, machine: string, img: string, out: string, maxSize: string) =>
    runCli(['source', 'seed', 'export', '--machine', machine, '--volume', `sda=${img}`, '--out', out, '--max-size', maxSize, '--state', state, '--json']);
  /** Copies a seed folder into the inbox (hard links: the media are never changed in place by the test). */
  const intoInbox = (from: string, name: string): string => {
    const to = join(inbox, name);
    execFileSync('cp', ['-al', from, to]);
    return to;
  };
  /** A private copy (not linked) of one file, so it can be damaged. */
  const own = (file: string): void => { const tmp = `${file}.own`; copyFileSync(file, tmp); rmSync(file); copyFileSync(tmp, file); rmSync(tmp); };
  const rpsOf = async (state: string, machine: string): Promise<string[]> => {
    const r = await runCli(['source', 'list', '--machine', machine, '--state', state, '--json']);
    if (r.code !== 0) return [];
    return (JSON.parse(r.stdout) as { items: { rpId: string }[] }).items.map((i) => i.rpId);
  };

  let seed: SeedExport;
  let small: SeedExport;
  let smallImage: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'drcore-seed-'));
    core = await CoreProcess.start(join(dir, 'data'));
    inbox = join(core.dataDir, 'seed-inbox');
    mkdirSync(inbox, { recursive: true });
    a = await core.pairSource(join(dir, 'source-a'), 'seed-a-core');
    b = await core.pairSource(join(dir, 'source-b'), 'seed-b-core');
    image = join(dir, 'disk.img');
    writeImage(image, SIZE);
    smallImage = join(dir, 'small.img');
    writeImage(smallImage, 24 * MiB, 'small');
  });
  after(async () => {
    await core?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exports, stores an RP made in transit, imports, replicates only the change, and restores every RP byte-identical', async (t) => {
    const s0 = snapshot(image, join(dir, 's0.img'));
    const out = join(dir, 'media');
    let at = Date.now();
    const lap = (what: string): void => { t.diagnostic(`${what}: ${((Date.now() - at) / 1000).toFixed(1)} s`); at = Date.now(); };
    seed = json<SeedExport>(await exportSeed(a.stateDir, 'web-01', image, out, '300M'), 'seed export');
    lap('export');
    assert.equal(seed.kind, 'base');
    assert.equal(seed.media, 2, 'the 512 MiB base spans two 300 MB media');
    for (const m of ['medium-01', 'medium-02']) {
      const files = readdirSync(join(out, m));
      assert.ok(files.includes('seed.json') && files.includes('medium.json'), `${m} carries the manifest and its label`);
      const label = MediumLabel.parse(JSON.parse(readFileSync(join(out, m, 'medium.json'), 'utf8')));
      const used = files.reduce((n, f) => n + statSync(join(out, m, f)).size, 0);
      assert.ok(used <= 300e6, `${m} holds ${used} bytes, within --max-size`);
      assert.equal(label.files.length, files.filter((f) => f.endsWith('.dseed')).length, `${m}'s label lists each of its files`);
    }
    const manifest = SeedManifest.parse(JSON.parse(readFileSync(join(out, 'medium-01', 'seed.json'), 'utf8')));
    assert.equal(manifest.tenantId, a.tenantId);
    assert.deepEqual(manifest.rps.map((r) => r.rpId), [seed.rpId]);
    const listed = json<{ seeds: { seedId: string; status: string }[] }>(await runCli(['source', 'seed', 'list', '--state', a.stateDir, '--json']), 'seed list');
    assert.deepEqual(listed.seeds.map((s) => [s.seedId, s.status]), [[seed.seedId, 'outstanding']]);

    // In transit: a new RP is an incremental on the seeded one; its packs go to the target, its commit waits.
    const m1 = mutateBlocks(image, SIZE, 64 * 1024, 0.01, 21);
    const s1 = snapshot(image, join(dir, 's1.img'));
    const transit = json<Summary>(await replicate('web-01', a.stateDir, { sda: image }), 'replicate in transit');
    assert.equal(transit.kind, 'incremental');
    assert.equal(transit.waitingForSeed, seed.seedId, 'the source says the RP waits for the seed');
    assert.ok(transit.bytesSent <= 1.3 * m1.bytes, `in transit: sent ${transit.bytesSent} for ${m1.bytes} changed`);
    const again = json<Summary>(await replicate('web-01', a.stateDir, { sda: image }), 'replicate again in transit');
    assert.equal(again.rpId, transit.rpId, 'no second RP while the first one waits');
    assert.equal(again.waitingForSeed, seed.seedId);
    assert.deepEqual(await rpsOf(a.stateDir, 'web-01'), [], 'nothing visible before the import');
    lap('in transit');

    intoInbox(out, 'web-01-seed');
    const started = Date.now();
    const done = await importSeed(a.tenantId, 'web-01-seed');
    assert.equal(done.status, 'completed', `import: ${done.reason ?? ''} ${JSON.stringify(done.problems)}`);
    assert.deepEqual(done.rpIds, [seed.rpId]);
    assert.ok((done.storedBytes ?? 0) > 0, 'the seed counts in the tenant\'s usage');
    t.diagnostic(`imported ${seed.files} files (${seed.bytes} bytes) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const listing = json<{ items: { importId: string; status: string }[] }>(await admin(['seed-imports']), 'seed-imports');
    assert.ok(listing.items.some((i) => i.importId === done.importId && i.status === 'completed'));

    // After the import: the waiting RP is committed (nothing re-sent), the seed is consumed.
    const committed = json<Summary>(await replicate('web-01', a.stateDir, { sda: image }), 'replicate after the import');
    assert.equal(committed.rpId, transit.rpId);
    assert.equal(committed.waitingForSeed, undefined);
    assert.equal(committed.bytesSent, 0);
    const after1 = json<{ seeds: { seedId: string; status: string }[] }>(await runCli(['source', 'seed', 'list', '--state', a.stateDir, '--json']), 'seed list');
    assert.deepEqual(after1.seeds.map((s) => s.status), ['consumed']);

    const m2 = mutateBlocks(image, SIZE, 64 * 1024, 0.01, 22);
    const s2 = snapshot(image, join(dir, 's2.img'));
    const inc = json<Summary>(await replicate('web-01', a.stateDir, { sda: image }), 'incremental after the seed');
    assert.equal(inc.kind, 'incremental');
    assert.ok(inc.bytesSent <= 1.3 * m2.bytes, `sent ${inc.bytesSent} for ${m2.bytes} changed bytes`);
    t.diagnostic(`after the seed: changed ${m2.bytes}, sent ${inc.bytesSent} (${(inc.bytesSent / m2.bytes).toFixed(3)} ×)`);
    assert.deepEqual(await rpsOf(a.stateDir, 'web-01'), [seed.rpId, transit.rpId, inc.rpId]);
    lap('import and replicate');

    // The seeded base and the RP made in transit (the 1 % change), restored after the import. (The
    // incremental after them is the network path the replication e2e suite restores already.)
    assert.ok(s2);
    for (const [rp, snap] of [[seed.rpId, s0], [transit.rpId, s1]] as const) {
      const to = join(dir, `restore-${rp}`);
      const r = await restore('web-01', a.stateDir, rp, to);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(await sameBytes(join(to, 'sda.img'), snap), `${rp} restores byte-identical`);
      rmSync(to, { recursive: true, force: true });
      lap(`restore ${rp}`);
    }
  });

  it('a seed\'s files are unreadable without the target\'s key', () => {
    const out = join(dir, 'media');
    const manifest = SeedManifest.parse(JSON.parse(readFileSync(join(out, 'medium-01', 'seed.json'), 'utf8')));
    const label = MediumLabel.parse(JSON.parse(readFileSync(join(out, 'medium-01', 'medium.json'), 'utf8')));
    const file = label.files[0]!;
    const bytes = readFileSync(join(out, file.path));
    assert.equal(bytes.indexOf(Buffer.from('DRP1')), -1, 'no pack header in the clear');
    const sample = readFileSync(image).subarray(0, 4096); // random data at the image's start
    for (const f of label.files.slice(0, 8)) assert.equal(readFileSync(join(out, f.path)).indexOf(sample), -1, `${f.path} holds no plaintext of the image`);
    assert.throws(() => openSeedFile(bytes, randomBytes(32), { seedId: manifest.seedId, mediumSetId: manifest.mediumSetId, path: file.path }), /does not decrypt/);
    // The source's own key (the one other RSA key at hand) does not unwrap the data key: only the core's CA key does.
    const sourceKey = createPrivateKey(readFileSync(join(a.stateDir, 'key.pem'))).export({ type: 'pkcs8', format: 'pem' }).toString();
    assert.throws(() => unwrapDataKey(Buffer.from(manifest.key.wrapped, 'base64'), sourceKey));
    const caKey = readFileSync(join(core.dataDir, 'pki', 'ca-key.pem'), 'utf8');
    const key = unwrapDataKey(Buffer.from(manifest.key.wrapped, 'base64'), caKey);
    assert.equal(openSeedFile(bytes, key, { seedId: manifest.seedId, mediumSetId: manifest.mediumSetId, path: file.path }).subarray(0, 4).toString('latin1'), 'DRP1', 'with the CA key it is a pack');
  });

  it('refuses bad seeds with a report naming each bad file, and nothing of them becomes visible', async () => {
    const out = join(dir, 'small-media');
    small = json<SeedExport>(await exportSeed(a.stateDir, 'db-01', smallImage, out, '16M'), 'small seed export');
    assert.ok(small.media >= 2, `the 24 MiB seed spans ${small.media} 16 MB media`);
    const label = (m: string) => MediumLabel.parse(JSON.parse(readFileSync(join(out, m, 'medium.json'), 'utf8')));

    // One flipped byte.
    const flip = intoInbox(out, 'flip');
    const victim = label('medium-01').files[1]!.path;
    own(join(flip, victim));
    const bytes = readFileSync(join(flip, victim));
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    writeFileSync(join(flip, victim), bytes);
    let v = await importSeed(a.tenantId, 'flip');
    assert.equal(v.status, 'failed');
    assert.deepEqual(v.problems.map((p) => p.file), [victim], `only the flipped file is named: ${JSON.stringify(v.problems)}`);
    assert.match(v.problems[0]!.problem, /corrupt: its SHA-256/);

    // A truncated and a missing file.
    const cut = intoInbox(out, 'cut');
    const [f1, f2] = [label('medium-01').files[0]!.path, label('medium-02').files[0]!.path];
    own(join(cut, f1));
    truncateSync(join(cut, f1), 1000);
    rmSync(join(cut, f2));
    v = await importSeed(a.tenantId, 'cut');
    assert.equal(v.status, 'failed');
    assert.deepEqual(v.problems.map((p) => [p.file, p.problem.split(':')[0]]), [[f1, 'truncated'], [f2, 'missing']]);

    // A medium of another medium set (the big seed's medium-02 in place of this one's).
    const mixed = intoInbox(out, 'mixed');
    rmSync(join(mixed, 'medium-02'), { recursive: true });
    execFileSync('cp', ['-al', join(dir, 'media', 'medium-02'), join(mixed, 'medium-02')]);
    rmSync(join(mixed, 'medium-02', 'seed.json'));
    copyFileSync(join(out, 'medium-02', 'seed.json'), join(mixed, 'medium-02', 'seed.json'));
    v = await importSeed(a.tenantId, 'mixed');
    assert.equal(v.status, 'failed');
    assert.ok(v.problems.some((p) => p.file === 'medium-02/medium.json' && /another medium set/.test(p.problem)), JSON.stringify(v.problems));
    assert.ok(v.problems.filter((p) => p.file.startsWith('medium-02/') && p.file.endsWith('.dseed')).length > 0, 'its files are named');

    // Another tenant.
    intoInbox(out, 'intact');
    v = await importSeed(b.tenantId, 'intact');
    assert.equal(v.status, 'failed');
    assert.ok(v.problems.some((p) => new RegExp(`a seed for tenant ${a.tenantId}, not ${b.tenantId}`).test(p.problem)), JSON.stringify(v.problems));

    // Nothing of the bad seeds is visible; the good one then imports, and a replay of it is refused.
    assert.deepEqual(await rpsOf(a.stateDir, 'db-01'), []);
    v = await importSeed(a.tenantId, 'intact');
    assert.equal(v.status, 'completed', JSON.stringify(v));
    intoInbox(out, 'replay');
    v = await importSeed(a.tenantId, 'replay');
    assert.equal(v.status, 'failed');
    assert.ok(v.problems.some((p) => /a replayed seed/.test(p.problem)), JSON.stringify(v.problems));
    assert.deepEqual(await rpsOf(a.stateDir, 'db-01'), [small.rpId]);
  });

  it('refuses a seed made for another core, and a folder outside the seed inbox', async () => {
    const other = await CoreProcess.start(join(dir, 'data-2'));
    let foreign: SeedExport;
    try {
      const c = await other.pairSource(join(dir, 'source-c'), 'other-core-source');
      foreign = json<SeedExport>(await exportSeed(c.stateDir, 'app-01', smallImage, join(dir, 'foreign'), '1G'), 'foreign seed export');
    } finally { await other.stop(); }
    intoInbox(join(dir, 'foreign'), 'foreign');
    const v = await importSeed(a.tenantId, 'foreign');
    assert.equal(v.status, 'failed');
    assert.ok(v.problems.some((p) => /encrypted to another core/.test(p.problem)), JSON.stringify(v.problems));
    assert.ok(v.problems.some((p) => /did not issue/.test(p.problem)), JSON.stringify(v.problems));
    assert.ok(foreign.seedId);

    for (const from of [join(dir, 'media'), '../seed-inbox-escape', '/etc']) {
      const r = await admin(['seed', 'import', '--tenant', a.tenantId, '--from', from]);
      assert.notEqual(r.code, 0, `${from} refused`);
      assert.match(r.stderr, /outside the seed inbox|not a folder inside the seed inbox/, r.stderr);
    }
    assert.ok(existsSync(join(dir, 'media')));
  });
});
