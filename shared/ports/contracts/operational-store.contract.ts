/**
 * The OperationalStore contract (shared/ports/operational-store.ts): every adapter runs this
 * suite, with the ReadModels it runs beside (the same table on AWS, another file locally), so
 * that "rebuild-projections never clears operational records" is checked where it can break.
 * One store per suite; each test uses its own collections and names.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { InvalidIdError } from '../../ids.js';
import type { OperationalStore } from '../operational-store.js';
import type { ReadModels } from '../read-models.js';

interface Rec {
  readonly id: string;
  readonly [k: string]: unknown;
}

export function operationalStoreContract(
  name: string,
  make: () => Promise<{ store: OperationalStore; readModels: ReadModels; cleanup(): Promise<void> }>,
): void {
  describe(`OperationalStore contract: ${name}`, () => {
    let store: OperationalStore;
    let readModels: ReadModels;
    let cleanup: () => Promise<void>;
    const run = randomBytes(4).toString('hex');
    let n = 0;
    const coll = () => `ops${run}${++n}`;

    before(async () => ({ store, readModels, cleanup } = await make()));
    after(async () => cleanup());

    it('put then get returns the record; get of a missing id → undefined; put replaces the whole record', async () => {
      const c = coll();
      await store.put<Rec>(c, 'a', { id: 'a', old: true, n: 1 });
      assert.deepEqual(await store.get<Rec>(c, 'a'), { id: 'a', old: true, n: 1 });
      await store.put<Rec>(c, 'a', { id: 'a', n: 2 });
      assert.deepEqual(await store.get<Rec>(c, 'a'), { id: 'a', n: 2 });
      assert.equal(await store.get(c, 'missing'), undefined);
      assert.equal(await store.get(coll(), 'a'), undefined, 'collections are separate');
    });

    it('records are plain JSON: nested, arrays, unicode, numbers, null round-trip', async () => {
      const c = coll();
      const rec = { id: 'j', nested: { a: [1, { b: 'c' }] }, text: 'Grüße — 日本語 — 🔐 "q" \\ \n', numbers: [0, -5, 2.5, Number.MAX_SAFE_INTEGER], none: null, empty: { o: {}, a: [], s: '' } };
      await store.put(c, 'j', rec);
      assert.deepEqual(await store.get(c, 'j'), rec);
    });

    it('delete removes a record; deleting a missing one succeeds', async () => {
      const c = coll();
      await store.put<Rec>(c, 'a', { id: 'a' });
      await store.delete(c, 'a');
      assert.equal(await store.get(c, 'a'), undefined);
      await store.delete(c, 'a');
      await store.delete(c, 'never');
      assert.deepEqual(await store.list(c), []);
    });

    it('list returns every record of the collection, ordered by id', async () => {
      const c = coll();
      const ids = ['b', 'a', 'A', 'a-1', 'a.1', 'a/1', '_', 'z', ...Array.from({ length: 25 }, (_, i) => `k${String(i).padStart(2, '0')}`)];
      for (const id of [...ids].sort(() => Math.random() - 0.5)) await store.put<Rec>(c, id, { id });
      await store.put<Rec>(coll(), 'other', { id: 'other' });
      assert.deepEqual((await store.list<Rec>(c)).map((r) => r.id), [...ids].sort());
      assert.deepEqual(await store.list(coll()), [], 'an unknown collection is empty');
    });

    it('checkpoints: missing → undefined, put then get, overwrite', async () => {
      const cp = `projector-${run}`;
      assert.equal(await store.getCheckpoint(cp), undefined);
      await store.putCheckpoint(cp, '17');
      assert.equal(await store.getCheckpoint(cp), '17');
      await store.putCheckpoint(cp, 'opaque/cursor=="{}"');
      assert.equal(await store.getCheckpoint(cp), 'opaque/cursor=="{}"');
      assert.equal(await store.getCheckpoint(`${cp}-other`), undefined);
    });

    it('empty or oversized collections, ids and names are refused (InvalidIdError)', async () => {
      await assert.rejects(store.put('', 'a', {}), InvalidIdError);
      await assert.rejects(store.put(coll(), '', {}), InvalidIdError);
      await assert.rejects(store.get(coll(), 'x'.repeat(2000)), InvalidIdError);
      await assert.rejects(store.putCheckpoint('', '1'), InvalidIdError);
    });

    it('ReadModels.clear() (rebuild-projections) leaves every record and checkpoint, and the read models never list them', async () => {
      const c = coll();
      await store.put<Rec>(c, 'kept', { id: 'kept' });
      await store.putCheckpoint(`kept-${run}`, '42');
      await readModels.put(c, 'projection', { id: 'projection' });
      await readModels.clear();
      assert.deepEqual(await store.get<Rec>(c, 'kept'), { id: 'kept' });
      assert.deepEqual(await store.list<Rec>(c), [{ id: 'kept' }], 'one collection name, two stores: neither sees the other');
      assert.equal(await store.getCheckpoint(`kept-${run}`), '42');
      assert.deepEqual(await readModels.list(c), []);
    });
  });
}
