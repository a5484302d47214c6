import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tenantDecider, type TenantCommand, type TenantCreatedData, type TenantEvent } from '../../shared/domain/tenant.js';
import { DEFAULT_RETENTION, KEEP_ALL, keepCounts, type RetentionSettings } from '../../shared/domain/retention-policy.js';
import { spec } from '../support/given-when-then.js';

const tenantId = 'tenant-1';
const adminSerial = 'ad01';
const created: TenantCreatedData = {
  tenantId, name: 'Acme backup core', email: 'ops@acme.example', customerId: 'cust-9', quotaBytes: 1_000_000_000,
  pairingRequestId: 'req-1', coreId: 'core-7',
};

const cmd = {
  create: { type: 'CreateTenant', data: created },
  quota: { type: 'ChangeQuota', data: { tenantId, quotaBytes: 5_000_000_000, adminSerial } },
  suspend: { type: 'SuspendTenant', data: { tenantId, reason: 'unpaid invoice', adminSerial } },
  resume: { type: 'ResumeTenant', data: { tenantId, adminSerial } },
} satisfies Record<string, TenantCommand>;

const ev = {
  created: { type: 'TenantCreated', data: created },
  quotaChanged: { type: 'TenantQuotaChanged', data: cmd.quota.data },
  suspended: { type: 'TenantSuspended', data: cmd.suspend.data },
  resumed: { type: 'TenantResumed', data: cmd.resume.data },
} satisfies Record<string, TenantEvent>;

const tenant = () => spec(tenantDecider);
const badQuotas = [0, -1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53];

describe('tenant decider: CreateTenant', () => {
  it('creates an active tenant with its quota', () => {
    const state = tenant().given([]).when(cmd.create).then([ev.created]);
    assert.ok(state.status === 'active');
    assert.equal(state.quotaBytes, 1_000_000_000);
    assert.deepEqual(state.tenant, created);
  });

  it('is idempotent for the same pairing request (a redelivered workflow message)', () => {
    tenant().given([ev.created]).when(cmd.create).then([]);
  });

  it('is idempotent for the same pairing request even after the tenant changed', () => {
    tenant().given([ev.created, ev.quotaChanged, ev.suspended]).when(cmd.create).then([]);
  });

  it('refuses the same tenant id for another pairing request', () => {
    tenant().given([ev.created])
      .when({ type: 'CreateTenant', data: { ...created, pairingRequestId: 'req-2' } })
      .thenThrows('conflict', /tenant tenant-1 already exists/);
  });

  for (const quotaBytes of badQuotas) {
    it(`refuses a quota of ${quotaBytes} bytes`, () => {
      tenant().given([]).when({ type: 'CreateTenant', data: { ...created, quotaBytes } })
        .thenThrows('invalid', /quotaBytes must be a positive integer/);
    });
  }
});

describe('tenant decider: ChangeQuota', () => {
  it('changes the quota of an active tenant', () => {
    const state = tenant().given([ev.created]).when(cmd.quota).then([ev.quotaChanged]);
    assert.ok(state.status === 'active' && state.quotaBytes === 5_000_000_000);
    assert.equal(state.tenant.quotaBytes, 1_000_000_000, 'the creation record keeps the original quota');
  });

  it('changes the quota of a suspended tenant (and it stays suspended)', () => {
    const state = tenant().given([ev.created, ev.suspended]).when(cmd.quota).then([ev.quotaChanged]);
    assert.ok(state.status === 'suspended' && state.quotaBytes === 5_000_000_000);
  });

  it('lowers a quota too', () => {
    const data = { tenantId, quotaBytes: 1, adminSerial };
    tenant().given([ev.created, ev.quotaChanged]).when({ type: 'ChangeQuota', data }).then([{ type: 'TenantQuotaChanged', data }]);
  });

  for (const quotaBytes of badQuotas) {
    it(`refuses a quota of ${quotaBytes} bytes`, () => {
      tenant().given([ev.created]).when({ type: 'ChangeQuota', data: { tenantId, quotaBytes, adminSerial } })
        .thenThrows('invalid', /quotaBytes must be a positive integer/);
    });
  }

  it('refuses an unknown tenant', () => {
    tenant().given([]).when(cmd.quota).thenThrows('not-found', /tenant tenant-1 does not exist/);
  });
});

describe('tenant decider: SuspendTenant', () => {
  it('suspends an active tenant', () => {
    const state = tenant().given([ev.created]).when(cmd.suspend).then([ev.suspended]);
    assert.equal(state.status, 'suspended');
  });

  it('suspends a tenant again after it was resumed', () => {
    tenant().given([ev.created, ev.suspended, ev.resumed]).when(cmd.suspend).then([ev.suspended]);
  });

  it('refuses to suspend twice', () => {
    tenant().given([ev.created, ev.suspended]).when(cmd.suspend).thenThrows('conflict', /tenant-1 is already suspended/);
  });

  it('refuses an unknown tenant', () => {
    tenant().given([]).when(cmd.suspend).thenThrows('not-found', /tenant tenant-1 does not exist/);
  });
});

