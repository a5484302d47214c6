import { assertNever, type Decider } from './decider.js';
import { DomainError } from './errors.js';
import { checkRetention, KEEP_ALL, type RetentionSettings } from './retention-policy.js';
import { checkBandwidthLimit, checkLeaseEnd, checkPauseReason, checkRpoTarget } from './replication-control.js';

/** Tenant aggregate — stream `tenant:<tenantId>`: an approved customer with a quota and a retention. */
export interface TenantCreatedData {
  tenantId: string; name: string; email: string; customerId?: string; quotaBytes: number; pairingRequestId: string; coreId: string;
  /** Set at approval (retention-policy.ts); absent on tenants approved before retention existed: they keep every RP. */
  retention?: RetentionSettings;
  /** The RPO target in seconds (replication-control.ts); absent: none set. */
  rpoTargetSeconds?: number;
  /** The lease's end (ISO time): after it writes are refused, reads keep working. */
  leaseEndsAt?: string;
}
export interface TenantReplicationPausedData { tenantId: string; reason: string; adminSerial: string }
export interface TenantLeaseChangedData { tenantId: string; leaseEndsAt: string | null; adminSerial: string }
export interface TenantRpoTargetChangedData { tenantId: string; rpoTargetSeconds: number | null; adminSerial: string }
/** The operator's upload limit for the tenant's source cores (told to them in an answer header); null: none. */
export interface TenantBandwidthLimitChangedData { tenantId: string; bytesPerSecond: number | null; adminSerial: string }
export interface TenantRetentionChangedData { tenantId: string; retention: RetentionSettings; adminSerial: string }
/**
 * The operator deletes a tenant (issue 11 item 4): its id typed again as the confirmation. From
 * then on its writes are refused (as a suspension, naming the deletion), its restores still work
 * (the customer takes its data home), the retention job moves every RP into the recycle bin and
 * purges them when the bin period ends; a resume before that undoes the deletion (the RPs stay in
 * the bin, restorable by the tenant, until their own period ends).
 */
export interface TenantDeletedData { tenantId: string; reason: string; adminSerial: string; deletedAt: string }

export type TenantCommand =
  | { type: 'CreateTenant'; data: TenantCreatedData }
  | { type: 'ChangeQuota'; data: { tenantId: string; quotaBytes: number; adminSerial: string } }
  | { type: 'SuspendTenant'; data: { tenantId: string; reason: string; adminSerial: string } }
  | { type: 'ResumeTenant'; data: { tenantId: string; adminSerial: string } }
  | { type: 'ChangeRetention'; data: TenantRetentionChangedData }
  | { type: 'DeleteTenant'; data: TenantDeletedData & { confirmTenantId: string } }
  | { type: 'PauseReplication'; data: TenantReplicationPausedData }
  | { type: 'ResumeReplication'; data: { tenantId: string; adminSerial: string } }
  | { type: 'ChangeLease'; data: TenantLeaseChangedData }
  | { type: 'ChangeRpoTarget'; data: TenantRpoTargetChangedData }
  | { type: 'ChangeBandwidthLimit'; data: TenantBandwidthLimitChangedData };

export type TenantEvent =
  | { type: 'TenantCreated'; data: TenantCreatedData }
  | { type: 'TenantQuotaChanged'; data: { tenantId: string; quotaBytes: number; adminSerial: string } }
  | { type: 'TenantSuspended'; data: { tenantId: string; reason: string; adminSerial: string } }
  | { type: 'TenantResumed'; data: { tenantId: string; adminSerial: string } }
  | { type: 'TenantRetentionChanged'; data: TenantRetentionChangedData }
  | { type: 'TenantDeleted'; data: TenantDeletedData }
  | { type: 'TenantReplicationPaused'; data: TenantReplicationPausedData }
  | { type: 'TenantReplicationResumed'; data: { tenantId: string; adminSerial: string } }
  | { type: 'TenantLeaseChanged'; data: TenantLeaseChangedData }
  | { type: 'TenantRpoTargetChanged'; data: TenantRpoTargetChangedData }
  | { type: 'TenantBandwidthLimitChanged'; data: TenantBandwidthLimitChangedData };

