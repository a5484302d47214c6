/**
 * The operator's control of incoming replication (issue 13; admin API, `drcore admin pause |
 * resume | lease | rpo`): a pause with a reason per tenant or per machine, its resume, a
 * tenant's lease end and its RPO target. Each is one event on the tenant's or the machine's
 * stream with the admin certificate's serial; the write gate (replication/write-gate.ts) refuses
 * what they stop.
 */
import type { AppDeps } from './deps.js';
import { machineHandler, tenantHandler } from './handlers.js';

export interface ReplicationControlView {
  tenantId: string; machineId?: string; paused: boolean; pausedReason?: string; leaseEndsAt?: string; rpoTargetSeconds?: number; bandwidthLimitBytesPerSecond?: number; version: number;
}

type TenantCommand = Parameters<typeof tenantHandler>[2];
type MachineCommand = Parameters<typeof machineHandler>[2];

async function onTenant(deps: AppDeps, tenantId: string, command: TenantCommand, actor: string): Promise<ReplicationControlView> {
  const { state, version } = await tenantHandler(deps, tenantId, command, actor);
  if (state.status === 'none') throw new Error('a tenant command left no tenant');
  return {
    tenantId, paused: state.pausedReason !== undefined, ...(state.pausedReason !== undefined ? { pausedReason: state.pausedReason } : {}),
    ...(state.leaseEndsAt !== undefined ? { leaseEndsAt: state.leaseEndsAt } : {}),
    ...(state.rpoTargetSeconds !== undefined ? { rpoTargetSeconds: state.rpoTargetSeconds } : {}),
    ...(state.bandwidthLimitBytesPerSecond !== undefined ? { bandwidthLimitBytesPerSecond: state.bandwidthLimitBytesPerSecond } : {}), version,
  };
}

async function onMachine(deps: AppDeps, tenantId: string, machineId: string, command: MachineCommand, actor: string): Promise<ReplicationControlView> {
  const { state, version } = await machineHandler(deps, { tenantId, machineId }, command, actor);
  if (state.status === 'none') throw new Error('a machine command left no machine');
  return { tenantId, machineId, paused: state.pausedReason !== undefined, ...(state.pausedReason !== undefined ? { pausedReason: state.pausedReason } : {}), version };
}

export const pauseTenantReplication = (deps: AppDeps, tenantId: string, reason: string, adminSerial: string, actor: string) =>
  onTenant(deps, tenantId, { type: 'PauseReplication', data: { tenantId, reason, adminSerial } }, actor);

export const resumeTenantReplication = (deps: AppDeps, tenantId: string, adminSerial: string, actor: string) =>
  onTenant(deps, tenantId, { type: 'ResumeReplication', data: { tenantId, adminSerial } }, actor);

export const pauseMachineReplication = (deps: AppDeps, tenantId: string, machineId: string, reason: string, adminSerial: string, actor: string) =>
  onMachine(deps, tenantId, machineId, { type: 'PauseMachineReplication', data: { tenantId, machineId, reason, adminSerial } }, actor);

export const resumeMachineReplication = (deps: AppDeps, tenantId: string, machineId: string, adminSerial: string, actor: string) =>
  onMachine(deps, tenantId, machineId, { type: 'ResumeMachineReplication', data: { tenantId, machineId, adminSerial } }, actor);

export const changeLease = (deps: AppDeps, tenantId: string, leaseEndsAt: string | null, adminSerial: string, actor: string) =>
  onTenant(deps, tenantId, { type: 'ChangeLease', data: { tenantId, leaseEndsAt, adminSerial } }, actor);

export const changeRpoTarget = (deps: AppDeps, tenantId: string, rpoTargetSeconds: number | null, adminSerial: string, actor: string) =>
  onTenant(deps, tenantId, { type: 'ChangeRpoTarget', data: { tenantId, rpoTargetSeconds, adminSerial } }, actor);

export const changeBandwidthLimit = (deps: AppDeps, tenantId: string, bytesPerSecond: number | null, adminSerial: string, actor: string) =>
  onTenant(deps, tenantId, { type: 'ChangeBandwidthLimit', data: { tenantId, bytesPerSecond, adminSerial } }, actor);
