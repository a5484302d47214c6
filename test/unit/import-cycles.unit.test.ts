/**
 * No import cycles in the application (shared/): a module graph that is a tree of layers can
 * be read bottom-up and split without surprises. Walks every static `import … from` and
 * `export … from` of a relative module (type-only imports too: a cycle of types is still a
 * cycle for the reader) and reports each cycle found.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = new URL('../..', import.meta.url).pathname;

function modulesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? modulesUnder(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** The relative modules a source imports or re-exports, as files. */
function importsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/^\s*(?:import|export)\s[^;]*?\bfrom\s+'(\.{1,2}\/[^']+)'/gms)]
    .map((m) => resolve(dirname(file), (m[1] as string).replace(/\.js$/, '.ts')))
    .filter((p) => existsSync(p));
}

/** Every cycle met by a depth-first walk, each as the modules along it (first one repeated at the end). */
function importCycles(files: readonly string[]): string[][] {
  const graph = new Map(files.map((f) => [f, importsOf(f)]));
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), next]);
      else if (state.get(next) === undefined) visit(next);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (state.get(file) === undefined) visit(file);
  return cycles;
}

describe('import graph', () => {
  it('shared/ (and so shared/app) has no import cycle', () => {
    const cycles = importCycles(modulesUnder(join(ROOT, 'shared'))).map((c) => c.map((f) => relative(ROOT, f)).join(' → '));
    assert.deepEqual(cycles, []);
  });

  it('the walk finds a cycle when there is one (machines.ts ↔ recovery-points.ts was one)', () => {
    const dir = join(ROOT, 'test', 'fixtures', 'import-cycle');
    const cycles = importCycles(modulesUnder(dir)).map((c) => c.map((f) => relative(dir, f)));
    assert.deepEqual(cycles, [['a.ts', 'b.ts', 'a.ts']]);
  });
});
