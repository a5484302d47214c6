/**
 * An RP's lifecycle after its commit (shared/domain/recovery-point-lifecycle.ts, folded by the
 * RP decider): expiry and operator deletion into the recycle bin, restore from it by the tenant,
 * purge after the bin period when no other RP's chain needs it, and roll-up. Given/When/Then.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../../shared/domain/errors.js';
import { recoveryPointDecider, type RecoveryPointCommittedData, type RecoveryPointEvent } from '../../shared/domain/recovery-point.js';
import type { RecoveryPointRolledUpData } from '../../shared/domain/recovery-point-lifecycle.js';
import { spec } from '../support/given-when-then.js';

const tenantId = 't-1';
const machineId = 'web-01';
const rpId = 'rp-3';
const child: RecoveryPointCommittedData = {
  tenantId, machineId, rpId, kind: 'incremental', parentRpId: 'rp-2', manifest: 'a'.repeat(64), volumes: [{ name: 'sda', sizeBytes: 8 << 20 }],
  chunkCount: 3, referencedBytes: 5000, addedBytes: 4000, index: { firstChunks: ['0'.repeat(64)] },
};
const committed: RecoveryPointEvent = { type: 'RecoveryPointCommitted', data: child };
const NOW = '2025-03-01T12:00:00.000Z';
const LATER = (days: number) => new Date(Date.parse(NOW) + days * 86_400_000).toISOString();
const ref = { tenantId, machineId, rpId };
const expired: RecoveryPointEvent = { type: 'RecoveryPointExpired', data: { ...ref, reason: 'retention', binnedAt: NOW, purgeAfter: LATER(14), binDays: 14, policy: 'keep-last=3' } };
const deleted: RecoveryPointEvent = {
  type: 'RecoveryPointDeleted', data: { ...ref, reason: 'deleted', binnedAt: NOW, purgeAfter: LATER(14), binDays: 14, note: 'ransomware suspect', adminSerial: '00ad' },
};
const restored: RecoveryPointEvent = { type: 'RecoveryPointRestoredFromBin', data: { ...ref, restoredAt: LATER(2) } };
const purged: RecoveryPointEvent = { type: 'RecoveryPointPurged', data: { ...ref, purgedAt: LATER(15) } };
const rollUp: RecoveryPointRolledUpData = {
  ...ref, generation: 1, kind: 'incremental', parentRpId: 'rp-1', previousParentRpId: 'rp-2', folded: ['rp-2'], manifest: 'b'.repeat(64),
  index: { firstChunks: ['1'.repeat(64)], generation: 1 }, chunkCount: 5, referencedBytes: 9000, addedBytes: 700, packs: ['c'.repeat(64)],
};
const rp = () => spec(recoveryPointDecider);
const expire = (now = NOW) => ({ type: 'ExpireRecoveryPoint', data: { tenantId, rpId, now, binDays: 14, policy: 'keep-last=3' } }) as const;
const del = (confirmRpId = rpId, now = NOW) => ({ type: 'DeleteRecoveryPoint', data: { tenantId, rpId, confirmRpId, note: 'ransomware suspect', adminSerial: '00ad', now, binDays: 14 } }) as const;
const restore = (now: string) => ({ type: 'RestoreRecoveryPointFromBin', data: { tenantId, rpId, now } }) as const;
const purge = (now: string, neededBy: string[] = []) => ({ type: 'PurgeRecoveryPoint', data: { tenantId, rpId, now }, neededBy }) as const;

describe('RP lifecycle: expiry (retention)', () => {
  it('a live RP expires into the recycle bin for the bin days', () => {
    const s = rp().given([committed]).when(expire()).then([expired]);
    assert.ok(s.status === 'committed');
    assert.deepEqual(s.life?.bin, { reason: 'retention', binnedAt: NOW, purgeAfter: LATER(14) });
  });
  it('expiring again, or an RP purged already, appends nothing', () => {
    rp().given([committed, expired]).when(expire(LATER(1))).then([]);
    rp().given([committed, expired, purged]).when(expire(LATER(20))).then([]);
  });
  it('an RP its tenant restored from the bin is pinned: retention refuses to expire it', () => {
    rp().given([committed, expired, restored]).when(expire(LATER(3))).thenThrows('conflict', /restored from the recycle bin/);
  });
  it('an RP that was never committed cannot expire', () => {
    rp().given([]).when(expire()).thenThrows('not-found');
  });
});

describe('RP lifecycle: operator deletion (second step: the rpId typed again)', () => {
  it('with the rpId confirmed, the RP moves to the bin, recording who and why', () => {
    const s = rp().given([committed]).when(del()).then([deleted]);
    assert.ok(s.status === 'committed' && s.life?.bin?.reason === 'deleted');
  });
  it('a confirmation that is not the rpId is refused, nothing appended', () => {
    rp().given([committed]).when(del('rp-33')).thenThrows('invalid', /typed again as the confirmation/);
    assert.throws(() => recoveryPointDecider.decide(del(''), recoveryPointDecider.evolve(recoveryPointDecider.initialState(), committed)),
      (e: unknown) => e instanceof DomainError && e.reason === 'confirmation-mismatch');
  });
  it('deleting a pinned RP is the operator\'s right (it goes back to the bin); a binned one stays as it is; a purged one is gone', () => {
    const s = rp().given([committed, expired, restored]).when(del(rpId, LATER(3))).then([{
      type: 'RecoveryPointDeleted', data: { ...ref, reason: 'deleted', binnedAt: LATER(3), purgeAfter: LATER(17), binDays: 14, note: 'ransomware suspect', adminSerial: '00ad' },
    }]);
    assert.ok(s.status === 'committed' && !s.life?.pinned);
    rp().given([committed, expired]).when(del()).then([]);
    rp().given([committed, expired, purged]).when(del()).thenThrows('not-found', /purged/);
  });
});

describe('RP lifecycle: restore from the bin (the tenant)', () => {
  it('within the bin period: the RP is live again, and pinned', () => {
    const s = rp().given([committed, deleted]).when(restore(LATER(2))).then([restored]);
    assert.ok(s.status === 'committed');
    assert.equal(s.life?.bin, undefined);
    assert.equal(s.life?.pinned, true);
  });
  it('at or after the end of the bin period it is refused (bin-period-over), even before the purge ran', () => {
    rp().given([committed, deleted]).when(restore(LATER(14))).thenThrows('not-found', /bin period ended/);
    assert.throws(() => recoveryPointDecider.decide(restore(LATER(15)), [committed, deleted].reduce(recoveryPointDecider.evolve, recoveryPointDecider.initialState())),
      (e: unknown) => e instanceof DomainError && e.reason === 'bin-period-over');
  });
  it('a purged RP cannot be restored; a live one is not in the bin', () => {
    rp().given([committed, deleted, purged]).when(restore(LATER(2))).thenThrows('not-found', /purged/);
    rp().given([committed]).when(restore(NOW)).thenThrows('conflict', /not in the recycle bin/);
  });
});

describe('RP lifecycle: purge', () => {
  it('after the bin period, when no other RP\'s chain needs it: RecoveryPointPurged', () => {
    const s = rp().given([committed, expired]).when(purge(LATER(15))).then([purged]);
    assert.ok(s.status === 'committed' && s.life?.purgedAt === LATER(15));
  });
  it('never before the bin period is over', () => {
    rp().given([committed, expired]).when(purge(LATER(13))).thenThrows('conflict', /stays in the recycle bin until/);
  });
  it('never while a kept or binned RP\'s chain still needs it', () => {
    rp().given([committed, expired]).when(purge(LATER(15), ['rp-4'])).thenThrows('conflict', /still needed by the chain of rp-4/);
  });
  it('never a live RP; a purged one again appends nothing', () => {
    rp().given([committed]).when(purge(LATER(30))).thenThrows('conflict', /only a binned RP is purged/);
    rp().given([committed, expired, purged]).when(purge(LATER(30))).then([]);
  });
});

describe('RP lifecycle: roll-up', () => {
  it('a live RP takes the new manifest, index and parent; the commit stays what a repeated commit compares with', () => {
    const s = rp().given([committed]).when({ type: 'RollUpRecoveryPoint', data: rollUp }).then([{ type: 'RecoveryPointRolledUp', data: rollUp }]);
    assert.ok(s.status === 'committed');
    assert.equal(s.rp.manifest, rollUp.manifest);
    assert.equal(s.rp.parentRpId, 'rp-1');
    assert.deepEqual(s.rp.index, rollUp.index);
    assert.equal(s.rp.addedBytes, 4700);
    assert.deepEqual(s.life?.original, child);
    assert.deepEqual(s.life?.superseded, [{ manifest: child.manifest, parentRpId: 'rp-2', index: child.index }]);
    // A repeated commit of the original content is still the same commit.
    rp().given([committed, { type: 'RecoveryPointRolledUp', data: rollUp }]).when({ type: 'CommitRecoveryPoint', data: child, quota: { quotaBytes: 1e9, usedBytes: 0 } }).then([]);
  });
  it('rolled up into a base: no parent any more', () => {
    const asBase = { ...rollUp, kind: 'base', folded: ['rp-2', 'rp-1'] } as RecoveryPointRolledUpData;
    delete (asBase as { parentRpId?: string }).parentRpId;
    const s = rp().given([committed]).when({ type: 'RollUpRecoveryPoint', data: asBase }).then([{ type: 'RecoveryPointRolledUp', data: asBase }]);
    assert.ok(s.status === 'committed' && s.rp.kind === 'base' && s.rp.parentRpId === undefined);
  });
  it('a stale roll-up (the parent or the generation moved on) is refused', () => {
    rp().given([committed]).when({ type: 'RollUpRecoveryPoint', data: { ...rollUp, previousParentRpId: 'rp-9' } }).thenThrows('conflict', /rests on rp-2 now/);
    rp().given([committed]).when({ type: 'RollUpRecoveryPoint', data: { ...rollUp, generation: 2, index: { ...rollUp.index, generation: 2 } } }).thenThrows('conflict', /generation 0/);
  });
  it('only a live RP is rolled up', () => {
    rp().given([committed, expired]).when({ type: 'RollUpRecoveryPoint', data: rollUp }).thenThrows('conflict', /not live/);
  });
});
