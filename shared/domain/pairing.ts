import { assertNever, type Decider } from './decider.js';
import { DomainError } from './errors.js';
import { checkRetention, type RetentionSettings } from './retention-policy.js';
import { checkLeaseEnd, checkRpoTarget } from './replication-control.js';

/** Pairing request aggregate — stream `pairing:<requestId>` (DESIGN §1, §6). */
export type PairingStatus = 'pending' | 'approved' | 'rejected' | 'ignored' | 'failed';

/**
 * The approval workflow could not issue the certificate. `retryable: false` (the CA refused to
 * sign this request) ends the request as `failed`; `retryable: true` (a fault of ours that
 * outlasted the workflow's retries) keeps it approved until a later run delivers the certificate.
 * `reason` is shown to the source only when not retryable (internal faults stay internal).
 */
export interface PairingCertificateFailedData { requestId: string; reason: string; retryable: boolean }

export interface PairingRequestedData {
  requestId: string; coreName: string; coreId: string; email: string; customerId?: string; message?: string;
  csrPem: string;
  /** The enrollment certificate that filed the request: only it (and admins) may read it (filedBy). */
  enrollmentSerial: string;
}

/** The approval: the tenant's quota and, optionally, its retention (else the workflow gives it DEFAULT_RETENTION). */
export interface PairingApprovedData {
  requestId: string; tenantId: string; quotaBytes: number; customerId?: string; note?: string; adminSerial: string; retention?: RetentionSettings;
  /** The tenant's RPO target and lease end (issue 13), optional. */
  rpoTargetSeconds?: number; leaseEndsAt?: string;
}

export type PairingCommand =
  | { type: 'RequestPairing'; data: PairingRequestedData }
  | { type: 'AcknowledgePairing'; data: { requestId: string; message: string } }
  | { type: 'ApprovePairing'; data: PairingApprovedData }
  | { type: 'RejectPairing'; data: { requestId: string; reason: string; adminSerial: string } }
  | { type: 'IgnorePairing'; data: { requestId: string; adminSerial: string } }
  | { type: 'DeliverCertificate'; data: { requestId: string; tenantId: string; serial: string; certificatePem: string; caCertificatePem: string } }
  | { type: 'RecordCertificateFailure'; data: PairingCertificateFailedData };

export type PairingEvent =
  | { type: 'PairingRequested'; data: PairingRequestedData }
  | { type: 'PairingAcknowledged'; data: { requestId: string; message: string } }
  | { type: 'PairingApproved'; data: PairingApprovedData }
  | { type: 'PairingRejected'; data: { requestId: string; reason: string; adminSerial: string } }
  | { type: 'PairingIgnored'; data: { requestId: string; adminSerial: string } }
  | { type: 'PairingCertificateDelivered'; data: { requestId: string; tenantId: string; serial: string; certificatePem: string; caCertificatePem: string } }
  | { type: 'PairingCertificateFailed'; data: PairingCertificateFailedData };

export type PairingState =
  | { status: 'none' }
  | {
      status: PairingStatus;
      request: PairingRequestedData;
      acknowledged: boolean;
      tenantId?: string;
      quotaBytes?: number;
      retention?: RetentionSettings;
      rpoTargetSeconds?: number;
      leaseEndsAt?: string;
      customerId?: string;
      reason?: string;
      certificate?: { serial: string; certificatePem: string; caCertificatePem: string };
      /** The last failure to issue the certificate, until one is delivered. */
      failure?: { reason: string; retryable: boolean };
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
      if (command.data.rpoTargetSeconds !== undefined) checkRpoTarget(command.data.rpoTargetSeconds);
      if (command.data.leaseEndsAt !== undefined) checkLeaseEnd(command.data.leaseEndsAt);
      return [{ type: 'PairingApproved', data: command.data.retention ? { ...command.data, retention: checkRetention(command.data.retention) } : command.data }];
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
    case 'RecordCertificateFailure': {
      const s = existing(state, command.data.requestId);
      if (s.status === 'failed') return []; // a permanent failure is recorded once
      if (s.status !== 'approved') throw new DomainError('conflict', `pairing request ${command.data.requestId} is ${s.status}, not approved`);
      if (s.certificate) throw new DomainError('conflict', `pairing request ${command.data.requestId} already has certificate ${s.certificate.serial}`);
      if (command.data.reason.trim() === '') throw new DomainError('invalid', 'a failure needs a reason');
      const same = s.failure && s.failure.retryable === command.data.retryable && s.failure.reason === command.data.reason;
      return same ? [] : [{ type: 'PairingCertificateFailed', data: command.data }];
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
        ...(event.data.customerId ? { customerId: event.data.customerId } : {}), ...(event.data.retention ? { retention: event.data.retention } : {}),
        ...(event.data.rpoTargetSeconds !== undefined ? { rpoTargetSeconds: event.data.rpoTargetSeconds } : {}),
        ...(event.data.leaseEndsAt !== undefined ? { leaseEndsAt: event.data.leaseEndsAt } : {}),
      };
    case 'PairingRejected':
      return state.status === 'none' ? state : { ...state, status: 'rejected', reason: event.data.reason };
    case 'PairingIgnored':
      return state.status === 'none' ? state : { ...state, status: 'ignored' };
    case 'PairingCertificateDelivered': {
      if (state.status === 'none') return state;
      const { failure: _cleared, ...rest } = state;
      return { ...rest, certificate: { serial: event.data.serial, certificatePem: event.data.certificatePem, caCertificatePem: event.data.caCertificatePem } };
    }
    case 'PairingCertificateFailed': {
      if (state.status === 'none') return state;
      const failure = { reason: event.data.reason, retryable: event.data.retryable };
      return event.data.retryable ? { ...state, failure } : { ...state, status: 'failed', failure, reason: event.data.reason };
    }
    default:
      return assertNever(event);
  }
}

export const initialState = (): PairingState => ({ status: 'none' });

/**
 * Whether the enrollment certificate `enrollmentSerial` filed this request (item 6 of
 * issue 8: a request is readable only by the certificate that created it, and admins).
 * Every PairingRequested event has carried the serial since the first release; a request
 * without one is nobody's (fail closed: only an admin sees it).
 */
export function filedBy(state: Exclude<PairingState, { status: 'none' }>, enrollmentSerial: string): boolean {
  const owner = state.request.enrollmentSerial as string | undefined;
  return typeof owner === 'string' && owner !== '' && owner === enrollmentSerial;
}

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
    case 'PairingCertificateFailed':
      return event.data.retryable
        ? 'Your certificate could not be issued yet, because of a fault on the service provider\'s side; they have been alerted. Nothing to do on your side: keep polling this request, the certificate will appear here once issued.'
        : `Your certificate could not be issued: ${event.data.reason}. Nothing was set up for this request: send a new pairing request that corrects this (the certificate's common name is your core name), or contact the service provider, who has been notified.`;
    default: return assertNever(event);
  }
}
