import { assertNever, type Decider } from './decider.js';
import { DomainError } from './errors.js';

/**
 * Verification report aggregate — stream `report:<tenantId>:<reportId>`: the operator asked for
 * a signed verification report of a tenant (`VerificationReportRequested`, which the outbox
 * hands to the workflow worker, the one holder of the CA key), and the worker signed and
 * stored it (`VerificationReportSigned`, with the SHA-256 of the bytes signed) or could not
 * (`VerificationReportFailed`). The report itself is an object, not an event (it can be large).
 */
export interface VerificationReportRequestedData { tenantId: string; reportId: string; requestedBy: string }
export interface VerificationReportSignedData {
  tenantId: string; reportId: string;
  /** SHA-256 of report.json, the bytes signed. */
  sha256: string; bytes: number;
  recoveryPoints: number; verified: number; damaged: number;
}
export interface VerificationReportFailedData { tenantId: string; reportId: string; reason: string }

export type VerificationReportCommand =
  | { type: 'RequestReport'; data: VerificationReportRequestedData }
  | { type: 'RecordReportSigned'; data: VerificationReportSignedData }
  | { type: 'RecordReportFailed'; data: VerificationReportFailedData };

export type VerificationReportEvent =
  | { type: 'VerificationReportRequested'; data: VerificationReportRequestedData }
  | { type: 'VerificationReportSigned'; data: VerificationReportSignedData }
  | { type: 'VerificationReportFailed'; data: VerificationReportFailedData };

export type VerificationReportState =
  | { status: 'none' }
  | { status: 'pending'; requested: VerificationReportRequestedData }
  | { status: 'ready'; requested: VerificationReportRequestedData; signed: VerificationReportSignedData }
  | { status: 'failed'; requested: VerificationReportRequestedData; reason: string };

export function decide(command: VerificationReportCommand, state: VerificationReportState): VerificationReportEvent[] {
  switch (command.type) {
    case 'RequestReport':
      if (state.status !== 'none') return []; // the same report asked again
      return [{ type: 'VerificationReportRequested', data: command.data }];
    case 'RecordReportSigned':
      if (state.status === 'none') throw new DomainError('not-found', `no verification report ${command.data.reportId} was asked for`);
      if (state.status === 'ready') return []; // a redelivered step: signed once
      if (state.status === 'failed') throw new DomainError('conflict', `verification report ${command.data.reportId} failed`);
      if (!/^[0-9a-f]{64}$/.test(command.data.sha256)) throw new DomainError('invalid', 'a signed report names its SHA-256');
      return [{ type: 'VerificationReportSigned', data: command.data }];
    case 'RecordReportFailed':
      if (state.status !== 'pending') return [];
      return [{ type: 'VerificationReportFailed', data: command.data }];
    default:
      return assertNever(command);
  }
}

export function evolve(state: VerificationReportState, event: VerificationReportEvent): VerificationReportState {
  switch (event.type) {
    case 'VerificationReportRequested':
      return state.status === 'none' ? { status: 'pending', requested: event.data } : state;
    case 'VerificationReportSigned':
      return state.status === 'pending' ? { status: 'ready', requested: state.requested, signed: event.data } : state;
    case 'VerificationReportFailed':
      return state.status === 'pending' ? { status: 'failed', requested: state.requested, reason: event.data.reason } : state;
    default:
      return assertNever(event);
  }
}

export const initialState = (): VerificationReportState => ({ status: 'none' });
export const verificationReportDecider: Decider<VerificationReportCommand, VerificationReportEvent, VerificationReportState> = { decide, evolve, initialState };
