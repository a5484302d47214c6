import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../../shared/domain/errors.js';
import { gcStepApplied, stateFromLast, storageDecider, type StorageChargedData, type StorageCommand, type StorageEvent } from '../../shared/domain/storage.js';
import { spec } from '../support/given-when-then.js';

const tenantId = 't-1';
const charge = (packId: string, bytes: number): StorageChargedData => ({ tenantId, packId, bytes, rpId: 'rp-1', machineId: 'm-1' });
const chargeCmd = (packId: string, bytes: number, quotaBytes = 10_000): StorageCommand => ({ type: 'ChargeStorage', data: charge(packId, bytes), quotaBytes });
/** Events as the decider writes them carry the total after them; `usedBytes` undefined: an event of before that. */
const charged = (packId: string, bytes: number, usedBytes?: number): StorageEvent =>
  ({ type: 'StorageCharged', data: { ...charge(packId, bytes), ...(usedBytes !== undefined ? { usedBytes } : {}) } });
const released = (packId: string, bytes: number, usedBytes?: number): StorageEvent =>
  ({ type: 'StorageReleased', data: { tenantId, packId, bytes, ...(usedBytes !== undefined ? { usedBytes } : {}) } });
const storage = () => spec(storageDecider);

describe('storage counter decider: ChargeStorage', () => {
  it('charges a pack its stored size', () => {
    const state = storage().given([charged('p1', 4000)]).when(chargeCmd('p2', 3000)).then([charged('p2', 3000, 7000)]);
    assert.equal(state.usedBytes, 7000);
  });
  it('exactly at the quota is allowed', () => {
    const warn = (level: 80 | 90): StorageEvent => ({ type: 'StorageQuotaWarning', data: { tenantId, level, usedBytes: 10_000, quotaBytes: 10_000 } });
    storage().given([charged('p1', 6000)]).when(chargeCmd('p2', 4000)).then([charged('p2', 4000, 10_000), warn(80), warn(90)]);
  });
  it('past the quota → quota-exceeded with the figures, nothing charged', () => {
    storage().given([charged('p1', 6001)]).when(chargeCmd('p2', 4000)).thenThrows('invalid', /over the quota of 10000 bytes/);
    assert.throws(() => storageDecider.decide(chargeCmd('p2', 4000), storageDecider.evolve(storageDecider.initialState(), charged('p1', 6001))),
      (e: unknown) => e instanceof DomainError && e.reason === 'quota-exceeded'
        && e.details['quotaBytes'] === 10_000 && e.details['usedBytes'] === 6001 && e.details['addedBytes'] === 4000);
  });
  it('a charge of 0 bytes appends nothing, even at a full quota', () => {
    storage().given([charged('p1', 10_000)]).when(chargeCmd('p2', 0)).then([]);
  });
  it('the state is the one number, whatever the history (so a process may cache it and read only newer events)', () => {
    const state = storage().given([charged('p1', 4000), charged('p2', 3000), released('p2', 3000), charged('p3', 1)]).when(chargeCmd('p4', 10)).then([charged('p4', 10, 4011)]);
    assert.deepEqual(state, { usedBytes: 4011 });
  });
  it('an event that carries the total is the state by itself; one of before that is folded', () => {
    assert.deepEqual(stateFromLast(charged('p9', 10, 4011)), { usedBytes: 4011 });
    assert.deepEqual(stateFromLast(released('p9', 10, 0)), { usedBytes: 0 });
    assert.equal(stateFromLast(charged('p9', 10)), undefined);
    // A stream of old events then new ones folds to the carried total.
    const state = [charged('p1', 100), charged('p2', 50, 150), released('p1', 100, 50)].reduce(storageDecider.evolve, storageDecider.initialState());
    assert.deepEqual(state, { usedBytes: 50 });
  });
  it('refuses a byte count that is not a non-negative integer', () => {
    for (const bytes of [-1, 0.5, Number.NaN]) storage().given([]).when(chargeCmd('p1', bytes)).thenThrows('invalid', /non-negative integer/);
  });
});

