/**
 * Command handling bound once per aggregate (issue 9 item 4, emmett's DeciderCommandHandler):
 * `handler(deps, id, command, actor)` loads the aggregate's stream, decides, appends at the
 * version it read with `{at, actor}` from the deps clock, and re-decides on a concurrent append.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandHandler, commandMeta } from '../../shared/app/command-handler.js';
import {
  certificateHandler, enrollmentWindowHandler, machineHandler, pairingHandler, recoveryPointHandler, tenantHandler,
} from '../../shared/app/handlers.js';
import type { Decider } from '../../shared/domain/decider.js';
import { DomainError } from '../../shared/domain/errors.js';
import type { NewEvent, StoredEvent } from '../../shared/events/envelope.js';
import type { EventStore } from '../../shared/ports/event-store.js';
import { ConcurrencyError } from '../../shared/ports/errors.js';

/** An in-memory EventStore with the port's optimistic concurrency, counting reads; `beforeAppend` can race an append in. */
function memoryStore(beforeAppend?: (store: EventStore, streamId: string) => Promise<void>) {
  const streams = new Map<string, StoredEvent[]>();
  const reads: string[] = [];
  const appends: { streamId: string; expectedVersion: number; events: readonly NewEvent[] }[] = [];
  let racing = false;
  const store: EventStore = {
    capabilities: { globalOrder: true },
    async append(streamId, expectedVersion, events) {
      if (beforeAppend && !racing) {
        racing = true;
        try { await beforeAppend(store, streamId); } finally { racing = false; }
      }
      const stream = streams.get(streamId) ?? [];
      if (stream.length !== expectedVersion) throw new ConcurrencyError(streamId, expectedVersion, stream.length);
      if (!racing) appends.push({ streamId, expectedVersion, events });
      const stored = events.map((e, i) => ({ ...e, streamId, version: expectedVersion + i + 1, prevHash: '', hash: '' }));
      streams.set(streamId, [...stream, ...stored]);
      return stored;
    },
    async readStream(streamId, afterVersion = 0, limit) {
      if (!racing) reads.push(streamId);
      const after = (streams.get(streamId) ?? []).filter((e) => e.version > afterVersion);
      return limit === undefined ? after : after.slice(0, limit);
    },
    async readLast(streamId) {
      if (!racing) reads.push(streamId);
      return (streams.get(streamId) ?? []).at(-1);
    },
    async readAll() { return { events: [], next: undefined }; },
  };
  return { store, reads, appends, streams };
}

/** A counter that refuses to go past `max` and ignores a repeated `Set`. */
type CounterCommand = { type: 'Add'; data: { n: number; max: number } } | { type: 'Set'; data: { value: number } };
type CounterEvent = { type: 'Added'; data: { n: number } } | { type: 'WasSet'; data: { value: number } };
const counter: Decider<CounterCommand, CounterEvent, number> = {
  initialState: () => 0,
  evolve: (s, e) => (e.type === 'Added' ? s + e.data.n : e.data.value),
  decide: (c, s) => {
    if (c.type === 'Set') return s === c.data.value ? [] : [{ type: 'WasSet', data: { value: c.data.value } }];
    if (s + c.data.n > c.data.max) throw new DomainError('conflict', `${s} + ${c.data.n} is over ${c.data.max}`);
    return [{ type: 'Added', data: { n: c.data.n } }];
  },
};
const counterHandler = commandHandler(counter, (id: string) => `counter:${id}`);
const clock = () => new Date('2025-01-02T03:04:05.000Z');

