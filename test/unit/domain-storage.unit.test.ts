import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../../shared/domain/errors.js';
import { storageDecider, type StorageChargedData, type StorageCommand, type StorageEvent } from '../../shared/domain/storage.js';
import { spec } from '../support/given-when-then.js';

const tenantId = 't-1';
const charge = (packId: string, bytes: number): StorageChargedData => ({ tenantId, packId, bytes, rpId: 'rp-1', machineId: 'm-1' });
const chargeCmd = (packId: string, bytes: number, quotaBytes = 10_000): StorageCommand => ({ type: 'ChargeStorage', data: charge(packId, bytes), quotaBytes });
const charged = (packId: string, bytes: number): StorageEvent => ({ type: 'StorageCharged', data: charge(packId, bytes) });
const released = (packId: string, bytes: number): StorageEvent => ({ type: 'StorageReleased', data: { tenantId, packId, bytes } });
const storage = () => spec(storageDecider);

describe('storage counter decider: ChargeStorage', () => {
  it('charges a pack its stored size', () => {
    const state = storage().given([charged('p1', 4000)]).when(chargeCmd('p2', 3000)).then([charged('p2', 3000)]);
    assert.equal(state.usedBytes, 7000);
  });
  it('exactly at the quota is allowed', () => {
    storage().given([charged('p1', 6000)]).when(chargeCmd('p2', 4000)).then([charged('p2', 4000)]);
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
    const state = storage().given([charged('p1', 4000), charged('p2', 3000), released('p2', 3000), charged('p3', 1)]).when(chargeCmd('p4', 10)).then([charged('p4', 10)]);
    assert.deepEqual(state, { usedBytes: 4011 });
  });
  it('refuses a byte count that is not a non-negative integer', () => {
    for (const bytes of [-1, 0.5, Number.NaN]) storage().given([]).when(chargeCmd('p1', bytes)).thenThrows('invalid', /non-negative integer/);
  });
});

describe('storage counter decider: ReleaseStorage', () => {
  it('releases a pack\'s charge (a concurrent upload stored the same pack first)', () => {
    const state = storage().given([charged('p1', 4000), charged('p2', 3000)])
      .when({ type: 'ReleaseStorage', data: { tenantId, packId: 'p1', bytes: 1000 } }).then([released('p1', 1000)]);
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
  const gcCharged = (packId: string, bytes: number, gc: { runId: string; seq: number }): StorageEvent => ({ type: 'StorageCharged', data: { tenantId, packId, bytes, gc } });
  const gcReleased = (packId: string, bytes: number, gc: { runId: string; seq: number }): StorageEvent => ({ type: 'StorageReleased', data: { tenantId, packId, bytes, gc } });
  const s1 = step('gc-20250101T000000000-aaaa', 1);

  it('releases the packs a step deleted (one event per pack, naming the step) and remembers the step', () => {
    const state = storage().given([charged('p1', 4000), charged('p2', 3000)]).when(collect(s1, [], [['p1', 4000], ['p2', 3000]]))
      .then([gcReleased('p1', 4000, s1), gcReleased('p2', 3000, s1)]);
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
    storage().given(given).when(collect(step(s1.runId, 4), [], [['p2', 10]])).then([gcReleased('p2', 10, step(s1.runId, 4))]);
    storage().given(given).when(collect(step('gc-20250102T000000000-aaaa', 1), [], [['p2', 10]])).then([gcReleased('p2', 10, step('gc-20250102T000000000-aaaa', 1))]);
  });
  it('charges the packs a repack wrote, against the quota (refused past it, nothing charged)', () => {
    storage().given([charged('p1', 6000)]).when(collect(s1, [['n1', 3000]], [])).then([gcCharged('n1', 3000, s1)]);
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
  it('a step that releases nothing appends nothing', () => {
    storage().given([charged('p1', 10)]).when(collect(s1, [], [])).then([]);
  });
});
