import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  recoveryPointDecider, ReplicationRefusal, type CommitRecoveryPoint, type ParentFacts, type RecoveryPointCommittedData, type RecoveryPointEvent,
} from '../../shared/domain/recovery-point.js';
import { spec } from '../support/given-when-then.js';

const manifest = 'a'.repeat(64);
const base: RecoveryPointCommittedData = {
  tenantId: 't-1', machineId: 'web-01', rpId: 'rp-2', kind: 'base', manifest, volumes: [{ name: 'sda', sizeBytes: 8 << 20 }],
  chunkCount: 3, referencedBytes: 5000, addedBytes: 4000,
};
const incremental: RecoveryPointCommittedData = { ...base, kind: 'incremental', parentRpId: 'rp-1', addedBytes: 100 };
const parentOk: ParentFacts = { rpId: 'rp-1', status: 'committed', tenantId: 't-1', machineId: 'web-01' };
const quota = { quotaBytes: 10_000, usedBytes: 0 };

const commit = (data: RecoveryPointCommittedData, extra: Partial<CommitRecoveryPoint> = {}): CommitRecoveryPoint =>
  ({ type: 'CommitRecoveryPoint', data, quota, ...(data.parentRpId ? { parent: parentOk } : {}), ...extra });
const committed = (data: RecoveryPointCommittedData): RecoveryPointEvent => ({ type: 'RecoveryPointCommitted', data });
const rp = () => spec(recoveryPointDecider);

function refusedFor(reason: string, fn: () => void): void {
  assert.throws(fn, (e: unknown) => e instanceof ReplicationRefusal && e.reason === reason);
}

describe('recovery point decider: CommitRecoveryPoint', () => {
  it('commits a base: one RecoveryPointCommitted', () => {
    const state = rp().given([]).when(commit(base)).then([committed(base)]);
    assert.ok(state.status === 'committed');
    assert.equal(state.rp.rpId, 'rp-2');
  });

  it('commits an incremental on a committed parent of the same machine and tenant', () => {
    rp().given([]).when(commit(incremental)).then([committed(incremental)]);
  });

  it('the same content again is a no-op success, even if the counts or createdAt differ', () => {
    rp().given([committed(base)]).when(commit(base)).then([]);
    rp().given([committed(base)]).when(commit({ ...base, addedBytes: 0, createdAt: '2025-01-01T00:00:00Z' })).then([]);
  });

  it('a repeat succeeds even when the quota no longer holds (it was counted once)', () => {
    rp().given([committed(base)]).when(commit(base, { quota: { quotaBytes: 1, usedBytes: 10 } })).then([]);
  });

  it('different content under a committed rpId → conflict', () => {
    rp().given([committed(base)]).when(commit({ ...base, manifest: 'b'.repeat(64) })).thenThrows('conflict', /already committed/);
    rp().given([committed(base)]).when(commit({ ...base, machineId: 'db-01' })).thenThrows('conflict');
    rp().given([committed(base)]).when(commit({ ...base, volumes: [{ name: 'sda', sizeBytes: 1 }] })).thenThrows('conflict');
    rp().given([committed(base)]).when(commit(incremental)).thenThrows('conflict');
  });

  it('a base with a parent, or an incremental without one → invalid parent', () => {
    rp().given([]).when(commit({ ...base, parentRpId: 'rp-1' }, { parent: parentOk })).thenThrows('invalid', /base recovery point has no parent/);
    const { parentRpId: _p, ...noParent } = incremental;
    rp().given([]).when(commit(noParent)).thenThrows('invalid', /needs parentRpId/);
    refusedFor('invalid-parent', () => recoveryPointDecider.decide(commit(noParent), { status: 'none' }));
  });

  it('a parent that is not committed → invalid parent', () => {
    rp().given([]).when(commit(incremental, { parent: { rpId: 'rp-1', status: 'none' } })).thenThrows('invalid', /not a committed recovery point/);
  });

  it('a parent of another machine → invalid parent', () => {
    rp().given([]).when(commit(incremental, { parent: { ...parentOk, machineId: 'db-01' } })).thenThrows('invalid', /another machine/);
  });

  it('a parent of another tenant → invalid parent', () => {
    rp().given([]).when(commit(incremental, { parent: { ...parentOk, tenantId: 't-2' } })).thenThrows('invalid', /not a committed recovery point of this tenant/);
  });

  it('an RP cannot be its own parent', () => {
    rp().given([]).when(commit({ ...incremental, parentRpId: 'rp-2' }, { parent: { ...parentOk, rpId: 'rp-2' } })).thenThrows('invalid', /own parent/);
  });

  it('over quota → quota-exceeded with the figures, nothing committed', () => {
    rp().given([]).when(commit(base, { quota: { quotaBytes: 10_000, usedBytes: 6_001 } })).thenThrows('invalid', /over the quota/);
    assert.throws(() => recoveryPointDecider.decide(commit(base, { quota: { quotaBytes: 10_000, usedBytes: 6_001 } }), { status: 'none' }),
      (e: unknown) => e instanceof ReplicationRefusal && e.reason === 'quota-exceeded'
        && e.details['quotaBytes'] === 10_000 && e.details['usedBytes'] === 6_001 && e.details['addedBytes'] === 4000);
  });

  it('exactly at quota is allowed', () => {
    rp().given([]).when(commit(base, { quota: { quotaBytes: 10_000, usedBytes: 6_000 } })).then([committed(base)]);
  });

  it('refuses volume names outside the id rule (defense in depth: they become file names at restore)', () => {
    for (const name of ['../../x', 'a/b', 'a\u0000b', '.', '..', '', 'x'.repeat(65)]) {
      const bad = { ...base, volumes: [{ name, sizeBytes: 8 << 20 }] };
      rp().given([]).when(commit(bad)).thenThrows('invalid', /volume name/);
      refusedFor('invalid-manifest', () => recoveryPointDecider.decide(commit(bad), { status: 'none' }));
    }
    rp().given([]).when(commit({ ...base, volumes: [{ name: 'a', sizeBytes: 1 }, { name: 'a', sizeBytes: 2 }] })).thenThrows('invalid', /twice/);
    rp().given([]).when(commit({ ...base, volumes: [] })).thenThrows('invalid', /at least one volume/);
  });

  it('refuses impossible counts', () => {
    rp().given([]).when(commit({ ...base, addedBytes: -1 })).thenThrows('invalid', /addedBytes/);
    rp().given([]).when(commit({ ...base, chunkCount: 1.5 })).thenThrows('invalid', /chunkCount/);
  });

  it('evolve ignores a second commit event (the stream holds one)', () => {
    const state = [committed(base), committed({ ...base, manifest: 'c'.repeat(64) })].reduce(recoveryPointDecider.evolve, recoveryPointDecider.initialState());
    assert.ok(state.status === 'committed');
    assert.equal(state.rp.manifest, manifest);
  });
});

