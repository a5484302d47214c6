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

    it('listPage: 2,500 records (over 1 MB a page) in pages of 1000 return each exactly once, in id order; after the last id the page is empty', async () => {
      const c = coll();
      // ~1.2 KB a record: a page of 1000 is more than DynamoDB's 1 MB per Query response.
      const pad = 'p'.repeat(1200);
      const ids = Array.from({ length: 2500 }, (_, i) => `pack-${String(i).padStart(5, '0')}-${randomBytes(3).toString('hex')}`);
      const shuffled = [...ids].sort(() => Math.random() - 0.5);
      for (let i = 0; i < shuffled.length; i += 50) {
        await Promise.all(shuffled.slice(i, i + 50).map((id) => store.put<Rec>(c, id, { id, pad })));
      }
      await store.put<Rec>(coll(), 'other', { id: 'other' });
      const seen: string[] = [];
      const sizes: number[] = [];
      let after: string | undefined;
      for (let pages = 0; ; pages++) {
        assert.ok(pages < 10, 'the paging ends');
        const page: { records: { id: string; record: Rec }[]; next: string | undefined } = await store.listPage<Rec>(c, { ...(after !== undefined ? { after } : {}), limit: 1000 });
        sizes.push(page.records.length);
        for (const r of page.records) {
          assert.equal(r.record.id, r.id, 'each record comes with its own id');
          assert.equal(r.record.pad, pad);
          seen.push(r.id);
        }
        if (page.next === undefined) break;
        assert.equal(page.next, page.records.at(-1)?.id, 'next is the last id returned');
        after = page.next;
      }
      assert.deepEqual(sizes, [1000, 1000, 500]);
      assert.deepEqual(seen, [...ids].sort(), 'every record once, in id order');
      assert.deepEqual(await store.listPage(c, { after: seen.at(-1)!, limit: 1000 }), { records: [], next: undefined });
    });

    it('listPage: after= is exclusive and need not be a stored id; next is undefined on the page that ends the collection', async () => {
      const c = coll();
      const ids = ['a', 'a-1', 'a/1', 'b', 'c', 'd'];
      for (const id of ids) await store.put<Rec>(c, id, { id });
      const p1 = await store.listPage<Rec>(c, { limit: 2 });
      assert.deepEqual(p1, { records: [{ id: 'a', record: { id: 'a' } }, { id: 'a-1', record: { id: 'a-1' } }], next: 'a-1' });
      assert.deepEqual((await store.listPage<Rec>(c, { after: 'a-1', limit: 2 })).records.map((r) => r.id), ['a/1', 'b']);
      assert.deepEqual((await store.listPage<Rec>(c, { after: 'a0', limit: 10 })).records.map((r) => r.id), ['b', 'c', 'd'], 'an id that is not stored');
      assert.deepEqual(await store.listPage<Rec>(c, { after: 'b', limit: 2 }), { records: [{ id: 'c', record: { id: 'c' } }, { id: 'd', record: { id: 'd' } }], next: undefined }, 'a full last page: no next');
      assert.deepEqual(await store.listPage<Rec>(c, { after: 'c', limit: 1000 }), { records: [{ id: 'd', record: { id: 'd' } }], next: undefined });
      assert.deepEqual(await store.listPage(c, { after: 'd', limit: 1 }), { records: [], next: undefined });
      assert.deepEqual(await store.listPage(c, { after: 'zzz', limit: 1 }), { records: [], next: undefined });
      assert.deepEqual(await store.listPage(coll(), { limit: 1000 }), { records: [], next: undefined }, 'an unknown collection is one empty page');
      assert.deepEqual((await store.listPage<Rec>(c, { limit: 1 })).records.map((r) => r.id), ['a'], 'limit 1');
    });

    it('listPage: limit must be an integer 1..1000 (RangeError); a bad collection or after is InvalidIdError', async () => {
      const c = coll();
      await store.put<Rec>(c, 'a', { id: 'a' });
      for (const limit of [0, 1001, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '10', undefined]) {
        await assert.rejects(store.listPage(c, { limit: limit as number }), RangeError, `limit ${String(limit)}`);
      }
      await assert.rejects(store.listPage('', { limit: 10 }), InvalidIdError);
      await assert.rejects(store.listPage(c, { after: '', limit: 10 }), InvalidIdError);
      await assert.rejects(store.listPage(c, { after: 'x'.repeat(2000), limit: 10 }), InvalidIdError);
      assert.equal((await store.listPage(c, { limit: 1000 })).records.length, 1, 'limit 1000 is allowed');
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