describe('storage counter decider: soft quota warnings (80 %, 90 %)', () => {
  const warning = (level: 80 | 90, usedBytes: number): StorageEvent => ({ type: 'StorageQuotaWarning', data: { tenantId, level, usedBytes, quotaBytes: 10_000 } });
  it('a charge that crosses 80 % raises the 80 % warning in the same append', () => {
    storage().given([charged('p1', 7000, 7000)]).when(chargeCmd('p2', 1000)).then([charged('p2', 1000, 8000), warning(80, 8000)]);
  });
  it('one charge across both levels raises both', () => {
    storage().given([charged('p1', 7000, 7000)]).when(chargeCmd('p2', 2500)).then([charged('p2', 2500, 9500), warning(80, 9500), warning(90, 9500)]);
  });
  it('charges above a level, or below both, raise nothing more', () => {
    storage().given([charged('p1', 8100, 8100)]).when(chargeCmd('p2', 500)).then([charged('p2', 500, 8600)]);
    storage().given([]).when(chargeCmd('p2', 500)).then([charged('p2', 500, 500)]);
  });
  it('a warning leaves the counter as it is, and carries the total (the last event is still the state)', () => {
    assert.deepEqual(stateFromLast(warning(90, 9500)), { usedBytes: 9500 });
  });
});

describe('storage counter decider: ReleaseStorage', () => {
  it('releases a pack\'s charge (a concurrent upload stored the same pack first)', () => {
    const state = storage().given([charged('p1', 4000), charged('p2', 3000)])
      .when({ type: 'ReleaseStorage', data: { tenantId, packId: 'p1', bytes: 1000 } }).then([released('p1', 1000, 6000)]);
    assert.equal(state.usedBytes, 6000);
  });
  it('never takes the counter below zero', () => {
    storage().given([charged('p1', 4000), released('p1', 3500)])
      .when({ type: 'ReleaseStorage', data: { tenantId, packId: 'p1', bytes: 1000 } }).thenThrows('conflict', /below zero/);
    storage().given([]).when({ type: 'ReleaseStorage', data: { tenantId, packId: 'p9', bytes: 1 } }).thenThrows('conflict', /below zero/);
  });
  it('releasing 0 bytes appends nothing', () => {
    storage().given([charged('p1', 4000)]).when({ type: 'ReleaseStorage', data: { tenantId, packId: 'p1', bytes: 0 } }).then([]);
  });
});

