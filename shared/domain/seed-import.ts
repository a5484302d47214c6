import { assertNever, type Decider } from './decider.js';
import { DomainError } from './errors.js';

/**
 * Seed import aggregate — stream `seed:<importId>` (issue 12, docs/seeding.md): the operator asked
 * for a seed in the inbox to be imported for a tenant (`SeedImportRequested`, which the outbox
 * hands to the workflow worker), the worker ran it in steps (`SeedImportProgressed`, each with
 * its phase and counts: feedback at every step) and it ended `SeedImportCompleted` (the RPs are
 * committed) or `SeedImportFailed` (a report naming each bad file; nothing of the seed visible).
 */
export type SeedImportPhase = 'verify' | 'store' | 'commit';
export interface SeedProblem { file: string; problem: string }

export interface SeedImportRequestedData { importId: string; tenantId: string; prefix: string; requestedBy: string }
export interface SeedImportProgressedData {
  importId: string; tenantId: string; phase: SeedImportPhase;
  /** Files done in this phase, of `filesTotal`; bytes likewise. */
  filesDone: number; filesTotal: number; bytesDone: number; bytesTotal: number;
  seedId?: string; machineId?: string;
  /** Bad files found so far (the verify phase names every one before the import fails). */
  problems?: SeedProblem[];
}
export interface SeedImportCompletedData {
  importId: string; tenantId: string; seedId: string; machineId: string; rpIds: string[];
  files: number; bytes: number; storedBytes: number;
}
export interface SeedImportFailedData { importId: string; tenantId: string; reason: string; problems: SeedProblem[]; seedId?: string }

export type SeedImportCommand =
  | { type: 'RequestSeedImport'; data: SeedImportRequestedData }
  | { type: 'RecordSeedImportProgress'; data: SeedImportProgressedData }
  | { type: 'CompleteSeedImport'; data: SeedImportCompletedData }
  | { type: 'FailSeedImport'; data: SeedImportFailedData };

export type SeedImportEvent =
  | { type: 'SeedImportRequested'; data: SeedImportRequestedData }
  | { type: 'SeedImportProgressed'; data: SeedImportProgressedData }
  | { type: 'SeedImportCompleted'; data: SeedImportCompletedData }
  | { type: 'SeedImportFailed'; data: SeedImportFailedData };

export type SeedImportState =
  | { status: 'none' }
  | { status: 'running'; requested: SeedImportRequestedData; progress?: SeedImportProgressedData }
  | { status: 'completed'; requested: SeedImportRequestedData; progress?: SeedImportProgressedData; completed: SeedImportCompletedData }
  | { status: 'failed'; requested: SeedImportRequestedData; progress?: SeedImportProgressedData; failed: SeedImportFailedData };

const PHASES: readonly SeedImportPhase[] = ['verify', 'store', 'commit'];
const phaseRank = (p: SeedImportPhase): number => PHASES.indexOf(p);

export function decide(command: SeedImportCommand, state: SeedImportState): SeedImportEvent[] {
  switch (command.type) {
    case 'RequestSeedImport':
      if (state.status !== 'none') return []; // the same request again
      return [{ type: 'SeedImportRequested', data: command.data }];
    case 'RecordSeedImportProgress': {
      if (state.status === 'none') throw new DomainError('not-found', `no seed import ${command.data.importId} was asked for`);
      if (state.status !== 'running') return []; // a redelivered step after the end
      const last = state.progress;
      const d = command.data;
      if (d.filesDone > d.filesTotal || d.bytesDone > d.bytesTotal) throw new DomainError('invalid', 'progress past its total');
      if (last && (phaseRank(d.phase) < phaseRank(last.phase) || (d.phase === last.phase && d.filesDone <= last.filesDone))) return []; // not forward: a repeated step
      return [{ type: 'SeedImportProgressed', data: d }];
    }
    case 'CompleteSeedImport':
      if (state.status === 'none') throw new DomainError('not-found', `no seed import ${command.data.importId} was asked for`);
      if (state.status === 'completed') return [];
      if (state.status === 'failed') throw new DomainError('conflict', `seed import ${command.data.importId} failed`);
      return [{ type: 'SeedImportCompleted', data: command.data }];
    case 'FailSeedImport':
      if (state.status === 'none') throw new DomainError('not-found', `no seed import ${command.data.importId} was asked for`);
      if (state.status !== 'running') return [];
      if (command.data.reason.trim() === '') throw new DomainError('invalid', 'a failed seed import says why');
      return [{ type: 'SeedImportFailed', data: command.data }];
    default:
      return assertNever(command);
  }
}

export function evolve(state: SeedImportState, event: SeedImportEvent): SeedImportState {
  switch (event.type) {
    case 'SeedImportRequested':
      return state.status === 'none' ? { status: 'running', requested: event.data } : state;
    case 'SeedImportProgressed':
      return state.status === 'running' ? { ...state, progress: event.data } : state;
    case 'SeedImportCompleted':
      return state.status === 'running' ? { status: 'completed', requested: state.requested, ...(state.progress ? { progress: state.progress } : {}), completed: event.data } : state;
    case 'SeedImportFailed':
      return state.status === 'running' ? { status: 'failed', requested: state.requested, ...(state.progress ? { progress: state.progress } : {}), failed: event.data } : state;
    default:
      return assertNever(event);
  }
}

export const initialState = (): SeedImportState => ({ status: 'none' });
export const seedImportDecider: Decider<SeedImportCommand, SeedImportEvent, SeedImportState> = { decide, evolve, initialState };
