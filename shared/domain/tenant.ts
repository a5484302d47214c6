import { assertNever, type Decider } from './decider.js';
import { DomainError } from './errors.js';
import { checkRetention, KEEP_ALL, type RetentionSettings } from './retention-policy.js';

/** Tenant aggregate — stream `tenant:<tenantId>`: an approved customer with a quota and a retention. */
export interface TenantCreatedData {
  tenantId: string; name: string; email: string; customerId?: string; quotaBytes: number; pairingRequestId: string; coreId: string;
  /** Set at approval (retention-policy.ts); absent on tenants approved before retention existed: they keep every RP. */
  retention?: RetentionSettings;
}
export interface TenantRetentionChangedData { tenantId: string; retention: RetentionSettings; adminSerial: string }

export type TenantCommand =
  | { type: 'CreateTenant'; data: TenantCreatedData }
  | { type: 'ChangeQuota'; data: { tenantId: string; quotaBytes: number; adminSerial: string } }
  | { type: 'SuspendTenant'; data: { tenantId: string; reason: string; adminSerial: string } }
  | { type: 'ResumeTenant'; data: { tenantId: string; adminSerial: string } }
  | { type: 'ChangeRetention'; data: TenantRetentionChangedData };

export type TenantEvent =
  | { type: 'TenantCreated'; data: TenantCreatedData }
  | { type: 'TenantQuotaChanged'; data: { tenantId: string; quotaBytes: number; adminSerial: string } }
  | { type: 'TenantSuspended'; data: { tenantId: string; reason: string; adminSerial: string } }
  | { type: 'TenantResumed'; data: { tenantId: string; adminSerial: string } }
  | { type: 'TenantRetentionChanged'; data: TenantRetentionChangedData };

export type TenantState =
  | { status: 'none' }
  | { status: 'active' | 'suspended'; tenant: TenantCreatedData; quotaBytes: number; retention: RetentionSettings; suspendedReason?: string };

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
    default:
      return assertNever(command);
  }
}

export function evolve(state: TenantState, event: TenantEvent): TenantState {
  switch (event.type) {
    case 'TenantCreated':
      return { status: 'active', tenant: event.data, quotaBytes: event.data.quotaBytes, retention: event.data.retention ?? KEEP_ALL };
    case 'TenantQuotaChanged':
      return state.status === 'none' ? state : { ...state, quotaBytes: event.data.quotaBytes };
    case 'TenantSuspended':
      return state.status === 'none' ? state : { ...state, status: 'suspended', suspendedReason: event.data.reason };
    case 'TenantResumed': {
      if (state.status === 'none') return state;
      const { suspendedReason: _reason, ...rest } = state;
      return { ...rest, status: 'active' };
    }
    case 'TenantRetentionChanged':
      return state.status === 'none' ? state : { ...state, retention: event.data.retention };
    default:
      return assertNever(event);
  }
}

export const initialState = (): TenantState => ({ status: 'none' });
export const tenantDecider: Decider<TenantCommand, TenantEvent, TenantState> = { decide, evolve, initialState };
