/**
 * `npm run bench:console` (issue 14, item 5): the admin console's first load of the overview in
 * headless Chromium over loopback, against a `drcore serve` child process with tenants, RPs and a
 * pending pairing request, every load in a fresh browser context (nothing cached); and the size of
 * its assets, raw and gzipped. Goals: first load ≤ 1 s, assets ≤ 300 KB gzipped. Prints both and
 * writes test-output/console/bench.json.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CoreProcess, runCli } from '../test/support/core-process.js';
import { findConsoleAssets } from '../shared/http/console-assets.js';
import { consoleAssetSizes, CONSOLE_GZIP_BUDGET_BYTES } from './console-size.js';

const LOAD_GOAL_MS = 1000;
/** The checkout: this runs from dist/bench/ (npm run bench:console) or from the sources. */
const CHECKOUT = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '..' : '../..', import.meta.url));
const RUNS = 5;
const CHROMIUM = process.env['DRCORE_CHROMIUM'] ?? '/usr/lib/chromium/chromium';
const log = (line: string) => process.stderr.write(`bench:console: ${line}\n`);

const dir = mkdtempSync(join(tmpdir(), 'drcore-console-bench-'));
let core: CoreProcess | undefined;
try {
  core = await CoreProcess.start(join(dir, 'data'));
  log(`core on ${core.url}`);
  for (let i = 1; i <= 3; i++) {
    const state = join(dir, `source-${i}`);
    await core.pairSource(state, `Customer ${i}`, (8 + i) * 1024 * 1024);
    const image = join(dir, `disk-${i}.img`);
    writeFileSync(image, randomBytes(i * 1024 * 1024));
    const r = await runCli(['source', 'replicate', '--machine', `srv-${i}`, '--state', state, '--volume', `sda=${image}`, '--json']);
    if (r.code !== 0) throw new Error(`replicate failed: ${r.stderr}`);
  }
  const pending = await runCli(['source', 'pair', '--target', core.url, '--ca', core.pki.ca, '--enrollment-cert', core.pki.enrollmentCert,
    '--enrollment-key', core.pki.enrollmentKey, '--core-name', 'Waiting Core', '--email', 'wait@example.com', '--state', join(dir, 'pending')]);
  if (pending.code !== 0) throw new Error(`pair failed: ${pending.stderr}`);

  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  const pki = join(core.dataDir, 'pki');
  const loads: number[] = [];
  try {
    for (let i = 0; i <= RUNS; i++) { // run 0: the core's first console load since it started (reported apart)
      const context = await browser.newContext({
        clientCertificates: [{ origin: core.url, pfxPath: join(pki, 'admin.p12'), passphrase: readFileSync(join(pki, 'admin.p12.password'), 'utf8').trim() }],
        ignoreHTTPSErrors: true,
      });
      const page = await context.newPage();
      const started = performance.now();
      const res = await page.goto(`${core.url}/admin`);
      if (res?.status() !== 200) throw new Error(`GET /admin answered ${res?.status()}`);
      // Loaded: the overview's figures and its three charts are on screen.
      await page.getByTestId('pending-badge').getByText('1').waitFor();
      await page.locator('.chart canvas').nth(2).waitFor();
      loads.push(performance.now() - started);
      if (process.argv.includes('--verbose')) {
        const entries = await page.evaluate<Array<{ name: string; start: number; end: number }>>(
          "[...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')].map((e) => ({ name: e.name, start: Math.round(e.startTime), end: Math.round(e.responseEnd) }))");
        for (const e of entries) log(`  ${String(e.start).padStart(5)}–${String(e.end).padStart(5)} ms ${e.name.replace(core.url, '')}`);
      }
      await page.waitForLoadState('networkidle');
      await context.close();
    }
  } finally {
    await browser.close();
  }
  const assets = findConsoleAssets();
  if (!assets) throw new Error('the console is not built (npm run build)');
  const sizes = consoleAssetSizes(assets);
  const [coreCold = 0, ...warm] = loads;
  const sorted = [...warm].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const worst = sorted[sorted.length - 1]!;
  const report = {
    firstLoadMs: { firstSinceCoreStart: Math.round(coreCold), runs: warm.map((l) => Math.round(l)), median: Math.round(median), max: Math.round(worst), goal: LOAD_GOAL_MS },
    assets: { ...sizes, goalGzipBytes: CONSOLE_GZIP_BUDGET_BYTES },
  };
  const out = join(CHECKOUT, 'test-output', 'console');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'bench.json'), `${JSON.stringify(report, null, 2)}\n`);
  const kb = (n: number) => `${(n / 1000).toFixed(1)} KB`;
  process.stdout.write([
    'Admin console (headless Chromium, loopback, mutual TLS, cold browser context each run)',
    `  first load of the overview (new browser context, nothing cached): median ${Math.round(median)} ms, max ${Math.round(worst)} ms over ${RUNS} runs (goal ≤ ${LOAD_GOAL_MS} ms): ${worst <= LOAD_GOAL_MS ? 'met' : 'NOT met'}`,
    `  the very first load after the core started (its caches and JIT cold): ${Math.round(coreCold)} ms`,
    ...sizes.files.map((f) => `  ${f.name.padEnd(22)} ${kb(f.bytes).padStart(10)} raw ${kb(f.gzipBytes).padStart(10)} gzipped`),
    `  assets in all: ${kb(sizes.bytes)} raw, ${kb(sizes.gzipBytes)} gzipped (goal ≤ ${kb(CONSOLE_GZIP_BUDGET_BYTES)}): ${sizes.gzipBytes <= CONSOLE_GZIP_BUDGET_BYTES ? 'met' : 'NOT met'}`,
    `  report: ${join(out, 'bench.json')}`,
    '',
  ].join('\n'));
} finally {
  await core?.stop();
  rmSync(dir, { recursive: true, force: true });
}
