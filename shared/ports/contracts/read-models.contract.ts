/**
 * The ReadModels contract (shared/ports/read-models.ts): every adapter runs this suite.
 * One store per suite; each test uses its own collections. The clear() test runs last.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { ReadModels } from '../read-models.js';

interface Doc {
  readonly id: string;
  readonly [k: string]: unknown;
}

export function readModelsContract(name: string, make: () => Promise<{ readModels: ReadModels; cleanup(): Promise<void> }>): void {
  describe(`ReadModels contract: ${name}`, () => {
    let rm: ReadModels;
    let cleanup: () => Promise<void>;
    const run = randomBytes(4).toString('hex');
    let n = 0;
    const coll = () => `c${run}${++n}`;

    before(async () => ({ readModels: rm, cleanup } = await make()));
    after(async () => cleanup());

    it('put then get returns the document; get of a missing id → undefined', async () => {
      const c = coll();
      await rm.put<Doc>(c, 'a', { id: 'a', n: 1 });
      assert.deepEqual(await rm.get<Doc>(c, 'a'), { id: 'a', n: 1 });
      assert.equal(await rm.get(c, 'missing'), undefined);
      assert.equal(await rm.get(coll(), 'a'), undefined, 'collections are separate');
    });

    it('put replaces the whole document (no merge)', async () => {
      const c = coll();
      await rm.put<Doc>(c, 'a', { id: 'a', old: true, shared: 1 });
      await rm.put<Doc>(c, 'a', { id: 'a', shared: 2 });
      assert.deepEqual(await rm.get<Doc>(c, 'a'), { id: 'a', shared: 2 });
    });

    it('documents are plain JSON: nested, arrays, unicode, numbers, null round-trip', async () => {
      const c = coll();
      const doc = {
        id: 'j',
        nested: { a: { b: [1, { c: 'd' }, [2, 3]] } },
        text: 'Grüße — 日本語 — 🔐 — "q" \\ \n',
        numbers: [0, -5, 2.5, 1e21, Number.MAX_SAFE_INTEGER],
        none: null,
        flags: [true, false],
        empty: { o: {}, a: [], s: '' },
      };
      await rm.put(c, 'j', doc);
      assert.deepEqual(await rm.get(c, 'j'), doc);
    });

    it('delete removes a document; deleting a missing one succeeds', async () => {
      const c = coll();
      await rm.put<Doc>(c, 'a', { id: 'a' });
      await rm.delete(c, 'a');
      assert.equal(await rm.get(c, 'a'), undefined);
      await rm.delete(c, 'a');
      await rm.delete(c, 'never');
      assert.deepEqual(await rm.list(c), []);
    });

    it('list returns every document of the collection, ordered by id', async () => {
      const c = coll();
      const ids = ['b', 'a', 'A', 'a-1', 'a.1', 'a/1', 'a0', '_', 'tenant-x', 'z', ...Array.from({ length: 25 }, (_, i) => `k${String(i).padStart(2, '0')}`)];
      for (const id of [...ids].sort(() => Math.random() - 0.5)) await rm.put<Doc>(c, id, { id });
      await rm.put<Doc>(coll(), 'other', { id: 'other' });
      const listed = await rm.list<Doc>(c);
      assert.deepEqual(listed.map((d) => d.id), [...ids].sort());
      assert.deepEqual(await rm.list(coll()), [], 'an unknown collection is empty');
    });

    it('list with a prefix returns exactly the ids that start with it, ordered', async () => {
      const c = coll();
      const ids = ['t1-m2', 't1-m1', 't10-m1', 't1', 't2-m1', 'u1'];
      for (const id of ids) await rm.put<Doc>(c, id, { id });
      assert.deepEqual((await rm.list<Doc>(c, { prefix: 't1-' })).map((d) => d.id), ['t1-m1', 't1-m2']);
      assert.deepEqual((await rm.list<Doc>(c, { prefix: 't1' })).map((d) => d.id), ['t1', 't1-m1', 't1-m2', 't10-m1']);
      assert.deepEqual(await rm.list<Doc>(c, { prefix: 'v' }), []);
      assert.deepEqual((await rm.list<Doc>(c, { prefix: '' })).length, ids.length);
    });

    it('clear removes every document (rebuild-projections; operational records are another store: operationalStoreContract)', async () => {
      const [c1, c2] = [coll(), coll()];
      await rm.put<Doc>(c1, 'a', { id: 'a' });
      await rm.put<Doc>(c2, 'b', { id: 'b' });
      await rm.clear();
      assert.equal(await rm.get(c1, 'a'), undefined);
      assert.deepEqual(await rm.list(c1), []);
      assert.deepEqual(await rm.list(c2), []);
      await rm.put<Doc>(c1, 'again', { id: 'again' });
      assert.deepEqual(await rm.list<Doc>(c1), [{ id: 'again' }], 'usable after clear');
    });
  });
}