describe('a command handler bound to its aggregate', () => {
  it('loads, decides, appends at the version read, with {at, actor} from the deps clock', async () => {
    const { store, reads, appends } = memoryStore();
    const deps = { events: store, clock };
    await counterHandler(deps, 'c1', { type: 'Add', data: { n: 2, max: 10 } }, 'admin:01');
    const result = await counterHandler(deps, 'c1', { type: 'Add', data: { n: 3, max: 10 } }, 'admin:01');
    assert.equal(result.state, 5);
    assert.equal(result.version, 2);
    assert.deepEqual(result.appended.map((e) => [e.type, e.version, e.at, e.actor]), [['Added', 2, '2025-01-02T03:04:05.000Z', 'admin:01']]);
    assert.deepEqual(result.events.map((e) => e.version), [1, 2], 'the stream after the command');
    assert.deepEqual(appends.map((a) => a.expectedVersion), [0, 1]);
    assert.deepEqual(reads, ['counter:c1', 'counter:c1'], 'one read per command');
  });

  it('meta: the actor with the deps clock, or a whole {at, actor} the caller shares between steps', async () => {
    assert.deepEqual(commandMeta({ clock }, 'system:x'), { at: '2025-01-02T03:04:05.000Z', actor: 'system:x' });
    const { store } = memoryStore();
    const r = await counterHandler({ events: store }, 'c1', { type: 'Add', data: { n: 1, max: 10 } }, { at: '2024-12-31T00:00:00.000Z', actor: 'test' });
    assert.deepEqual(r.appended.map((e) => [e.at, e.actor]), [['2024-12-31T00:00:00.000Z', 'test']]);
  });

  it('an idempotent command appends nothing and returns the state and events as read', async () => {
    const { store, appends } = memoryStore();
    const deps = { events: store, clock };
    await counterHandler(deps, 'c1', { type: 'Set', data: { value: 7 } }, 'a');
    const again = await counterHandler(deps, 'c1', { type: 'Set', data: { value: 7 } }, 'a');
    assert.deepEqual(again.appended, []);
    assert.equal(again.state, 7);
    assert.equal(again.version, 1);
    assert.equal(again.events.length, 1);
    assert.equal(appends.length, 1);
  });

  it('a refusal is the decider\'s DomainError; nothing is appended', async () => {
    const { store, appends } = memoryStore();
    await assert.rejects(counterHandler({ events: store, clock }, 'c1', { type: 'Add', data: { n: 11, max: 10 } }, 'a'),
      (e) => e instanceof DomainError && e.code === 'conflict');
    assert.equal(appends.length, 0);
  });

  it('a concurrent append: it reads again and decides again on the new state', async () => {
    let raced = false;
    const { store, reads, appends } = memoryStore(async (s, streamId) => {
      if (raced) return;
      raced = true;
      await s.append(streamId, 0, [{ type: 'Added', data: { n: 8 }, at: 'x', actor: 'other' }]);
    });
    await assert.rejects(counterHandler({ events: store, clock }, 'c1', { type: 'Add', data: { n: 3, max: 10 } }, 'a'),
      (e) => e instanceof DomainError && /8 \+ 3 is over 10/.test(e.message), 'the second decision sees the other append');
    assert.deepEqual(reads, ['counter:c1', 'counter:c1']);
    assert.deepEqual(appends, []);
    const ok = await counterHandler({ events: store, clock }, 'c1', { type: 'Add', data: { n: 2, max: 10 } }, 'a');
    assert.equal(ok.state, 10);
  });

  it('gives up with the ConcurrencyError after its attempts', async () => {
    let n = 0;
    const { store } = memoryStore(async (s, streamId) => {
      await s.append(streamId, n++, [{ type: 'Added', data: { n: 0 }, at: 'x', actor: 'other' }]);
    });
    await assert.rejects(counterHandler({ events: store, clock }, 'c1', { type: 'Add', data: { n: 1, max: 10 } }, 'a', { attempts: 3 }), ConcurrencyError);
    assert.equal(n, 3);
  });

  it('load: the state, the events and the version of one aggregate', async () => {
    const { store } = memoryStore();
    await counterHandler({ events: store, clock }, 'c1', { type: 'Add', data: { n: 4, max: 10 } }, 'a');
    const loaded = await counterHandler.load({ events: store }, 'c1');
    assert.equal(loaded.state, 4);
    assert.equal(loaded.version, 1);
    assert.equal(loaded.events.length, 1);
    assert.equal((await counterHandler.load({ events: store }, 'c2')).state, 0);
  });

  it('decides on a stream already loaded without reading it again (and still re-reads on a conflict)', async () => {
    const { store, reads } = memoryStore();
    const deps = { events: store, clock };
    const loaded = await counterHandler.load(deps, 'c1');
    const r = await counterHandler(deps, 'c1', { type: 'Add', data: { n: 1, max: 10 } }, 'a', { loaded });
    assert.equal(r.state, 1);
    assert.deepEqual(reads, ['counter:c1'], 'the stream is read once');
    const stale = await counterHandler(deps, 'c1', { type: 'Add', data: { n: 1, max: 10 } }, 'a', { loaded });
    assert.equal(stale.state, 2, 'a stale load is a conflict: re-read and re-decided');
  });
});