describe('storage counter decider: CollectStorage (one GC step, applied once)', () => {
  const step = (runId: string, seq: number) => ({ runId, seq });
  const collect = (gc: { runId: string; seq: number }, charge: [string, number][], release: [string, number][], quotaBytes = 10_000): StorageCommand => ({
    type: 'CollectStorage', quotaBytes,
    data: { tenantId, gc, charge: charge.map(([packId, bytes]) => ({ packId, bytes })), release: release.map(([packId, bytes]) => ({ packId, bytes })) },
  });
  /** `usedBytes`: the counter after the event (carried by every event the decider makes; absent in the givens of an older log). */
  const gcCharged = (packId: string, bytes: number, gc: { runId: string; seq: number }, usedBytes?: number): StorageEvent => ({ type: 'StorageCharged', data: { tenantId, packId, bytes, gc, ...(usedBytes === undefined ? {} : { usedBytes }) } });
  const gcReleased = (packId: string, bytes: number, gc: { runId: string; seq: number }, usedBytes?: number): StorageEvent => ({ type: 'StorageReleased', data: { tenantId, packId, bytes, gc, ...(usedBytes === undefined ? {} : { usedBytes }) } });
  const s1 = step('gc-20250101T000000000-aaaa', 1);

  it('releases the packs a step deleted (one event per pack, naming the step) and remembers the step', () => {
    const state = storage().given([charged('p1', 4000), charged('p2', 3000)]).when(collect(s1, [], [['p1', 4000], ['p2', 3000]]))
      .then([gcReleased('p1', 4000, s1, 3000), gcReleased('p2', 3000, s1, 0)]);
    assert.deepEqual(state, { usedBytes: 0, lastGc: s1 });
  });
  it('the same step again (a crash after the append, or a duplicate delivery) changes nothing', () => {
    storage().given([charged('p1', 4000), gcReleased('p1', 4000, s1)]).when(collect(s1, [], [['p1', 4000]])).then([]);
  });
  it('an earlier step of the run, or any step of an older run, changes nothing; a later step and a newer run apply', () => {
    const s3 = step(s1.runId, 3);
    const given = [charged('p1', 4000), charged('p2', 10), gcReleased('p1', 4000, s3)];
    storage().given(given).when(collect(step(s1.runId, 2), [], [['p2', 10]])).then([]);
    storage().given(given).when(collect(step('gc-20241231T000000000-zzzz', 9), [], [['p2', 10]])).then([]);
    storage().given(given).when(collect(step(s1.runId, 4), [], [['p2', 10]])).then([gcReleased('p2', 10, step(s1.runId, 4), 0)]);
    storage().given(given).when(collect(step('gc-20250102T000000000-aaaa', 1), [], [['p2', 10]])).then([gcReleased('p2', 10, step('gc-20250102T000000000-aaaa', 1), 0)]);
  });
  it('charges the packs a repack wrote, against the quota (refused past it, nothing charged)', () => {
    storage().given([charged('p1', 6000)]).when(collect(s1, [['n1', 3000]], [])).then([gcCharged('n1', 3000, s1, 9000)]);
    storage().given([charged('p1', 8000)]).when(collect(s1, [['n1', 3000]], [])).thenThrows('invalid', /over the quota of 10000 bytes/);
    assert.throws(() => storageDecider.decide(collect(s1, [['n1', 3000]], []), storageDecider.evolve(storageDecider.initialState(), charged('p1', 8000))),
      (e: unknown) => e instanceof DomainError && e.reason === 'quota-exceeded');
  });
  it('never below zero; a seq that is not a positive integer and too many packs are refused', () => {
    storage().given([charged('p1', 10)]).when(collect(s1, [], [['p1', 11]])).thenThrows('conflict', /below zero/);
    storage().given([]).when(collect(step(s1.runId, 0), [], [])).thenThrows('invalid', /positive integer/);
    const many = Array.from({ length: 97 }, (_, i): [string, number] => [`p${i}`, 1]);
    storage().given([charged('p', 1000)]).when(collect(s1, [], many)).thenThrows('invalid', /at most 96 packs/);
  });
  it('every later event carries the last step, so a cold process that reads only the last event still knows it', () => {
    const after = storageDecider.decide(collect(s1, [], [['p1', 4000]]), storageDecider.evolve(storageDecider.initialState(), charged('p1', 5000)));
    const state = storageDecider.evolve(storageDecider.evolve(storageDecider.initialState(), charged('p1', 5000)), after[0] as StorageEvent);
    const next = storageDecider.decide({ type: 'ChargeStorage', quotaBytes: 10_000, data: { tenantId, packId: 'p9', bytes: 100, rpId: 'rp-1', machineId: 'm-1' } }, state);
    assert.deepEqual(next.map((e) => [e.type, e.data.usedBytes, e.data.lastGc]), [['StorageCharged', 1100, s1]]);
    const cold = stateFromLast(next[0] as StorageEvent);
    assert.deepEqual(cold, { usedBytes: 1100, lastGc: s1 });
    storage().given([charged('p1', 5000), gcReleased('p1', 4000, s1, 1000), next[0] as StorageEvent]).when(collect(s1, [], [['p1', 4000]])).then([]);
    assert.equal(gcStepApplied(cold as NonNullable<typeof cold>, s1), true, 'the same step after a cold start: applied already');
  });
  it('a step that releases nothing appends nothing', () => {
    storage().given([charged('p1', 10)]).when(collect(s1, [], [])).then([]);
  });
});