export type TenantState =
  | { status: 'none' }
  | {
    status: 'active' | 'suspended'; tenant: TenantCreatedData; quotaBytes: number; retention: RetentionSettings; suspendedReason?: string;
    /** Deleted by the operator (and not resumed since): suspended, its RPs on their way through the bin. */
    deleted?: { reason: string; deletedAt: string; adminSerial: string };
    /** Incoming replication paused by the operator (423 to the source, which waits): the reason. */
    pausedReason?: string; leaseEndsAt?: string; rpoTargetSeconds?: number; bandwidthLimitBytesPerSecond?: number;
  };

/** The suspension reason a deleted tenant's source sees. */
export const deletedReason = (reason: string): string => `deleted by the service provider: ${reason}`;

const sameRetention = (a: RetentionSettings, b: RetentionSettings): boolean => JSON.stringify(checkRetention(a)) === JSON.stringify(checkRetention(b));

function existing(state: TenantState, tenantId: string): Exclude<TenantState, { status: 'none' }> {
  if (state.status === 'none') throw new DomainError('not-found', `tenant ${tenantId} does not exist`);
  return state;
}

function positiveQuota(quotaBytes: number): void {
  if (!Number.isSafeInteger(quotaBytes) || quotaBytes <= 0) throw new DomainError('invalid', 'quotaBytes must be a positive integer');
}

export function decide(command: TenantCommand, state: TenantState): TenantEvent[] {
  switch (command.type) {
    case 'CreateTenant':
      if (state.status !== 'none') {
        // Idempotent for the same pairing request (a redelivered workflow message); a conflict otherwise.
        if (state.tenant.pairingRequestId === command.data.pairingRequestId) return [];
        throw new DomainError('conflict', `tenant ${command.data.tenantId} already exists`);
      }
      positiveQuota(command.data.quotaBytes);
      if (command.data.retention) checkRetention(command.data.retention);
      if (command.data.rpoTargetSeconds !== undefined) checkRpoTarget(command.data.rpoTargetSeconds);
      if (command.data.leaseEndsAt !== undefined) checkLeaseEnd(command.data.leaseEndsAt);
      return [{ type: 'TenantCreated', data: command.data }];
    case 'ChangeQuota':
      existing(state, command.data.tenantId);
      positiveQuota(command.data.quotaBytes);
      return [{ type: 'TenantQuotaChanged', data: command.data }];
    case 'SuspendTenant': {
      const s = existing(state, command.data.tenantId);
      if (s.status === 'suspended') throw new DomainError('conflict', `tenant ${command.data.tenantId} is already suspended`);
      return [{ type: 'TenantSuspended', data: command.data }];
    }
    case 'ResumeTenant': {
      const s = existing(state, command.data.tenantId);
      if (s.status === 'active') throw new DomainError('conflict', `tenant ${command.data.tenantId} is not suspended`);
      return [{ type: 'TenantResumed', data: command.data }];
    }
    case 'ChangeRetention': {
      const s = existing(state, command.data.tenantId);
      const retention = checkRetention(command.data.retention);
      if (sameRetention(s.retention, retention)) return [];
      return [{ type: 'TenantRetentionChanged', data: { ...command.data, retention } }];
    }
    case 'DeleteTenant': {
      const { confirmTenantId, ...d } = command.data;
      if (confirmTenantId !== d.tenantId) {
        throw new DomainError('invalid', `deleting tenant ${d.tenantId} needs its id typed again as the confirmation; got ${JSON.stringify(confirmTenantId)}: nothing deleted`,
          { reason: 'confirmation-mismatch', details: { tenantId: d.tenantId } });
      }
      const s = existing(state, d.tenantId);
      if (s.deleted) throw new DomainError('conflict', `tenant ${d.tenantId} was deleted already (${s.deleted.deletedAt})`);
      if (d.reason.trim() === '') throw new DomainError('invalid', 'a deletion needs a reason');
      if (Number.isNaN(Date.parse(d.deletedAt))) throw new DomainError('invalid', 'deletedAt must be an ISO 8601 time');
      return [{ type: 'TenantDeleted', data: d }];
    }
    case 'PauseReplication': {
      const s = existing(state, command.data.tenantId);
      const reason = checkPauseReason(command.data.reason);
      if (s.pausedReason !== undefined) throw new DomainError('conflict', `replication of tenant ${command.data.tenantId} is already paused (${s.pausedReason})`);
      return [{ type: 'TenantReplicationPaused', data: { ...command.data, reason } }];
    }
    case 'ResumeReplication': {
      const s = existing(state, command.data.tenantId);
      if (s.pausedReason === undefined) throw new DomainError('conflict', `replication of tenant ${command.data.tenantId} is not paused`);
      return [{ type: 'TenantReplicationResumed', data: command.data }];
    }
    case 'ChangeLease': {
      const s = existing(state, command.data.tenantId);
      if (command.data.leaseEndsAt !== null) checkLeaseEnd(command.data.leaseEndsAt);
      if ((s.leaseEndsAt ?? null) === command.data.leaseEndsAt) return [];
      return [{ type: 'TenantLeaseChanged', data: command.data }];
    }
    case 'ChangeRpoTarget': {
      const s = existing(state, command.data.tenantId);
      if (command.data.rpoTargetSeconds !== null) checkRpoTarget(command.data.rpoTargetSeconds);
      if ((s.rpoTargetSeconds ?? null) === command.data.rpoTargetSeconds) return [];
      return [{ type: 'TenantRpoTargetChanged', data: command.data }];
    }
    case 'ChangeBandwidthLimit': {
      const s = existing(state, command.data.tenantId);
      if (command.data.bytesPerSecond !== null) checkBandwidthLimit(command.data.bytesPerSecond);
      if ((s.bandwidthLimitBytesPerSecond ?? null) === command.data.bytesPerSecond) return [];
      return [{ type: 'TenantBandwidthLimitChanged', data: command.data }];
    }
    default:
      return assertNever(command);
  }
}

