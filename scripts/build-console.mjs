/**
 * The admin console (console/src, Preact + uPlot), bundled by esbuild into OUT/console-assets/:
 * one minified script and one stylesheet with content hashes in their names, and the index.html
 * that loads them (no inline script or style: the console is served with a strict CSP,
 * shared/http/console-assets.ts). Everything it needs is in these files: no CDN at run time.
 * Called by scripts/build.mjs (npm ci / npm start / npm run build) into the dist it is building.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';

export const CONSOLE_DIR = 'console-assets';

/** Builds the console into `outRoot`/console-assets; returns the files written (name → bytes). */
export async function buildConsole(root, outRoot) {
  const out = join(outRoot, CONSOLE_DIR);
  mkdirSync(out, { recursive: true });
  const result = await esbuild({
    absWorkingDir: root,
    entryPoints: { app: 'console/src/main.tsx' },
    outdir: out,
    entryNames: '[name]-[hash]',
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['chrome110', 'firefox110', 'safari16'],
    platform: 'browser',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: join(root, 'console', 'tsconfig.json'),
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const files = Object.keys(result.metafile.outputs).map((f) => basename(f));
  const script = files.find((f) => f.endsWith('.js'));
  const style = files.find((f) => f.endsWith('.css'));
  if (!script || !style) throw new Error(`console build: expected a script and a stylesheet, got ${files.join(', ')}`);
  // Relative to /admin and /apprecovery/admin alike: "admin/assets/x" from either page.
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>drcore admin console</title>
<link rel="stylesheet" href="admin/assets/${style}">
<script type="module" src="admin/assets/${script}"></script>
</head>
<body>
<div id="app"><noscript>The drcore console needs JavaScript.</noscript></div>
</body>
</html>
`;
  writeFileSync(join(out, 'index.html'), html);
  writeFileSync(join(out, 'manifest.json'), JSON.stringify({ script, style }, null, 2));
  return [...files, 'index.html'];
}

// `node scripts/build-console.mjs OUT`: the console alone, into OUT/console-assets (the browser tests build their own).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outRoot = process.argv[2];
  if (!outRoot) throw new Error('usage: node scripts/build-console.mjs OUT_DIR');
  const files = await buildConsole(fileURLToPath(new URL('..', import.meta.url)), outRoot);
  process.stdout.write(`${join(outRoot, CONSOLE_DIR)}: ${files.join(' ')}\n`);
}
