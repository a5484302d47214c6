import { describe, it } from 'node:test';
import { verificationReportDecider, type VerificationReportEvent, type VerificationReportSignedData } from '../../shared/domain/verification-report.js';
import { spec } from '../support/given-when-then.js';

const asked = { tenantId: 't1', reportId: 'vr-1', requestedBy: 'admin:ad01' };
const requested: VerificationReportEvent = { type: 'VerificationReportRequested', data: asked };
const signedData: VerificationReportSignedData = { tenantId: 't1', reportId: 'vr-1', sha256: 'a'.repeat(64), bytes: 900, recoveryPoints: 3, verified: 3, damaged: 0 };
const signed: VerificationReportEvent = { type: 'VerificationReportSigned', data: signedData };
const failed: VerificationReportEvent = { type: 'VerificationReportFailed', data: { tenantId: 't1', reportId: 'vr-1', reason: 'tenant t1 does not exist' } };

describe('verification report decider (stream report:<tenantId>:<reportId>)', () => {
  it('is asked for once', () => {
    spec(verificationReportDecider).given([]).when({ type: 'RequestReport', data: asked }).then([requested]);
    spec(verificationReportDecider).given([requested]).when({ type: 'RequestReport', data: asked }).then([]);
  });

  it('is signed once: a redelivered worker step appends nothing', () => {
    spec(verificationReportDecider).given([requested]).when({ type: 'RecordReportSigned', data: signedData }).then([signed]);
    spec(verificationReportDecider).given([requested, signed]).when({ type: 'RecordReportSigned', data: signedData }).then([]);
  });

  it('refuses to sign what was not asked for, or failed, or has no digest', () => {
    spec(verificationReportDecider).given([]).when({ type: 'RecordReportSigned', data: signedData }).thenThrows('not-found');
    spec(verificationReportDecider).given([requested, failed]).when({ type: 'RecordReportSigned', data: signedData }).thenThrows('conflict');
    spec(verificationReportDecider).given([requested]).when({ type: 'RecordReportSigned', data: { ...signedData, sha256: 'x' } }).thenThrows('invalid', /SHA-256/);
  });

  it('fails once, and only while pending', () => {
    spec(verificationReportDecider).given([requested]).when({ type: 'RecordReportFailed', data: failed.data }).then([failed]);
    spec(verificationReportDecider).given([requested, signed]).when({ type: 'RecordReportFailed', data: failed.data }).then([]);
  });
});
