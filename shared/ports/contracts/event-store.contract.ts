/**
 * The EventStore contract (shared/ports/event-store.ts): every adapter runs this suite.
 * One store per suite; each test uses its own streams, so tests never see each other's
 * events except through readAll, where they filter on their own stream ids.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { GENESIS_HASH, verifyStream } from '../../events/chain.js';
import type { NewEvent, PositionedEvent } from '../../events/envelope.js';
import { InvalidIdError } from '../../ids.js';
import { ConcurrencyError } from '../errors.js';
import type { EventStore } from '../event-store.js';

export function eventStoreContract(name: string, make: () => Promise<{ store: EventStore; cleanup(): Promise<void> }>): void {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    let cleanup: () => Promise<void>;
    const run = randomBytes(4).toString('hex');
    let n = 0;
    const sid = (kind = 'test') => `${kind}:${run}-${++n}`;
    const ev = (type: string, data: unknown = { n: type }): NewEvent => ({ type, data, at: '2025-01-02T03:04:05.000Z', actor: 'system:contract' });

    before(async () => ({ store, cleanup } = await make()));
    after(async () => cleanup());

    /** Every event of the given streams, paging with `limit`, in the order readAll returns them. */
    async function readAllOf(streams: ReadonlySet<string>, limit: number, from?: string): Promise<{ events: PositionedEvent[]; next: string | undefined }> {
      const events: PositionedEvent[] = [];
      let cursor = from;
      for (let page = 0; page < 10_000; page++) {
        const r = await store.readAll(cursor, limit);
        assert.ok(r.events.length <= limit, 'readAll returns at most `limit` events');
        if (r.events.length === 0) return { events, next: r.next ?? cursor };
        assert.ok(r.next !== undefined, 'a non-empty page has a next cursor');
        events.push(...r.events.filter((e) => streams.has(e.streamId)));
        cursor = r.next;
      }
      throw new Error('readAll did not reach the end');
    }

    it('append then readStream round-trips, versions numbered from 1', async () => {
      const s = sid();
      const stored = await store.append(s, 0, [ev('A'), ev('B')]);
      assert.deepEqual(stored.map((e) => [e.streamId, e.version, e.type]), [[s, 1, 'A'], [s, 2, 'B']]);
      assert.deepEqual(await store.readStream(s), stored);
      const more = await store.append(s, 2, [ev('C')]);
      assert.equal(more[0]?.version, 3);
      assert.deepEqual((await store.readStream(s)).map((e) => e.version), [1, 2, 3]);
    });

    it('readLast: the highest version of the stream, as readStream returns it; undefined for an unknown stream', async () => {
      const s = sid();
      assert.equal(await store.readLast(s), undefined);
      await store.append(s, 0, [ev('A'), ev('B')]);
      await store.append(s, 2, [ev('C', { n: 3 })]);
      const all = await store.readStream(s);
      assert.deepEqual(await store.readLast(s), all.at(-1));
      assert.equal((await store.readLast(s))?.version, 3);
    });

    it('stored events carry type, data, at and actor as given', async () => {
      const s = sid();
      const [e] = await store.append(s, 0, [{ type: 'T', data: { x: 1 }, at: '2030-12-31T23:59:59.999Z', actor: 'admin:00ab' }]);
      assert.deepEqual({ type: e?.type, data: e?.data, at: e?.at, actor: e?.actor }, { type: 'T', data: { x: 1 }, at: '2030-12-31T23:59:59.999Z', actor: 'admin:00ab' });
    });

    it('hash chain: verifyStream accepts what was appended; v1 chains to GENESIS_HASH', async () => {
      const s = sid();
      await store.append(s, 0, [ev('A')]);
      await store.append(s, 1, [ev('B'), ev('C')]);
      const events = await store.readStream(s);
      assert.equal(events[0]?.prevHash, GENESIS_HASH);
      assert.equal(events[1]?.prevHash, events[0]?.hash);
      assert.equal(events[2]?.prevHash, events[1]?.hash);
      assert.equal(verifyStream(events), undefined);
    });

    it('expectedVersion mismatch → ConcurrencyError, nothing stored', async () => {
      const s = sid();
      await store.append(s, 0, [ev('A')]);
      for (const expected of [0, 2, 5]) {
        await assert.rejects(store.append(s, expected, [ev('X')]), (err) => err instanceof ConcurrencyError && err.streamId === s);
      }
      await assert.rejects(store.append(sid(), 1, [ev('X')]), ConcurrencyError, 'expectedVersion 1 on a new stream');
      assert.deepEqual((await store.readStream(s)).map((e) => e.type), ['A']);
    });

    it('multi-event append is atomic: a conflicting one stores none of its events', async () => {
      const s = sid();
      await store.append(s, 0, [ev('A'), ev('B')]);
      // Its first event would collide with v2, the others would be new versions: none may land.
      await assert.rejects(store.append(s, 1, [ev('X'), ev('Y'), ev('Z')]), ConcurrencyError);
      assert.deepEqual((await store.readStream(s)).map((e) => e.type), ['A', 'B']);
      const ok = await store.append(s, 2, [ev('C'), ev('D'), ev('E')]);
      assert.deepEqual(ok.map((e) => e.version), [3, 4, 5]);
    });

    it('two concurrent appends with the same expectedVersion: exactly one wins', async () => {
      for (const base of [0, 1]) {
        const s = sid();
        if (base === 1) await store.append(s, 0, [ev('A')]);
        const results = await Promise.allSettled([store.append(s, base, [ev('P'), ev('P2')]), store.append(s, base, [ev('Q'), ev('Q2')])]);
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        assert.equal(won.length, 1, `exactly one append wins (base ${base})`);
        assert.ok(lost[0]?.reason instanceof ConcurrencyError, 'the other gets ConcurrencyError');
        const events = await store.readStream(s);
        assert.equal(events.length, base + 2);
        assert.ok(['P,P2', 'Q,Q2'].includes(events.slice(base).map((e) => e.type).join(',')), 'one append, not a mix');
        assert.equal(verifyStream(events), undefined);
      }
    });

    it('readStream(after) returns only later versions; unknown stream → []', async () => {
      const s = sid();
      await store.append(s, 0, [ev('A'), ev('B'), ev('C')]);
      assert.deepEqual((await store.readStream(s, 1)).map((e) => e.version), [2, 3]);
      assert.deepEqual(await store.readStream(s, 3), []);
      assert.deepEqual(await store.readStream(s, 10), []);
      assert.deepEqual(await store.readStream(sid('unknown')), []);
    });

    it('readStream(after, limit) returns at most limit events, the first ones: pages through a stream', async () => {
      const s = sid();
      await store.append(s, 0, [ev('A'), ev('B'), ev('C'), ev('D'), ev('E')]);
      assert.deepEqual((await store.readStream(s, 0, 2)).map((e) => e.version), [1, 2]);
      assert.deepEqual((await store.readStream(s, 2, 2)).map((e) => e.version), [3, 4]);
      assert.deepEqual((await store.readStream(s, 4, 2)).map((e) => e.version), [5]);
      assert.deepEqual(await store.readStream(s, 5, 2), []);
      assert.deepEqual((await store.readStream(s, 1, 100)).map((e) => e.version), [2, 3, 4, 5]);
      await assert.rejects(store.readStream(s, 0, 0), RangeError);
    });

    it('data round-trips as JSON: nested objects, arrays, unicode, numbers, null', async () => {
      const s = sid();
      const data = {
        nested: { deep: { deeper: [1, 2, { three: 3 }] } },
        unicode: 'Grüße — 日本語 — emoji 🔐 — "quotes" \\ back\nslash',
        numbers: [0, -1, 1.5, 1e21, Number.MAX_SAFE_INTEGER],
        flags: [true, false, null],
        empty: { obj: {}, arr: [], str: '' },
      };
      const [stored] = await store.append(s, 0, [ev('J', data), ev('S', 'just a string')]);
      assert.deepEqual(stored?.data, data);
      const read = await store.readStream(s);
      assert.deepEqual(read[0]?.data, data);
      assert.equal(read[1]?.data, 'just a string');
      assert.equal(verifyStream(read), undefined);
    });

    it('readAll returns every event exactly once, paginated with next, each stream in version order', async () => {
      const start = await readAllOf(new Set(), 50);
      const streams = [sid('ra'), sid('ra'), sid('ra')];
      const appended: string[] = [];
      for (let round = 0; round < 4; round++) {
        for (const [i, s] of streams.entries()) {
          const batch = (await store.append(s, round * (i + 1), Array.from({ length: i + 1 }, (_, k) => ev(`R${round}-${k}`)))).map((e) => `${e.streamId}#${e.version}`);
          appended.push(...batch);
        }
      }
      const { events, next } = await readAllOf(new Set(streams), 3, start.next);
      const seen = events.map((e) => `${e.streamId}#${e.version}`);
      assert.equal(new Set(seen).size, seen.length, 'no event twice');
      assert.deepEqual([...seen].sort(), [...appended].sort(), 'every event');
      for (const s of streams) {
        const versions = events.filter((e) => e.streamId === s).map((e) => e.version);
        assert.deepEqual(versions, versions.map((_, k) => k + 1), `${s} in version order`);
      }
      for (const e of events) assert.equal(typeof e.position, 'string');
      // The cursor after the last page resumes with events appended later (a projector's checkpoint).
      await store.append(streams[0]!, 4, [ev('LATE')]);
      const late = await readAllOf(new Set(streams), 3, next);
      assert.deepEqual(late.events.map((e) => [e.streamId, e.version, e.type]), [[streams[0], 5, 'LATE']]);
      assert.equal(verifyStream(await store.readStream(streams[2]!)), undefined);
    });

    it('readAll interleaves streams in global append order (when capabilities.globalOrder)', async (t) => {
      if (!store.capabilities.globalOrder) {
        t.diagnostic(`${name}: global append order is NOT asserted — the adapter declares capabilities.globalOrder = false`);
        t.skip('global append order NOT asserted: capabilities.globalOrder is false for this adapter');
        return;
      }
      const start = await readAllOf(new Set(), 50);
      const [a, b] = [sid('go'), sid('go')];
      const order: string[] = [];
      const push = async (s: string, v: number) => order.push(...(await store.append(s, v, [ev('G')])).map((e) => `${e.streamId}#${e.version}`));
      await push(a, 0); await push(b, 0); await push(b, 1); await push(a, 1); await push(b, 2);
      const { events } = await readAllOf(new Set([a, b]), 2, start.next);
      assert.deepEqual(events.map((e) => `${e.streamId}#${e.version}`), order);
    });

    it('invalid stream ids → InvalidIdError (append and readStream)', async () => {
      const bad: unknown[] = ['', 'tenant', 'tenant-', 'Tenant-x', '../x', 'tenant-a/b', 'tenant-a b', 'tenant-é', '-x', `tenant-${'a'.repeat(201)}`, 42, null,
        // The ':' format with a bad part, and the first format ('-' joins, no ':'), which is refused.
        'tenant:', 'Tenant:x', 'tenant:a/b', 'tenant:a b', 'tenant:é', ':x', 'tenant::x', 'tenant:..', 'rp:t1:r1:x', `tenant:${'a'.repeat(65)}`, 'tenant-x', 'rp-t1-r1'];
      for (const id of bad) {
        await assert.rejects(store.append(id as string, 0, [ev('A')]), InvalidIdError, `append ${String(id)}`);
        await assert.rejects(store.readStream(id as string), InvalidIdError, `readStream ${String(id)}`);
      }
    });

    it('invalid expectedVersion is rejected and stores nothing', async () => {
      const s = sid();
      for (const v of [-1, 0.5, Number.NaN]) await assert.rejects(store.append(s, v, [ev('A')]));
      assert.deepEqual(await store.readStream(s), []);
    });
  });
}
