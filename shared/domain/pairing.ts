import { DomainError, assertNever, type Decider } from './decider.js';

/** Pairing request aggregate — stream `pairing:<requestId>` (DESIGN §1, §6). */
export type PairingStatus = 'pending' | 'approved' | 'rejected' | 'ignored';

export interface PairingRequestedData {
  requestId: string; coreName: string; coreId: string; email: string; customerId?: string; message?: string;
  csrPem: string; enrollmentSerial: string;
}

export type PairingCommand =
  | { type: 'RequestPairing'; data: PairingRequestedData }
  | { type: 'AcknowledgePairing'; data: { requestId: string; message: string } }
  | { type: 'ApprovePairing'; data: { requestId: string; tenantId: string; quotaBytes: number; customerId?: string; note?: string; adminSerial: string } }
  | { type: 'RejectPairing'; data: { requestId: string; reason: string; adminSerial: string } }
  | { type: 'IgnorePairing'; data: { requestId: string; adminSerial: string } }
  | { type: 'DeliverCertificate'; data: { requestId: string; tenantId: string; serial: string; certificatePem: string; caCertificatePem: string } };

export type PairingEvent =
  | { type: 'PairingRequested'; data: PairingRequestedData }
  | { type: 'PairingAcknowledged'; data: { requestId: string; message: string } }
  | { type: 'PairingApproved'; data: { requestId: string; tenantId: string; quotaBytes: number; customerId?: string; note?: string; adminSerial: string } }
  | { type: 'PairingRejected'; data: { requestId: string; reason: string; adminSerial: string } }
  | { type: 'PairingIgnored'; data: { requestId: string; adminSerial: string } }
  | { type: 'PairingCertificateDelivered'; data: { requestId: string; tenantId: string; serial: string; certificatePem: string; caCertificatePem: string } };

export type PairingState =
  | { status: 'none' }
  | {
      status: PairingStatus;
      request: PairingRequestedData;
      acknowledged: boolean;
      tenantId?: string;
      quotaBytes?: number;
      customerId?: string;
      reason?: string;
      certificate?: { serial: string; certificatePem: string; caCertificatePem: string };
    };

function existing(state: PairingState, requestId: string): Exclude<PairingState, { status: 'none' }> {
  if (state.status === 'none') throw new DomainError('not-found', `pairing request ${requestId} does not exist`);
  return state;
}

function pendingOnly(state: PairingState, requestId: string, verb: string): void {
  const s = existing(state, requestId);
  if (s.status !== 'pending') throw new DomainError('conflict', `cannot ${verb} pairing request ${requestId}: it is already ${s.status}`);
}

export function decide(command: PairingCommand, state: PairingState): PairingEvent[] {
  switch (command.type) {
    case 'RequestPairing':
      if (state.status !== 'none') throw new DomainError('conflict', `pairing request ${command.data.requestId} already exists`);
      return [{ type: 'PairingRequested', data: command.data }];
    case 'AcknowledgePairing': {
      const s = existing(state, command.data.requestId);
      // Only a pending request is acknowledged: once decided, the decision is the feedback.
      return s.acknowledged || s.status !== 'pending' ? [] : [{ type: 'PairingAcknowledged', data: command.data }];
    }
    case 'ApprovePairing':
      pendingOnly(state, command.data.requestId, 'approve');
      if (!Number.isSafeInteger(command.data.quotaBytes) || command.data.quotaBytes <= 0) {
        throw new DomainError('invalid', 'quotaBytes must be a positive integer');
      }
      return [{ type: 'PairingApproved', data: command.data }];
    case 'RejectPairing':
      pendingOnly(state, command.data.requestId, 'reject');
      if (command.data.reason.trim() === '') throw new DomainError('invalid', 'a rejection needs a reason');
      return [{ type: 'PairingRejected', data: command.data }];
    case 'IgnorePairing':
      pendingOnly(state, command.data.requestId, 'ignore');
      return [{ type: 'PairingIgnored', data: command.data }];
    case 'DeliverCertificate': {
      const s = existing(state, command.data.requestId);
      if (s.status !== 'approved') throw new DomainError('conflict', `pairing request ${command.data.requestId} is ${s.status}, not approved`);
      if (s.tenantId !== command.data.tenantId) throw new DomainError('conflict', 'certificate is for another tenant');
      if (s.certificate) {
        if (s.certificate.serial === command.data.serial) return [];
        throw new DomainError('conflict', `pairing request ${command.data.requestId} already has certificate ${s.certificate.serial}`);
      }
      return [{ type: 'PairingCertificateDelivered', data: command.data }];
    }
    default:
      return assertNever(command);
  }
}

export function evolve(state: PairingState, event: PairingEvent): PairingState {
  switch (event.type) {
    case 'PairingRequested':
      return { status: 'pending', request: event.data, acknowledged: false, ...(event.data.customerId ? { customerId: event.data.customerId } : {}) };
    case 'PairingAcknowledged':
      return state.status === 'none' ? state : { ...state, acknowledged: true };
    case 'PairingApproved':
      return state.status === 'none' ? state : {
        ...state, status: 'approved', tenantId: event.data.tenantId, quotaBytes: event.data.quotaBytes,
        ...(event.data.customerId ? { customerId: event.data.customerId } : {}),
      };
    case 'PairingRejected':
      return state.status === 'none' ? state : { ...state, status: 'rejected', reason: event.data.reason };
    case 'PairingIgnored':
      return state.status === 'none' ? state : { ...state, status: 'ignored' };
    case 'PairingCertificateDelivered':
      return state.status === 'none' ? state : {
        ...state, certificate: { serial: event.data.serial, certificatePem: event.data.certificatePem, caCertificatePem: event.data.caCertificatePem },
      };
    default:
      return assertNever(event);
  }
}

export const initialState = (): PairingState => ({ status: 'none' });

export const pairingDecider: Decider<PairingCommand, PairingEvent, PairingState> = { decide, evolve, initialState };

/** The automatic feedback a source core sees: one line per event, derived, never stored twice. */
export function feedbackFor(event: PairingEvent): string {
  switch (event.type) {
    case 'PairingRequested': return 'Pairing request received.';
    case 'PairingAcknowledged': return event.data.message;
    case 'PairingApproved': return `Approved by the service provider (quota ${event.data.quotaBytes} bytes); issuing your certificate.`;
    case 'PairingRejected': return `Rejected: ${event.data.reason}`;
    case 'PairingIgnored': return 'The service provider has set this request aside.';
    case 'PairingCertificateDelivered': return `Certificate ${event.data.serial} issued: you can now replicate as tenant ${event.data.tenantId}.`;
    default: return assertNever(event);
  }
}
