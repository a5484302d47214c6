import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson, chainEvents, eventHash, GENESIS_HASH, verifyStream } from '../../shared/events/chain.js';
import type { NewEvent, StoredEvent } from '../../shared/events/envelope.js';

const at = (n: number) => `2026-03-01T12:00:0${n}.000Z`;
const newEvents: NewEvent[] = [
  { type: 'PairingRequested', data: { requestId: 'req-1', coreName: 'Acme', tags: ['a', 'b'] }, at: at(1), actor: 'enrollment:en01' },
  { type: 'PairingAcknowledged', data: { requestId: 'req-1', message: 'received' }, at: at(2), actor: 'system:workflow' },
  { type: 'PairingApproved', data: { requestId: 'req-1', tenantId: 't-1', quotaBytes: 1000 }, at: at(3), actor: 'admin:ad01' },
  { type: 'PairingCertificateDelivered', data: { requestId: 'req-1', serial: 'c0ffee' }, at: at(4), actor: 'system:workflow' },
];
const stream = 'pairing:req-1';
const chained = (): StoredEvent[] => chainEvents(stream, undefined, newEvents);

function assertBreak(events: readonly StoredEvent[], version: number, reason: RegExp): void {
  const brk = verifyStream(events);
  assert.ok(brk, 'expected a chain break');
  assert.equal(brk.streamId, stream);
  assert.equal(brk.version, version);
  assert.match(brk.reason, reason);
}

describe('canonicalJson', () => {
  it('sorts keys at every level, so key order never changes the text', () => {
    const a = { b: 1, a: { d: [1, { z: 1, y: 2 }], c: 'x' } };
    const b = { a: { c: 'x', d: [1, { y: 2, z: 1 }] }, b: 1 };
    assert.equal(canonicalJson(a), canonicalJson(b));
    assert.equal(canonicalJson(a), '{"a":{"c":"x","d":[1,{"y":2,"z":1}]},"b":1}');
  });

  it('keeps array order (order in an array is meaning)', () => {
    assert.notEqual(canonicalJson([1, 2]), canonicalJson([2, 1]));
  });

  it('drops undefined properties, as JSON does, so a stored-and-read event hashes the same', () => {
    assert.equal(canonicalJson({ a: 1, b: undefined }), '{"a":1}');
    assert.equal(canonicalJson({ a: 1, b: undefined }), canonicalJson(JSON.parse(JSON.stringify({ a: 1, b: undefined }))));
  });

  it('writes scalars as JSON', () => {
    assert.equal(canonicalJson(null), 'null');
    assert.equal(canonicalJson('a"b'), '"a\\"b"');
    assert.equal(canonicalJson(42), '42');
    assert.equal(canonicalJson(true), 'true');
    assert.equal(canonicalJson(undefined), 'null');
  });

  it('is exact about keys that sort by code unit', () => {
    assert.equal(canonicalJson({ b: 1, B: 2, a: 3 }), '{"B":2,"a":3,"b":1}');
  });
});

describe('chainEvents', () => {
  it('numbers from 1 and chains from the genesis hash', () => {
    const events = chained();
    assert.deepEqual(events.map((e) => e.version), [1, 2, 3, 4]);
    assert.equal(events[0]!.prevHash, GENESIS_HASH);
    for (let i = 1; i < events.length; i++) assert.equal(events[i]!.prevHash, events[i - 1]!.hash);
    for (const e of events) {
      assert.match(e.hash, /^[0-9a-f]{64}$/);
      assert.equal(e.hash, eventHash(e));
      assert.equal(e.streamId, stream);
    }
    assert.equal(new Set(events.map((e) => e.hash)).size, events.length);
    assert.equal(verifyStream(events), undefined);
  });

  it('continues a stream from its last event, giving the same chain as one append', () => {
    const first = chainEvents(stream, undefined, newEvents.slice(0, 2));
    const last = first.at(-1)!;
    const rest = chainEvents(stream, { version: last.version, hash: last.hash }, newEvents.slice(2));
    assert.deepEqual([...first, ...rest], chained());
  });

  it('is deterministic and independent of key order in the data', () => {
    const reordered = newEvents.map((e) => ({
      actor: e.actor, at: e.at,
      data: Object.fromEntries(Object.entries(e.data as Record<string, unknown>).reverse()),
      type: e.type,
    }));
    assert.deepEqual(chainEvents(stream, undefined, reordered).map((e) => e.hash), chained().map((e) => e.hash));
  });

  it('hashes every field: the same event on another stream, at another time or by another actor hashes differently', () => {
    const [base] = chained();
    const h = base!.hash;
    assert.notEqual(chainEvents('pairing:req-2', undefined, newEvents.slice(0, 1))[0]!.hash, h);
    assert.notEqual(chainEvents(stream, undefined, [{ ...newEvents[0]!, at: at(9) }])[0]!.hash, h);
    assert.notEqual(chainEvents(stream, undefined, [{ ...newEvents[0]!, actor: 'admin:x' }])[0]!.hash, h);
    assert.notEqual(chainEvents(stream, undefined, [{ ...newEvents[0]!, type: 'Other' }])[0]!.hash, h);
    assert.notEqual(eventHash({ ...base!, version: 2 }), h);
    assert.notEqual(eventHash({ ...base!, prevHash: 'f'.repeat(64) }), h);
  });

  it('returns nothing for no events', () => {
    assert.deepEqual(chainEvents(stream, undefined, []), []);
  });
});

