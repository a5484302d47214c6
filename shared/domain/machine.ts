import { isValidId } from './ids.js';
import { assertNever, type Decider } from './decider.js';
import { DomainError } from './errors.js';
import { checkPauseReason } from './replication-control.js';
import type { RpoCompliance } from './rpo-compliance.js';

/** Machine aggregate — stream `machine:<tenantId>:<machineId>`: a protected machine of a tenant. */
export interface VolumeInfo { name: string; sizeBytes: number }

export interface MachineData {
  tenantId: string; machineId: string; name: string; volumes: VolumeInfo[];
}

export interface MachineKeyData { tenantId: string; machineId: string }
export interface MachineReplicationPausedData extends MachineKeyData { reason: string; adminSerial: string }
/** The RPO job's finding (shared/app/lifecycle/rpo-job.ts): the machine's compliance changed. */
export interface MachineRpoData extends MachineKeyData {
  compliance: RpoCompliance; lagSeconds: number; rpoTargetSeconds: number; lastCommittedAt: string | null; evaluatedAt: string;
}

export type MachineCommand =
  | { type: 'RegisterMachine'; data: MachineData }
  | { type: 'PauseMachineReplication'; data: MachineReplicationPausedData }
  | { type: 'ResumeMachineReplication'; data: MachineKeyData & { adminSerial: string } }
  | { type: 'RecordRpoCompliance'; data: MachineRpoData };

export type MachineEvent =
  | { type: 'MachineRegistered'; data: MachineData }
  | { type: 'MachineUpdated'; data: MachineData }
  | { type: 'MachineReplicationPaused'; data: MachineReplicationPausedData }
  | { type: 'MachineReplicationResumed'; data: MachineKeyData & { adminSerial: string } }
  /** Past its RPO target, or further past it (exceeded → severely exceeded → critical). */
  | { type: 'MachineRpoExceeded'; data: MachineRpoData }
  /** Back within its RPO target. */
  | { type: 'MachineRpoRestored'; data: MachineRpoData };

export type MachineState =
  | { status: 'none' }
  | { status: 'registered'; machine: MachineData; pausedReason?: string; rpoCompliance?: RpoCompliance };

export const MAX_VOLUMES = 64;

/**
 * What is wrong with a volume list, or undefined. A volume name becomes a file name at restore
 * (NAME.img), so it follows the id rule; names are unique; sizes are non-negative integers.
 * Shared by the machine and recovery-point deciders, each raising it in its own error style.
 */
export function volumesProblem(volumes: readonly VolumeInfo[]): string | undefined {
  if (volumes.length > MAX_VOLUMES) return `a machine has at most ${MAX_VOLUMES} volumes`;
  const names = new Set<string>();
  for (const v of volumes) {
    if (!isValidId(v.name)) return `volume name ${JSON.stringify(v.name)} must match [A-Za-z0-9._-]{1,64} and not be "." or ".."`;
    if (names.has(v.name)) return `volume ${JSON.stringify(v.name)} appears twice`;
    names.add(v.name);
    if (!Number.isSafeInteger(v.sizeBytes) || v.sizeBytes < 0) return `volume ${JSON.stringify(v.name)}: sizeBytes must be a non-negative integer`;
  }
  return undefined;
}

function registered(state: MachineState, machineId: string): Extract<MachineState, { status: 'registered' }> {
  if (state.status === 'none') throw new DomainError('not-found', `machine ${machineId} is not registered`);
  return state;
}

function checkMachine(m: MachineData): void {
  if (m.name.trim() === '' || m.name.length > 128) throw new DomainError('invalid', 'a machine name is 1..128 characters');
  const problem = volumesProblem(m.volumes);
  if (problem !== undefined) throw new DomainError('invalid', problem);
}

export function sameMachine(a: MachineData, b: MachineData): boolean {
  return a.tenantId === b.tenantId && a.machineId === b.machineId && a.name === b.name
    && a.volumes.length === b.volumes.length
    && a.volumes.every((v, i) => v.name === b.volumes[i]?.name && v.sizeBytes === b.volumes[i]?.sizeBytes);
}

export function decide(command: MachineCommand, state: MachineState): MachineEvent[] {
  switch (command.type) {
    case 'RegisterMachine': {
      checkMachine(command.data);
      if (state.status === 'none') return [{ type: 'MachineRegistered', data: command.data }];
      if (state.machine.tenantId !== command.data.tenantId || state.machine.machineId !== command.data.machineId) {
        throw new DomainError('conflict', 'the machine stream belongs to another machine');
      }
      // PUT semantics: the same description again changes nothing; another one replaces it.
      return sameMachine(state.machine, command.data) ? [] : [{ type: 'MachineUpdated', data: command.data }];
    }
    case 'PauseMachineReplication': {
      const s = registered(state, command.data.machineId);
      const reason = checkPauseReason(command.data.reason);
      if (s.pausedReason !== undefined) throw new DomainError('conflict', `replication of machine ${command.data.machineId} is already paused (${s.pausedReason})`);
      return [{ type: 'MachineReplicationPaused', data: { ...command.data, reason } }];
    }
    case 'ResumeMachineReplication': {
      const s = registered(state, command.data.machineId);
      if (s.pausedReason === undefined) throw new DomainError('conflict', `replication of machine ${command.data.machineId} is not paused`);
      return [{ type: 'MachineReplicationResumed', data: command.data }];
    }
    case 'RecordRpoCompliance': {
      const s = registered(state, command.data.machineId);
      const before = s.rpoCompliance ?? 'within';
      if (before === command.data.compliance) return [];
      return [{ type: command.data.compliance === 'within' ? 'MachineRpoRestored' : 'MachineRpoExceeded', data: command.data }];
    }
    default:
      return assertNever(command);
  }
}

export function evolve(state: MachineState, event: MachineEvent): MachineState {
  switch (event.type) {
    case 'MachineRegistered':
      return { status: 'registered', machine: event.data };
    case 'MachineUpdated':
      return state.status === 'none' ? state : { ...state, machine: event.data };
    case 'MachineReplicationPaused':
      return state.status === 'none' ? state : { ...state, pausedReason: event.data.reason };
    case 'MachineReplicationResumed': {
      if (state.status === 'none') return state;
      const { pausedReason: _reason, ...rest } = state;
      return rest;
    }
    case 'MachineRpoExceeded':
    case 'MachineRpoRestored':
      return state.status === 'none' ? state : { ...state, rpoCompliance: event.data.compliance };
    default:
      return assertNever(event);
  }
}

export const initialState = (): MachineState => ({ status: 'none' });
export const machineDecider: Decider<MachineCommand, MachineEvent, MachineState> = { decide, evolve, initialState };
