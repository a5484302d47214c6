/**
 * The `drcore` bin runs the build (`npm run build` → dist/), not the TypeScript sources: no
 * tsx, no .ts module, at run time. It refuses Node < 22 before loading anything, and says what
 * to do when there is no build. The built `drcore serve` and `drcore source replicate/restore`
 * work as spawned processes, worker threads included (their module is found next to the built
 * pool), and none of them loads the AWS SDK. The test builds dist/ first, as `npm ci` and
 * `npm start` do.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writeImage } from '../../bench/image.js';
import { BUILT_CLI, CoreProcess, ROOT, runCli } from '../support/core-process.js';
import { sameBytes } from './source-cli.js';

const run = promisify(execFile);
const BIN = join(ROOT, 'cli/drcore.mjs');
const MiB = 1024 * 1024;

/** A module hook (Node 22 `module.registerHooks`) that writes every URL the process loads to `file`. */
function moduleTrace(dir: string): { hook: string; loaded(): string[] } {
  const file = join(dir, 'loaded.txt');
  const hook = join(dir, 'trace.mjs');
  writeFileSync(hook, `import { registerHooks } from 'node:module';
import { appendFileSync } from 'node:fs';
registerHooks({ load(url, context, next) { appendFileSync(${JSON.stringify(file)}, url + '\\n'); return next(url, context); } });
`);
  return { hook, loaded: () => readFileSync(file, 'utf8').trim().split('\n') };
}

describe('the drcore bin runs the build in dist/', { timeout: 600_000 }, () => {
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'drcore-built-'));
    await run(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--quiet'], { cwd: ROOT });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('drcore --help loads dist/cli/main.js and neither tsx nor any .ts module', async () => {
    const trace = moduleTrace(dir);
    const { stdout } = await run(process.execPath, ['--import', trace.hook, BIN, '--help'], { cwd: ROOT });
    assert.match(stdout, /^Usage: drcore COMMAND [^\n]*\n\ndrcore — event-sourced cloud target core/);
    const loaded = trace.loaded();
    assert.ok(loaded.includes(new URL('../../dist/cli/main.js', import.meta.url).href), `dist/cli/main.js among:\n${loaded.join('\n')}`);
    assert.deepEqual(loaded.filter((u) => u.includes('/node_modules/tsx/') || u.includes('/node_modules/esbuild/') || /\.[cm]?ts$/.test(u)), []);
  });

  it('refuses Node < 22 with a clear message, before loading the build', async (t) => {
    const fake = 'data:text/javascript,Object.defineProperty(process.versions,"node",{value:"20.11.1"});Object.defineProperty(process,"version",{value:"v20.11.1"});';
    const refused = await run(process.execPath, ['--import', fake, BIN, '--help'], { cwd: ROOT }).then(() => undefined, (e: { code: number; stdout: string; stderr: string }) => e);
    assert.ok(refused, 'the bin must exit non-zero on Node 20');
    assert.equal(refused.code, 1);
    assert.equal(refused.stdout, '');
    assert.match(refused.stderr, /^drcore needs Node\.js 22 or later \(this is v20\.11\.1\); run it as `npx drcore …`/);
    // And with a real older Node where this machine has one on PATH.
    let older: string | undefined;
    try { older = execFileSync('node', ['-e', 'process.stdout.write(process.versions.node)'], { encoding: 'utf8', env: { PATH: '/usr/local/bin:/usr/bin:/bin' } }); } catch { older = undefined; }
    if (older === undefined || Number(older.split('.')[0]) >= 22) {
      t.diagnostic(`no Node older than 22 on /usr/local/bin:/usr/bin:/bin (found ${older ?? 'none'}): only the simulated Node 20 above was checked`);
      return;
    }
    const real = await run('node', [BIN, '--help'], { cwd: ROOT, env: { PATH: '/usr/local/bin:/usr/bin:/bin' } }).then(() => undefined, (e: { code: number; stderr: string }) => e);
    assert.equal(real?.code, 1);
    assert.match(real?.stderr ?? '', new RegExp(`^drcore needs Node\\.js 22 or later \\(this is v${older.replace(/\./g, '\\.')}\\)`));
  });

  it('without a build it says how to make one, and exits 1', async () => {
    const copy = join(dir, 'checkout');
    mkdirSync(join(copy, 'cli'), { recursive: true });
    copyFileSync(BIN, join(copy, 'cli/drcore.mjs'));
    const failed = await run(process.execPath, [join(copy, 'cli/drcore.mjs'), '--help'], { cwd: copy }).then(() => undefined, (e: { code: number; stderr: string }) => e);
    assert.equal(failed?.code, 1);
    assert.match(failed?.stderr ?? '', /^drcore is not built yet: run `npm run build` in .*checkout\/ \(npm ci and npm start run it\)\./);
  });

  it('the built serve, source replicate and source restore round-trip a volume, with no .ts and no AWS SDK loaded', async () => {
    const trace = moduleTrace(dir);
    const traced = [process.execPath, '--import', trace.hook, ...BUILT_CLI.slice(1)];
    const core = await CoreProcess.start(join(dir, 'data'), undefined, traced);
    try {
      const src = await core.pairSource(join(dir, 'source'), 'built-source');
      const image = join(dir, 'disk.img');
      writeImage(image, 8 * MiB + 4096 + 17);
      const rep = await runCli(['source', 'replicate', '--machine', 'm1', '--volume', `sda=${image}`, '--state', src.stateDir, '--threads', '2', '--json'], { cli: traced });
      assert.equal(rep.code, 0, rep.stderr);
      const { rpId } = JSON.parse(rep.stdout) as { rpId: string };
      const out = join(dir, 'restored');
      const res = await runCli(['source', 'restore', '--machine', 'm1', '--rp', rpId, '--out', out, '--state', src.stateDir, '--json'], { cli: traced });
      assert.equal(res.code, 0, res.stderr);
      assert.ok(await sameBytes(image, join(out, 'sda.img')), 'restored bytes equal the image');
    } finally {
      await core.stop();
    }
    const loaded = trace.loaded();
    // (Worker threads start without the hook; that they ran from dist/ is the replicate above: a
    // built pool that looked for extent-worker.ts would have failed it.)
    assert.ok(loaded.some((u) => u.endsWith('/dist/source/worker-pool.js')), 'the extent worker pool ran from dist/');
    assert.ok(loaded.some((u) => u.endsWith('/dist/functions/handlers/replication-api.js')), 'the handlers ran from dist/');
    assert.deepEqual(loaded.filter((u) => u.includes('/node_modules/tsx/') || /\.[cm]?ts$/.test(u)), []);
    assert.deepEqual(loaded.filter((u) => u.includes('/node_modules/@aws-sdk/')), [], 'the local runtime and the source CLI load no AWS SDK');
  });
});