describe('verifyStream', () => {
  it('accepts an intact stream, an empty one, and a stream as read back from JSON', () => {
    assert.equal(verifyStream(chained()), undefined);
    assert.equal(verifyStream([]), undefined);
    assert.equal(verifyStream(JSON.parse(JSON.stringify(chained())) as StoredEvent[]), undefined);
  });

  it('accepts the stored JSON with its keys in another order', () => {
    const shuffled = chained().map((e) => JSON.parse(JSON.stringify({ ...e, data: Object.fromEntries(Object.entries(e.data as object).reverse()) })) as StoredEvent);
    assert.equal(verifyStream(shuffled), undefined);
  });

  it('names an edited event (data changed, hash left)', () => {
    const events = chained();
    events[1] = { ...events[1]!, data: { requestId: 'req-1', message: 'forged' } };
    assertBreak(events, 2, /hash does not match the event content/);
  });

  it('names an edited event (only its time or actor changed)', () => {
    const a = chained();
    a[2] = { ...a[2]!, actor: 'admin:someone-else' };
    assertBreak(a, 3, /edited/);
    const b = chained();
    b[0] = { ...b[0]!, at: at(0) };
    assertBreak(b, 1, /edited/);
  });

  it('names the successor of an edited event whose hash was recomputed', () => {
    const events = chained();
    const forged = { ...events[1]!, data: { requestId: 'req-1', message: 'forged' } };
    events[1] = { ...forged, hash: eventHash(forged) };
    assertBreak(events, 3, /prevHash does not match/);
  });

  it('names the event after a deleted middle event', () => {
    const events = chained();
    events.splice(1, 1);
    assertBreak(events, 3, /expected version 2, found 3/);
  });

  it('names a deleted first event', () => {
    assertBreak(chained().slice(1), 2, /expected version 1, found 2/);
  });

  it('names a swapped pair', () => {
    const events = chained();
    [events[1], events[2]] = [events[2]!, events[1]!];
    assertBreak(events, 3, /expected version 2, found 3/);
  });

  it('names a swapped pair whose versions were swapped too', () => {
    const events = chained();
    const [b, c] = [events[1]!, events[2]!];
    events[1] = { ...c, version: 2 };
    events[2] = { ...b, version: 3 };
    assertBreak(events, 2, /prevHash does not match|edited/);
  });

  it('names an event whose prevHash was edited', () => {
    const events = chained();
    events[2] = { ...events[2]!, prevHash: 'a'.repeat(64) };
    assertBreak(events, 3, /prevHash does not match/);
  });

  it('names an event whose prevHash was edited and its hash recomputed', () => {
    const events = chained();
    const forged = { ...events[2]!, prevHash: 'a'.repeat(64) };
    events[2] = { ...forged, hash: eventHash(forged) };
    assertBreak(events, 3, /prevHash does not match/);
  });

  it('names an event whose first prevHash is not the genesis hash', () => {
    const events = chained();
    events[0] = { ...events[0]!, prevHash: 'b'.repeat(64) };
    assertBreak(events, 1, /prevHash/);
  });

  it('names an event whose hash was edited', () => {
    const events = chained();
    events[3] = { ...events[3]!, hash: 'c'.repeat(64) };
    assertBreak(events, 4, /edited/);
  });

  it('names a duplicated event', () => {
    const events = chained();
    events.splice(2, 0, events[1]!);
    assertBreak(events, 2, /expected version 3, found 2/);
  });

  it('names the first of several breaks', () => {
    const events = chained();
    events[1] = { ...events[1]!, data: { forged: true } };
    events[3] = { ...events[3]!, data: { forged: true } };
    assertBreak(events, 2, /edited/);
  });
});