describe('a handler that caches its state (the storage counter)', () => {
  it('a cold process reads the last event only when it carries the state; a warm one reads only newer events', async () => {
    const { store } = memoryStore();
    const calls: string[] = [];
    const spied: EventStore = {
      ...store,
      readStream: (id, after) => { calls.push(`readStream ${after ?? 0}`); return store.readStream(id, after); },
      readLast: (id) => { calls.push('readLast'); return store.readLast(id); },
    };
    const deps = { events: spied, clock };
    const meta = { at: clock().toISOString(), actor: 'test' };
    for (let v = 0; v < 5; v++) await store.append('counter:c', v, [{ type: v === 4 ? 'WasSet' : 'Added', data: v === 4 ? { value: 40 } : { n: 1 }, ...meta }]);
    const cached = commandHandler(counter, (id: string) => `counter:${id}`, {
      cacheState: true, stateFromLast: (e) => (e.type === 'WasSet' ? e.data.value : undefined),
    });
    const cold = await cached.load(deps, 'c');
    assert.deepEqual([cold.state, cold.version, calls], [40, 5, ['readLast']], 'one event read, not five');
    calls.length = 0;
    const r = await cached(deps, 'c', { type: 'Add', data: { n: 2, max: 100 } }, 'test');
    assert.deepEqual([r.state, r.version], [42, 6]);
    assert.deepEqual(calls, ['readStream 5'], 'warm: only what follows the cached version');
    calls.length = 0;
    assert.equal((await cached.load(deps, 'c')).state, 42);
    assert.deepEqual(calls, ['readStream 6']);
    // An aggregate whose last event does not carry the state is folded whole.
    const other = commandHandler(counter, (id: string) => `counter:${id}`, { cacheState: true, stateFromLast: () => undefined });
    calls.length = 0;
    assert.equal((await other.load(deps, 'c')).state, 42);
    assert.deepEqual(calls, ['readLast', 'readStream 0']);
  });
});

describe('a handler that keeps its state (cacheState)', () => {
  it('folds a long stream in pages of 1000 (bounded memory for a cold process), then reads only what is new', async () => {
    const { store, reads } = memoryStore();
    const cached = commandHandler(counter, (id: string) => `counter:${id}`, { cacheState: true });
    for (let v = 0; v < 2500; v += 100) {
      await store.append('counter:big', v, Array.from({ length: 100 }, () => ({ type: 'Added', data: { n: 1 }, at: 'x', actor: 'a' })));
    }
    const loaded = await cached.load({ events: store }, 'big');
    assert.equal(loaded.state, 2500);
    assert.equal(loaded.version, 2500);
    assert.equal(reads.length, 3, 'three pages: 1000, 1000, 500');
    assert.equal(loaded.events.length, 500, 'the last page read');
    await store.append('counter:big', 2500, [{ type: 'Added', data: { n: 1 }, at: 'x', actor: 'a' }]);
    assert.equal((await cached.load({ events: store }, 'big')).state, 2501);
    assert.equal(reads.length, 4, 'then one read for what is new');
  });
});

describe('one handler per aggregate, each bound to its stream', () => {
  it('pairing, tenant, certificate, machine, recovery point and enrollment window streams', async () => {
    const { store, streams } = memoryStore();
    const deps = { events: store, clock };
    await pairingHandler(deps, 'pr-1', {
      type: 'RequestPairing', data: { requestId: 'pr-1', coreName: 'A', coreId: 'c', email: 'a@example.com', csrPem: 'x', enrollmentSerial: '01' },
    }, 'enrollment:01');
    await tenantHandler(deps, 't-1', {
      type: 'CreateTenant', data: { tenantId: 't-1', name: 'A', email: 'a@example.com', quotaBytes: 1, pairingRequestId: 'pr-1', coreId: 'c' },
    }, 'system:test');
    await certificateHandler(deps, '0a', {
      type: 'IssueCertificate',
      data: { serial: '0a', role: 'admin', subject: 'CN=a', notBefore: 'x', notAfter: 'y', fingerprint256: 'f', certificatePem: 'p' },
    }, 'system:test');
    await machineHandler(deps, { tenantId: 't-1', machineId: 'm-1' }, {
      type: 'RegisterMachine', data: { tenantId: 't-1', machineId: 'm-1', name: 'm', volumes: [] },
    }, 'source-core:t-1:0b');
    await recoveryPointHandler(deps, { tenantId: 't-1', rpId: 'rp-1' }, {
      type: 'CommitRecoveryPoint',
      data: { tenantId: 't-1', machineId: 'm-1', rpId: 'rp-1', kind: 'base', manifest: 'a'.repeat(64), volumes: [{ name: 'sda', sizeBytes: 1 }], chunkCount: 1, referencedBytes: 1, addedBytes: 1 },
      quota: { quotaBytes: 10, usedBytes: 0 },
    }, 'source-core:t-1:0b');
    await enrollmentWindowHandler(deps, { serial: '01', windowStartSeconds: 3600 }, {
      type: 'FilePairingRequest', data: { serial: '01', requestId: 'pr-1', windowStart: '1970-01-01T01:00:00.000Z', limit: 1 },
    }, 'enrollment:01');
    assert.deepEqual([...streams.keys()], ['pairing:pr-1', 'tenant:t-1', 'cert:0a', 'machine:t-1:m-1', 'rp:t-1:rp-1', 'enrollment:01:3600']);
    assert.equal((await machineHandler.load(deps, { tenantId: 't-1', machineId: 'm-1' })).state.status, 'registered');
  });
});