describe('recovery point decider: ReindexRecoveryPoint (GC repack moved some of its chunks)', () => {
  const first = ['0'.repeat(64), '8'.repeat(64)];
  const indexed: RecoveryPointCommittedData = { ...base, index: { firstChunks: first } };
  type Ref = { firstChunks: string[]; generation?: number };
  const rewrite = (generation: number, replaces: Ref = { firstChunks: first }) => ({
    type: 'ReindexRecoveryPoint' as const,
    data: { tenantId: 't-1', machineId: 'web-01', rpId: 'rp-2', index: { firstChunks: first, generation }, replaces, runId: 'gc-1' },
  });
  const reindexed = (generation: number, replaces: Ref = { firstChunks: first }): RecoveryPointEvent => ({ type: 'RecoveryPointReindexed', data: rewrite(generation, replaces).data });

  it('rewrites the index the GC read: RecoveryPointReindexed, and the RP reads the new generation from then on', () => {
    const state = rp().given([committed(indexed)]).when(rewrite(1)).then([reindexed(1)]);
    assert.ok(state.status === 'committed');
    assert.deepEqual(state.rp.index, { firstChunks: first, generation: 1 });
  });
  it('the same rewrite again is a no-op (a step run twice)', () => {
    rp().given([committed(indexed), reindexed(1)]).when(rewrite(1)).then([]);
  });
  it('an index that changed since the rewrite began is a conflict (its old packs stay referenced)', () => {
    rp().given([committed(indexed), reindexed(1)]).when(rewrite(2)).thenThrows('conflict', /changed since/);
    rp().given([committed(indexed), reindexed(1)]).when(rewrite(2, { firstChunks: first, generation: 1 })).then([reindexed(2, { firstChunks: first, generation: 1 })]);
  });
  it('refuses other parts, a generation that is not newer, and an uncommitted RP', () => {
    rp().given([committed(indexed)]).when({ ...rewrite(1), data: { ...rewrite(1).data, index: { firstChunks: [first[0] as string], generation: 1 } } })
      .thenThrows('invalid', /keeps the parts/);
    rp().given([committed(indexed)]).when(rewrite(0)).thenThrows('invalid', /newer generation/);
    rp().given([]).when(rewrite(1)).thenThrows('not-found', /not committed/);
  });
});
