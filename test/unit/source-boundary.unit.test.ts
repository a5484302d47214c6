/**
 * DESIGN §3: `source/` is the reference source core and talks to the target only through the
 * HTTP API. These checks read the import graph (runtime imports: `import type` is erased) of
 * the source core and of the `drcore source …` commands:
 * - the source core reaches none of the target's application, ports, adapters, runtime,
 *   Lambda functions or local runtime, and nothing of the CLI;
 * - pairing and replication share the source core's one client (not the CLI's own);
 * - the wire types come from the request schemas (shared/http/schemas), not private copies.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const FORBIDDEN = ['shared/app/', 'shared/adapters/', 'shared/ports/', 'shared/runtime/', 'functions/', 'local/', 'cli/'];

const IMPORT = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?'([^']+)'/gm;
const DYNAMIC = /\bimport\(\s*'([^']+)'\s*\)/g;

/** The imports of one file (runtime ones, or with `types` also `import type`): local files (repository-relative) and packages. */
function importsOf(file: string, types = false): { local: string[]; packages: string[] } {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specs = [
    ...[...text.matchAll(IMPORT)].filter((m) => types || !m[2]).map((m) => m[3]!),
    ...[...text.matchAll(DYNAMIC)].map((m) => m[1]!),
  ];
  const local: string[] = [];
  const packages: string[] = [];
  for (const spec of specs) {
    if (!spec.startsWith('.')) { packages.push(spec); continue; }
    const target = relative(ROOT, resolve(ROOT, dirname(file), spec.replace(/\.js$/, '.ts')));
    assert.ok(existsSync(join(ROOT, target)), `${file} imports ${spec}, which is not a file`);
    local.push(target);
  }
  return { local, packages };
}

/** Every file reachable from `roots`, each with the file that first imported it. */
function closure(roots: string[], types = false): Map<string, string> {
  const seen = new Map<string, string>(roots.map((r) => [r, '(root)']));
  const queue = [...roots];
  for (let f = queue.shift(); f !== undefined; f = queue.shift()) {
    for (const next of importsOf(f, types).local) {
      if (!seen.has(next)) { seen.set(next, f); queue.push(next); }
    }
  }
  return seen;
}

const tsFiles = (dir: string): string[] => readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.ts')).map((f) => `${dir}/${f}`);

describe('the source core talks to the target only through the HTTP API', () => {
  it('source/ reaches no application, port, adapter, runtime, function, local runtime or CLI code', () => {
    const files = tsFiles('source');
    assert.ok(files.length > 10, 'the source core lives in source/');
    const reached = closure(files);
    const bad = [...reached].filter(([f]) => FORBIDDEN.some((p) => f.startsWith(p))).map(([f, by]) => `${f} (imported by ${by})`);
    assert.deepEqual(bad, []);
  });

  it('pairing and replication use the source core\'s one client, not the CLI\'s', () => {
    for (const file of tsFiles('cli/source')) {
      const { local } = importsOf(file);
      assert.ok(!local.includes('cli/http-client.ts'), `${file} uses cli/http-client.ts`);
      assert.deepEqual(local.filter((f) => f.startsWith('shared/app/')), [], `${file} uses the target's application`);
    }
    const pairing = closure(['cli/source/pair.ts']);
    assert.ok(pairing.has('source/transport.ts'), 'pairing goes through source/transport.ts');
    const replication = closure(['cli/source/replicate.ts']);
    assert.ok(replication.has('source/transport.ts'), 'replication goes through source/transport.ts');
  });

  it('the source\'s wire types come from the request schemas', () => {
    const files = tsFiles('source');
    const reached = closure(files, true);
    assert.ok(reached.has('shared/http/schemas/replication.ts'), 'replication requests are typed by shared/http/schemas/replication.ts');
    assert.ok(reached.has('shared/http/schemas/pairing.ts'), 'the pairing request is typed by shared/http/schemas/pairing.ts');
    for (const file of files) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      assert.doesNotMatch(text, /\bMISSING_BATCH\s*=/, `${file} declares its own missing batch`);
      assert.doesNotMatch(text, /type\s+\w*Kind\s*=\s*'base'/, `${file} declares its own recovery point kind`);
    }
  });
});
