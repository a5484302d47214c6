import { describe, it } from 'node:test';
import { renewalDecider, type RenewalEvent, type RenewalRequestedData } from '../../shared/domain/certificate-renewal.js';
import { spec } from '../support/given-when-then.js';

const key = { tenantId: 't-1', renewalId: 'rn-1' };
const requestData: RenewalRequestedData = { ...key, oldSerial: '01', csrPem: 'CSR', commonName: 'core' };
const requested: RenewalEvent = { type: 'CertificateRenewalRequested', data: requestData };
const issuedData = { ...key, serial: '02', certificatePem: 'CERT', caCertificatePem: 'CA' };
const renewal = () => spec(renewalDecider);

describe('certificate renewal decider', () => {
  it('a request opens a pending renewal; the same request again appends nothing', () => {
    renewal().given([]).when({ type: 'RequestRenewal', data: requestData }).then([requested]);
    renewal().given([requested]).when({ type: 'RequestRenewal', data: requestData }).then([]);
  });
  it('issuing a pending renewal records the new certificate once (a redelivery appends nothing)', () => {
    const issued: RenewalEvent = { type: 'CertificateRenewed', data: issuedData };
    renewal().given([requested]).when({ type: 'IssueRenewal', data: issuedData }).then([issued]);
    renewal().given([requested, issued]).when({ type: 'IssueRenewal', data: issuedData }).then([]);
  });
  it('a renewal never requested cannot be issued; a failed one is not issued later', () => {
    renewal().given([]).when({ type: 'IssueRenewal', data: issuedData }).thenThrows('not-found', /never requested/);
    const failed: RenewalEvent = { type: 'CertificateRenewalFailed', data: { ...key, reason: 'refused' } };
    renewal().given([requested]).when({ type: 'FailRenewal', data: { ...key, reason: 'refused' } }).then([failed]);
    renewal().given([requested, failed]).when({ type: 'IssueRenewal', data: issuedData }).thenThrows('conflict', /failed: refused/);
  });
});