describe('tenant decider: ResumeTenant', () => {
  it('resumes a suspended tenant', () => {
    const state = tenant().given([ev.created, ev.suspended]).when(cmd.resume).then([ev.resumed]);
    assert.equal(state.status, 'active');
  });

  it('refuses to resume an active tenant', () => {
    tenant().given([ev.created]).when(cmd.resume).thenThrows('conflict', /tenant-1 is not suspended/);
  });

  it('refuses to resume twice', () => {
    tenant().given([ev.created, ev.suspended, ev.resumed]).when(cmd.resume).thenThrows('conflict', /not suspended/);
  });

  it('refuses an unknown tenant', () => {
    tenant().given([]).when(cmd.resume).thenThrows('not-found', /tenant tenant-1 does not exist/);
  });
});

describe('tenant decider: retention (issue 11 item 1)', () => {
  const policy = { keep: keepCounts({ last: 3, daily: 2 }), binDays: 14 };
  const change = (retention: RetentionSettings): TenantCommand => ({ type: 'ChangeRetention', data: { tenantId, retention, adminSerial } });

  it('a tenant created with a retention has it; one created before retention existed keeps everything', () => {
    const s = tenant().given([]).when({ type: 'CreateTenant', data: { ...created, retention: DEFAULT_RETENTION } })
      .then([{ type: 'TenantCreated', data: { ...created, retention: DEFAULT_RETENTION } }]);
    assert.ok(s.status === 'active');
    assert.deepEqual(s.retention, DEFAULT_RETENTION);
    const legacy = tenant().given([ev.created]).when(cmd.quota).then([ev.quotaChanged]);
    assert.ok(legacy.status === 'active');
    assert.deepEqual(legacy.retention, KEEP_ALL);
  });

  it('the operator changes it: TenantRetentionChanged, every rule present; the same again appends nothing', () => {
    const s = tenant().given([ev.created]).when(change(policy)).then([{ type: 'TenantRetentionChanged', data: { tenantId, retention: policy, adminSerial } }]);
    assert.ok(s.status === 'active');
    assert.deepEqual(s.retention, policy);
    tenant().given([ev.created, { type: 'TenantRetentionChanged', data: { tenantId, retention: policy, adminSerial } }]).when(change(policy)).then([]);
  });

  it('refuses counts and bin days out of range, at creation and at a change', () => {
    tenant().given([ev.created]).when(change({ keep: keepCounts({ daily: -1 }), binDays: 14 })).thenThrows('invalid', /keep-daily must be an integer/);
    tenant().given([ev.created]).when(change({ keep: keepCounts({ daily: 1.5 }), binDays: 14 })).thenThrows('invalid', /keep-daily/);
    tenant().given([ev.created]).when(change({ keep: keepCounts({ last: 1 }), binDays: 0 })).thenThrows('invalid', /binDays must be an integer in 1\.\.3650/);
    tenant().given([]).when({ type: 'CreateTenant', data: { ...created, retention: { keep: keepCounts({}), binDays: 9999 } } }).thenThrows('invalid', /binDays/);
  });

  it('no tenant, no retention to change', () => {
    tenant().given([]).when(change(policy)).thenThrows('not-found');
  });
});

describe('tenant decider: DeleteTenant (issue 11 item 4: a second step, an event)', () => {
  const deletedAt = '2026-12-01T10:00:00.000Z';
  const del = (confirmTenantId: string): TenantCommand => ({ type: 'DeleteTenant', data: { tenantId, confirmTenantId, reason: 'contract ended', adminSerial, deletedAt } });
  const deleted: TenantEvent = { type: 'TenantDeleted', data: { tenantId, reason: 'contract ended', adminSerial, deletedAt } };

  it('deletes a tenant whose id is typed again: suspended, naming the deletion', () => {
    const state = tenant().given([ev.created]).when(del(tenantId)).then([deleted]);
    assert.equal(state.status, 'suspended');
    assert.deepEqual(state.status === 'suspended' ? [state.suspendedReason, state.deleted] : [], ['deleted by the service provider: contract ended', { reason: 'contract ended', deletedAt, adminSerial }]);
  });

  it('refuses another id as the confirmation, and nothing is decided', () => {
    tenant().given([ev.created]).when(del('tenant-2')).thenThrows('invalid', /needs its id typed again as the confirmation; got "tenant-2": nothing deleted/);
  });

  it('deletes a suspended tenant; refuses to delete twice; a resume undoes the deletion', () => {
    tenant().given([ev.created, ev.suspended]).when(del(tenantId)).then([deleted]);
    tenant().given([ev.created, deleted]).when(del(tenantId)).thenThrows('conflict', /was deleted already/);
    const state = tenant().given([ev.created, deleted]).when(cmd.resume).then([ev.resumed]);
    assert.equal(state.status, 'active');
    assert.equal(state.status === 'active' ? state.deleted : 'x', undefined);
  });
});
