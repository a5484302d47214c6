/**
 * The admin console's build and how its files are served (issue 14): built by the project's
 * script into one page, one script and one stylesheet; within the size budget; nothing inline and
 * nothing from another origin; served with a strict CSP, the page never cached, the hashed assets
 * cached for good, anything else 404, and a core without a build says so in words.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { consoleAssetSizes, CONSOLE_GZIP_BUDGET_BYTES } from '../../bench/console-size.js';
import { ConsoleAssets, CONSOLE_CSP, findConsoleAssets } from '../../shared/http/console-assets.js';
import { HttpProblem } from '../../shared/http/problem.js';
import { ROOT } from '../support/in-process-core.js';

const run = promisify(execFile);

describe('admin console assets', () => {
  let out: string;
  let dir: string;
  before(async () => {
    out = mkdtempSync(join(tmpdir(), 'drcore-console-build-'));
    await run(process.execPath, [join(ROOT, 'scripts/build-console.mjs'), out], { cwd: ROOT });
    dir = join(out, 'console-assets');
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it('builds a page, one content-hashed script and one stylesheet, within 300 KB gzipped', (t) => {
    const names = readdirSync(dir).filter((n) => n !== 'manifest.json');
    assert.equal(names.length, 3, names.join(', '));
    assert.equal(names.filter((n) => /^app-[A-Z0-9]{8}\.css$/.test(n)).length, 1, names.join(', '));
    assert.equal(names.filter((n) => /^app-[A-Z0-9]{8}\.js$/.test(n)).length, 1, names.join(', '));
    assert.ok(names.includes('index.html'));
    const sizes = consoleAssetSizes(dir);
    t.diagnostic(`console assets: ${sizes.bytes} bytes raw, ${sizes.gzipBytes} bytes gzipped (budget ${CONSOLE_GZIP_BUDGET_BYTES})`);
    assert.ok(sizes.gzipBytes <= CONSOLE_GZIP_BUDGET_BYTES, `${sizes.gzipBytes} bytes gzipped`);
  });

  it('has no inline script or style and loads nothing from another origin', () => {
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/);
    assert.doesNotMatch(html, /<style|\sstyle=|\son[a-z]+=/i);
    assert.doesNotMatch(html, /https?:\/\//);
    const script = readFileSync(join(dir, readdirSync(dir).find((n) => n.endsWith('.js'))!), 'utf8');
    // The only absolute URLs in the bundle are XML namespaces (Preact's SVG/MathML), never fetched.
    const urls = [...script.matchAll(/https?:\/\/[^"'`\s)]+/g)].map((m) => m[0]).filter((u) => !/^http:\/\/www\.w3\.org\//.test(u));
    assert.deepEqual(urls, []);
    assert.doesNotMatch(script, /\beval\(|new Function\(/);
  });

  it('serves the page uncached and the assets cached for good, both with the strict CSP; anything else is 404', () => {
    const assets = new ConsoleAssets(dir);
    const page = assets.page();
    assert.equal(page.statusCode, 200);
    assert.equal(page.headers?.['content-type'], 'text/html; charset=utf-8');
    assert.equal(page.headers?.['cache-control'], 'no-store');
    assert.equal(page.headers?.['content-security-policy'], CONSOLE_CSP);
    assert.equal(page.headers?.['x-frame-options'], 'DENY');
    assert.equal(page.headers?.['x-content-type-options'], 'nosniff');
    for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"]) {
      assert.ok(CONSOLE_CSP.split('; ').includes(directive), directive);
    }
    assert.doesNotMatch(CONSOLE_CSP, /unsafe|\*|https?:/);
    const script = readdirSync(dir).find((n) => n.endsWith('.js'))!;
    const js = assets.asset(script);
    assert.equal(js.headers?.['content-type'], 'text/javascript; charset=utf-8');
    assert.match(String(js.headers?.['cache-control']), /immutable/);
    assert.equal(js.headers?.['content-security-policy'], CONSOLE_CSP);
    for (const bad of ['index.html', 'manifest.json.bak', '../index.html', '.env', 'nope.js', '']) {
      assert.throws(() => assets.asset(bad), (e: unknown) => e instanceof HttpProblem && e.status === 404, bad);
    }
  });

  it('a core whose console was not built answers 503 with how to build it', () => {
    const empty = mkdtempSync(join(tmpdir(), 'drcore-no-console-'));
    try {
      assert.equal(findConsoleAssets(empty, { DRCORE_CONSOLE_ASSETS: empty }), undefined);
      const assets = new ConsoleAssets(undefined);
      assert.throws(() => assets.page(), (e: unknown) => e instanceof HttpProblem && e.status === 503 && /npm run build/.test(e.detail));
    } finally { rmSync(empty, { recursive: true, force: true }); }
  });
});