export function evolve(state: TenantState, event: TenantEvent): TenantState {
  switch (event.type) {
    case 'TenantCreated':
      return {
        status: 'active', tenant: event.data, quotaBytes: event.data.quotaBytes, retention: event.data.retention ?? KEEP_ALL,
        ...(event.data.leaseEndsAt !== undefined ? { leaseEndsAt: event.data.leaseEndsAt } : {}),
        ...(event.data.rpoTargetSeconds !== undefined ? { rpoTargetSeconds: event.data.rpoTargetSeconds } : {}),
      };
    case 'TenantQuotaChanged':
      return state.status === 'none' ? state : { ...state, quotaBytes: event.data.quotaBytes };
    case 'TenantSuspended':
      return state.status === 'none' ? state : { ...state, status: 'suspended', suspendedReason: event.data.reason };
    case 'TenantResumed': {
      if (state.status === 'none') return state;
      const { suspendedReason: _reason, deleted: _deleted, ...rest } = state;
      return { ...rest, status: 'active' };
    }
    case 'TenantDeleted': {
      if (state.status === 'none') return state;
      const { reason, deletedAt, adminSerial } = event.data;
      return { ...state, status: 'suspended', suspendedReason: deletedReason(reason), deleted: { reason, deletedAt, adminSerial } };
    }
    case 'TenantRetentionChanged':
      return state.status === 'none' ? state : { ...state, retention: event.data.retention };
    case 'TenantReplicationPaused':
      return state.status === 'none' ? state : { ...state, pausedReason: event.data.reason };
    case 'TenantReplicationResumed': {
      if (state.status === 'none') return state;
      const { pausedReason: _reason, ...rest } = state;
      return rest;
    }
    case 'TenantLeaseChanged': {
      if (state.status === 'none') return state;
      const { leaseEndsAt: _end, ...rest } = state;
      return event.data.leaseEndsAt === null ? rest : { ...rest, leaseEndsAt: event.data.leaseEndsAt };
    }
    case 'TenantRpoTargetChanged': {
      if (state.status === 'none') return state;
      const { rpoTargetSeconds: _rpo, ...rest } = state;
      return event.data.rpoTargetSeconds === null ? rest : { ...rest, rpoTargetSeconds: event.data.rpoTargetSeconds };
    }
    case 'TenantBandwidthLimitChanged': {
      if (state.status === 'none') return state;
      const { bandwidthLimitBytesPerSecond: _b, ...rest } = state;
      return event.data.bytesPerSecond === null ? rest : { ...rest, bandwidthLimitBytesPerSecond: event.data.bytesPerSecond };
    }
    default:
      return assertNever(event);
  }
}

export const initialState = (): TenantState => ({ status: 'none' });
export const tenantDecider: Decider<TenantCommand, TenantEvent, TenantState> = { decide, evolve, initialState };
