#!/usr/bin/env node
/**
 * `npm run build`: the TypeScript that runs outside Lambda (cli/, local/, shared/, source/,
 * functions/, bench/ and the process harness the bench uses), transpiled file by file into
 * dist/ with the same tree, so `import.meta.url`-relative paths (worker threads, dynamic
 * imports) hold there too. No bundling: packages stay in node_modules, loaded by Node when a module needs them.
 * Types are not checked here (`npm run typecheck` does that).
 *
 * npm runs it after `npm ci` / `npm install` (prepare) and before `npm start`, `npm run drcore`
 * and `npm run bench`. The new tree is written next to dist/ and swapped in, so a drcore that is
 * running meanwhile never sees half a build. `--quiet`: no summary line.
 *
 * The admin console (console/src) is bundled for the browser into dist/console-assets/ by the same run.
 *
 * Lambda bundles are made by the CDK app (infra/constructs/drcore-function.ts), not here.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';
import { buildConsole } from './build-console.mjs';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DIST = 'dist';

/** The folders whose TypeScript runs from dist/ (those that exist), and the bench's process harness. */
const FOLDERS = ['cli', 'local', 'shared', 'source', 'functions', 'bench'];
export const ENTRY_POINTS = [
  ...FOLDERS.filter((f) => existsSync(`${ROOT}${f}`)).map((f) => `${f}/**/*.ts`),
  'test/support/core-process.ts',
];

/** Builds into ROOT/dist; returns the number of files written. */
export async function build() {
  const out = `${ROOT}${DIST}`;
  const next = `${out}.next`;
  const old = `${out}.old`;
  rmSync(next, { recursive: true, force: true });
  const result = await esbuild({
    absWorkingDir: ROOT,
    entryPoints: ENTRY_POINTS,
    outdir: next,
    outbase: '.',
    bundle: false,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    sourcemap: 'linked',
    logLevel: 'warning',
    metafile: true,
  });
  // The admin console's browser assets (scripts/build-console.mjs), into the same new tree.
  await buildConsole(ROOT, next);
  rmSync(old, { recursive: true, force: true });
  if (existsSync(out)) renameSync(out, old);
  renameSync(next, out);
  rmSync(old, { recursive: true, force: true });
  return Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js')).length;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = performance.now();
  const files = await build();
  if (!process.argv.includes('--quiet')) {
    process.stderr.write(`drcore: built ${files} modules into ${DIST}/ in ${Math.round(performance.now() - started)} ms\n`);
  }
}
