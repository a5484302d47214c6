import { assertNever, type Decider } from './decider.js';
import { DomainError } from './errors.js';

/** Who a certificate makes its holder (the role is in the certificate, DESIGN §6). */
export const CERT_ROLES = ['admin', 'enrollment', 'source-core'] as const;
export type CertRole = (typeof CERT_ROLES)[number];

/** Certificate aggregate — stream `cert:<serial>`: the registry the authorizer checks. */
export interface CertificateIssuedData {
  serial: string; role: CertRole; tenantId?: string; subject: string; notBefore: string; notAfter: string;
  fingerprint256: string; pairingRequestId?: string;
  /** The public certificate itself (never a key). */
  certificatePem: string;
}

export type CertificateCommand =
  | { type: 'IssueCertificate'; data: CertificateIssuedData }
  | { type: 'RevokeCertificate'; data: { serial: string; reason: string; adminSerial: string } };

export type CertificateEvent =
  | { type: 'CertificateIssued'; data: CertificateIssuedData }
  | { type: 'CertificateRevoked'; data: { serial: string; reason: string; adminSerial: string } };

export type CertificateState =
  | { status: 'none' }
  | { status: 'valid' | 'revoked'; certificate: CertificateIssuedData; revokedReason?: string };

export function decide(command: CertificateCommand, state: CertificateState): CertificateEvent[] {
  switch (command.type) {
    case 'IssueCertificate':
      if (state.status !== 'none') {
        if (state.certificate.fingerprint256 === command.data.fingerprint256) return []; // same certificate again: idempotent
        throw new DomainError('conflict', `certificate ${command.data.serial} already exists`);
      }
      if (command.data.role === 'source-core' && !command.data.tenantId) {
        throw new DomainError('invalid', 'a source-core certificate belongs to a tenant');
      }
      return [{ type: 'CertificateIssued', data: command.data }];
    case 'RevokeCertificate':
      if (state.status === 'none') throw new DomainError('not-found', `certificate ${command.data.serial} does not exist`);
      if (state.status === 'revoked') throw new DomainError('conflict', `certificate ${command.data.serial} is already revoked`);
      return [{ type: 'CertificateRevoked', data: command.data }];
    default:
      return assertNever(command);
  }
}

export function evolve(state: CertificateState, event: CertificateEvent): CertificateState {
  switch (event.type) {
    case 'CertificateIssued':
      return { status: 'valid', certificate: event.data };
    case 'CertificateRevoked':
      return state.status === 'none' ? state : { ...state, status: 'revoked', revokedReason: event.data.reason };
    default:
      return assertNever(event);
  }
}

export const initialState = (): CertificateState => ({ status: 'none' });
export const certificateDecider: Decider<CertificateCommand, CertificateEvent, CertificateState> = { decide, evolve, initialState };
