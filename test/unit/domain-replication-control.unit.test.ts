/**
 * The operator's control of incoming replication in the tenant and machine deciders (issue 13):
 * a pause with a reason and its resume, the lease end, the RPO target, and the RPO job's
 * compliance transitions; RPO compliance buckets (Acronis: within, exceeded ≤ 2×, severely
 * exceeded ≤ 4×, critical).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { machineDecider, type MachineEvent, type MachineRpoData } from '../../shared/domain/machine.js';
import { tenantDecider, type TenantEvent } from '../../shared/domain/tenant.js';
import { leaseOver } from '../../shared/domain/replication-control.js';
import { lagSeconds, rpoCompliance } from '../../shared/domain/rpo-compliance.js';
import { spec } from '../support/given-when-then.js';

const T = 't-1';
const created: TenantEvent = { type: 'TenantCreated', data: { tenantId: T, name: 'Acme', email: 'ops@acme.example', quotaBytes: 2 ** 30, pairingRequestId: 'pr-1', coreId: 'core-1' } };
const paused: TenantEvent = { type: 'TenantReplicationPaused', data: { tenantId: T, reason: 'storage maintenance', adminSerial: 'a1' } };

describe('tenant: pause and resume incoming replication, lease, RPO target', () => {
  it('pauses with a trimmed reason; twice is a conflict; an empty or control-character reason is invalid', () => {
    const state = spec(tenantDecider).given([created]).when({ type: 'PauseReplication', data: { tenantId: T, reason: '  storage maintenance ', adminSerial: 'a1' } }).then([paused]);
    assert.equal(state.status !== 'none' && state.pausedReason, 'storage maintenance');
    spec(tenantDecider).given([created, paused]).when({ type: 'PauseReplication', data: { tenantId: T, reason: 'again', adminSerial: 'a1' } }).thenThrows('conflict', /already paused/);
    spec(tenantDecider).given([created]).when({ type: 'PauseReplication', data: { tenantId: T, reason: '  ', adminSerial: 'a1' } }).thenThrows('invalid');
    spec(tenantDecider).given([created]).when({ type: 'PauseReplication', data: { tenantId: T, reason: 'x\u001b[2J', adminSerial: 'a1' } }).thenThrows('invalid');
    spec(tenantDecider).given([]).when({ type: 'PauseReplication', data: { tenantId: T, reason: 'x', adminSerial: 'a1' } }).thenThrows('not-found');
  });

  it('resumes a paused tenant only; the pause is independent of a suspension', () => {
    const resumed: TenantEvent = { type: 'TenantReplicationResumed', data: { tenantId: T, adminSerial: 'a2' } };
    const state = spec(tenantDecider).given([created, paused]).when({ type: 'ResumeReplication', data: { tenantId: T, adminSerial: 'a2' } }).then([resumed]);
    assert.equal(state.status !== 'none' && state.pausedReason, undefined);
    spec(tenantDecider).given([created]).when({ type: 'ResumeReplication', data: { tenantId: T, adminSerial: 'a2' } }).thenThrows('conflict', /not paused/);
    const suspended: TenantEvent = { type: 'TenantSuspended', data: { tenantId: T, reason: 'unpaid', adminSerial: 'a1' } };
    const both = spec(tenantDecider).given([created, paused, suspended]).when({ type: 'ResumeTenant', data: { tenantId: T, adminSerial: 'a2' } })
      .then([{ type: 'TenantResumed', data: { tenantId: T, adminSerial: 'a2' } }]);
    assert.equal(both.status !== 'none' && both.pausedReason, 'storage maintenance', 'resuming a suspension does not lift a pause');
  });

  it('sets and clears a lease end (the same again changes nothing); a malformed one is invalid', () => {
    const end = '2027-06-30T00:00:00Z';
    const set: TenantEvent = { type: 'TenantLeaseChanged', data: { tenantId: T, leaseEndsAt: end, adminSerial: 'a1' } };
    const s = spec(tenantDecider).given([created]).when({ type: 'ChangeLease', data: { tenantId: T, leaseEndsAt: end, adminSerial: 'a1' } }).then([set]);
    assert.equal(s.status !== 'none' && s.leaseEndsAt, end);
    spec(tenantDecider).given([created, set]).when({ type: 'ChangeLease', data: { tenantId: T, leaseEndsAt: end, adminSerial: 'a1' } }).then([]);
    const cleared = spec(tenantDecider).given([created, set]).when({ type: 'ChangeLease', data: { tenantId: T, leaseEndsAt: null, adminSerial: 'a1' } })
      .then([{ type: 'TenantLeaseChanged', data: { tenantId: T, leaseEndsAt: null, adminSerial: 'a1' } }]);
    assert.equal(cleared.status !== 'none' && cleared.leaseEndsAt, undefined);
    spec(tenantDecider).given([created]).when({ type: 'ChangeLease', data: { tenantId: T, leaseEndsAt: '30/06/2027', adminSerial: 'a1' } }).thenThrows('invalid');
    assert.equal(leaseOver(end, new Date('2027-06-29T23:59:59Z')), false);
    assert.equal(leaseOver(end, new Date('2027-06-30T00:00:00Z')), true);
    assert.equal(leaseOver(undefined, new Date()), false);
  });

  it('an RPO target at approval or later, 60 s .. 90 days', () => {
    const withRpo: TenantEvent = { type: 'TenantCreated', data: { ...created.data as object, rpoTargetSeconds: 3600 } as never };
    const s = spec(tenantDecider).given([withRpo]).when({ type: 'ChangeRpoTarget', data: { tenantId: T, rpoTargetSeconds: 900, adminSerial: 'a1' } })
      .then([{ type: 'TenantRpoTargetChanged', data: { tenantId: T, rpoTargetSeconds: 900, adminSerial: 'a1' } }]);
    assert.equal(s.status !== 'none' && s.rpoTargetSeconds, 900);
    spec(tenantDecider).given([withRpo]).when({ type: 'ChangeRpoTarget', data: { tenantId: T, rpoTargetSeconds: 3600, adminSerial: 'a1' } }).then([]);
    spec(tenantDecider).given([created]).when({ type: 'ChangeRpoTarget', data: { tenantId: T, rpoTargetSeconds: 59, adminSerial: 'a1' } }).thenThrows('invalid');
    spec(tenantDecider).given([]).when({ type: 'CreateTenant', data: { ...created.data as object, rpoTargetSeconds: 1.5 } as never }).thenThrows('invalid');
  });
});

const M = { tenantId: T, machineId: 'm-1' };
const registered: MachineEvent = { type: 'MachineRegistered', data: { ...M, name: 'db', volumes: [] } };
const rpo = (compliance: MachineRpoData['compliance']): MachineRpoData => ({ ...M, compliance, lagSeconds: 7200, rpoTargetSeconds: 3600, lastCommittedAt: null, evaluatedAt: '2026-12-01T12:00:00.000Z' });

describe('machine: pause and resume, RPO compliance transitions', () => {
  it('pauses a registered machine with a reason and resumes it; not registered is not-found', () => {
    const p: MachineEvent = { type: 'MachineReplicationPaused', data: { ...M, reason: 'disk swap', adminSerial: 'a1' } };
    spec(machineDecider).given([registered]).when({ type: 'PauseMachineReplication', data: { ...M, reason: 'disk swap', adminSerial: 'a1' } }).then([p]);
    spec(machineDecider).given([registered, p]).when({ type: 'PauseMachineReplication', data: { ...M, reason: 'x', adminSerial: 'a1' } }).thenThrows('conflict');
    spec(machineDecider).given([registered, p]).when({ type: 'ResumeMachineReplication', data: { ...M, adminSerial: 'a1' } })
      .then([{ type: 'MachineReplicationResumed', data: { ...M, adminSerial: 'a1' } }]);
    spec(machineDecider).given([registered]).when({ type: 'ResumeMachineReplication', data: { ...M, adminSerial: 'a1' } }).thenThrows('conflict');
    spec(machineDecider).given([]).when({ type: 'PauseMachineReplication', data: { ...M, reason: 'x', adminSerial: 'a1' } }).thenThrows('not-found');
  });

  it('re-registering keeps a pause', () => {
    const p: MachineEvent = { type: 'MachineReplicationPaused', data: { ...M, reason: 'disk swap', adminSerial: 'a1' } };
    const s = spec(machineDecider).given([registered, p]).when({ type: 'RegisterMachine', data: { ...M, name: 'db2', volumes: [] } })
      .then([{ type: 'MachineUpdated', data: { ...M, name: 'db2', volumes: [] } }]);
    assert.equal(s.status === 'registered' && s.pausedReason, 'disk swap');
  });

  it('records a change of RPO compliance once: exceeded, further, restored; the same again is nothing', () => {
    const ex: MachineEvent = { type: 'MachineRpoExceeded', data: rpo('exceeded') };
    spec(machineDecider).given([registered]).when({ type: 'RecordRpoCompliance', data: rpo('within') }).then([]);
    spec(machineDecider).given([registered]).when({ type: 'RecordRpoCompliance', data: rpo('exceeded') }).then([ex]);
    spec(machineDecider).given([registered, ex]).when({ type: 'RecordRpoCompliance', data: rpo('exceeded') }).then([]);
    spec(machineDecider).given([registered, ex]).when({ type: 'RecordRpoCompliance', data: rpo('critical') }).then([{ type: 'MachineRpoExceeded', data: rpo('critical') }]);
    spec(machineDecider).given([registered, ex]).when({ type: 'RecordRpoCompliance', data: rpo('within') }).then([{ type: 'MachineRpoRestored', data: rpo('within') }]);
  });
});

describe('RPO compliance buckets', () => {
  it('within ≤ 1×, exceeded ≤ 2×, severely exceeded ≤ 4×, critical beyond', () => {
    assert.deepEqual([0, 3600, 3601, 7200, 7201, 14_400, 14_401].map((l) => rpoCompliance(l, 3600)),
      ['within', 'within', 'exceeded', 'exceeded', 'severely-exceeded', 'severely-exceeded', 'critical']);
    assert.equal(lagSeconds('2026-12-01T10:00:00.000Z', new Date('2026-12-01T12:30:00.500Z')), 9000);
    assert.equal(lagSeconds('2026-12-01T13:00:00.000Z', new Date('2026-12-01T12:00:00Z')), 0, 'a clock behind the commit is no lag');
  });
});
