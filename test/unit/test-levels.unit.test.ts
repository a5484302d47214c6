/**
 * Test files say their level in their suffix, so `npm run test:unit|test:int|test:e2e` run
 * what they name (README, "Tests"):
 *  - `*.unit.test.ts`: one process, no sockets, no database, no child process (temp files are
 *    fine);
 *  - `*.int.test.ts`: real mTLS on loopback, real SQLite, emulators, openssl, CDK synth — in
 *    this process;
 *  - `*.e2e.test.ts`: drcore itself as spawned processes (`drcore serve`, the CLI).
 * Support modules have no `.test.ts` suffix and no test of their own, and no module imports a
 * test file. Checked on the sources' imports and calls (a static rule, not a sandbox).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const TEST_DIR = new URL('..', import.meta.url).pathname;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

const files = filesUnder(TEST_DIR).map((p) => ({ path: relative(TEST_DIR, p), source: readFileSync(p, 'utf8') }));
const tests = files.filter((f) => f.path.endsWith('.test.ts'));
const level = (path: string) => /\.(unit|int|e2e)\.test\.ts$/.exec(path)?.[1];
const imports = (source: string) => [...source.matchAll(/^import\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1] as string);

/** What makes a test an integration test, or an end-to-end one, when a unit test does it. */
const NOT_UNIT: readonly [RegExp, string][] = [
  [/^node:(child_process|sqlite|net|http|https|tls|dgram)$/, 'processes, databases or sockets'],
  [/\/support\/(in-process-core|core-process|emulators|aws-backed-core|replication-api-harness)\.js$/, 'a core, emulators or local adapters'],
  [/\/runtime\/local-deps\.js$|\/adapters\/local\/sqlite/, 'the SQLite adapters'],
];
/** What makes a test end to end. */
const SPAWNS_DRCORE: readonly [RegExp, string][] = [
  [/\/support\/core-process\.js$/, 'a spawned `drcore serve` or CLI (core-process)'],
];

describe('test levels', () => {
  it('every test file names its level: .unit, .int or .e2e', () => {
    assert.deepEqual(tests.filter((f) => !level(f.path)).map((f) => f.path), []);
  });

  it('no module imports a test file, and every test file has a test of its own', () => {
    const importsTests = files.filter((f) => imports(f.source).some((s) => /\.test\.js$/.test(s))).map((f) => f.path);
    assert.deepEqual(importsTests, [], 'a module imported by tests is a support module: move it to test/support/ without the .test suffix');
    // A test of its own: it/test/describe, or a port contract suite (shared/ports/contracts/).
    assert.deepEqual(tests.filter((f) => !/^\s*(it|test|describe|\w+Contract)\(/m.test(f.source)).map((f) => f.path), []);
  });

  it('unit tests use no process, database, socket, core or emulator', () => {
    const found = tests.filter((f) => level(f.path) === 'unit').flatMap((f) => imports(f.source).flatMap((s) =>
      NOT_UNIT.filter(([re]) => re.test(s)).map(([, what]) => `${f.path}: ${s} (${what})`)));
    assert.deepEqual(found, []);
  });

  it('tests that spawn drcore are end to end', () => {
    const found = tests.filter((f) => level(f.path) !== 'e2e').flatMap((f) => [
      ...imports(f.source).flatMap((s) => SPAWNS_DRCORE.filter(([re]) => re.test(s)).map(([, what]) => `${f.path}: ${s} (${what})`)),
      ...(/\bdrcore\(\[|\bdrcore\(\w+\(/.test(f.source) ? [`${f.path}: runs the drcore CLI (in-process-core's drcore())`] : []),
      ...(/spawn\(process\.execPath/.test(f.source) ? [`${f.path}: spawns node`] : []),
    ]);
    assert.deepEqual(found, []);
  });
});
