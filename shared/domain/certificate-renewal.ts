import { assertNever, type Decider } from './decider.js';
import { DomainError } from './errors.js';

/**
 * Certificate renewal aggregate — stream `renewal:<tenantId>:<renewalId>` (issue 11 item 6): a
 * tenant's source core, with its valid certificate, asks for a new one for a new key (a CSR)
 * before its certificate expires. The workflow worker (the only holder of the CA key on AWS)
 * signs it for the same tenant and role; the new certificate works at once (it is registered
 * like any other), and the old one stays valid until it expires or the operator revokes it.
 * The renewal id derives from the old serial and the CSR, so a retried request is the same one.
 */
export interface RenewalRequestedData { tenantId: string; renewalId: string; oldSerial: string; csrPem: string; commonName: string }
export interface RenewalIssuedData { tenantId: string; renewalId: string; serial: string; certificatePem: string; caCertificatePem: string }
export interface RenewalFailedData { tenantId: string; renewalId: string; reason: string }

export type RenewalCommand =
  | { type: 'RequestRenewal'; data: RenewalRequestedData }
  | { type: 'IssueRenewal'; data: RenewalIssuedData }
  | { type: 'FailRenewal'; data: RenewalFailedData };

export type RenewalEvent =
  | { type: 'CertificateRenewalRequested'; data: RenewalRequestedData }
  | { type: 'CertificateRenewed'; data: RenewalIssuedData }
  | { type: 'CertificateRenewalFailed'; data: RenewalFailedData };

export type RenewalState =
  | { status: 'none' }
  | { status: 'pending'; request: RenewalRequestedData }
  | { status: 'issued'; request: RenewalRequestedData; issued: RenewalIssuedData }
  | { status: 'failed'; request: RenewalRequestedData; reason: string };

export function decide(command: RenewalCommand, state: RenewalState): RenewalEvent[] {
  switch (command.type) {
    case 'RequestRenewal':
      if (state.status !== 'none') return []; // the same request again: it is under way or done
      return [{ type: 'CertificateRenewalRequested', data: command.data }];
    case 'IssueRenewal':
      if (state.status === 'none') throw new DomainError('not-found', `renewal ${command.data.renewalId} was never requested`);
      if (state.status === 'issued') return []; // a redelivered workflow message
      if (state.status === 'failed') throw new DomainError('conflict', `renewal ${command.data.renewalId} failed: ${state.reason}`);
      return [{ type: 'CertificateRenewed', data: command.data }];
    case 'FailRenewal':
      if (state.status !== 'pending') return [];
      return [{ type: 'CertificateRenewalFailed', data: command.data }];
    default:
      return assertNever(command);
  }
}

export function evolve(state: RenewalState, event: RenewalEvent): RenewalState {
  switch (event.type) {
    case 'CertificateRenewalRequested':
      return state.status === 'none' ? { status: 'pending', request: event.data } : state;
    case 'CertificateRenewed':
      return state.status === 'pending' ? { status: 'issued', request: state.request, issued: event.data } : state;
    case 'CertificateRenewalFailed':
      return state.status === 'pending' ? { status: 'failed', request: state.request, reason: event.data.reason } : state;
    default:
      return assertNever(event);
  }
}

export const initialState = (): RenewalState => ({ status: 'none' });
export const renewalDecider: Decider<RenewalCommand, RenewalEvent, RenewalState> = { decide, evolve, initialState };
