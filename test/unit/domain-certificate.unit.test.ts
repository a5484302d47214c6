import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  certificateDecider, type CertificateCommand, type CertificateEvent, type CertificateIssuedData,
} from '../../shared/domain/certificate.js';
import { spec } from '../support/given-when-then.js';

const serial = 'c0ffee';
const issued: CertificateIssuedData = {
  serial, role: 'source-core', tenantId: 'tenant-1', subject: 'CN=Acme backup core', notBefore: '2026-03-01T12:00:00.000Z',
  notAfter: '2027-03-01T12:00:00.000Z', fingerprint256: 'AA:BB:CC', pairingRequestId: 'req-1', certificatePem: 'CERT PEM',
};

const cmd = {
  issue: { type: 'IssueCertificate', data: issued },
  revoke: { type: 'RevokeCertificate', data: { serial, reason: 'key compromised', adminSerial: 'ad01' } },
} satisfies Record<string, CertificateCommand>;

const ev = {
  issued: { type: 'CertificateIssued', data: issued },
  revoked: { type: 'CertificateRevoked', data: cmd.revoke.data },
} satisfies Record<string, CertificateEvent>;

const certificate = () => spec(certificateDecider);

describe('certificate decider: IssueCertificate', () => {
  it('registers a source-core certificate of a tenant as valid', () => {
    const state = certificate().given([]).when(cmd.issue).then([ev.issued]);
    assert.ok(state.status === 'valid');
    assert.deepEqual(state.certificate, issued);
  });

  for (const role of ['admin', 'enrollment'] as const) {
    it(`registers an ${role} certificate without a tenant`, () => {
      const { tenantId: _t, pairingRequestId: _p, ...rest } = issued;
      const data: CertificateIssuedData = { ...rest, role };
      certificate().given([]).when({ type: 'IssueCertificate', data }).then([{ type: 'CertificateIssued', data }]);
    });
  }

  it('is idempotent: the same serial with the same fingerprint produces no event', () => {
    certificate().given([ev.issued]).when(cmd.issue).then([]);
  });

  it('stays a no-op for the same certificate after it was revoked (and it stays revoked)', () => {
    const state = certificate().given([ev.issued, ev.revoked]).when(cmd.issue).then([]);
    assert.equal(state.status, 'revoked');
  });

  it('refuses the same serial with another fingerprint', () => {
    certificate().given([ev.issued])
      .when({ type: 'IssueCertificate', data: { ...issued, fingerprint256: 'DD:EE:FF', certificatePem: 'OTHER PEM' } })
      .thenThrows('conflict', /certificate c0ffee already exists/);
  });

  it('refuses a source-core certificate without a tenant', () => {
    const { tenantId: _t, ...data } = issued;
    certificate().given([]).when({ type: 'IssueCertificate', data }).thenThrows('invalid', /source-core certificate belongs to a tenant/);
  });

  it('refuses a source-core certificate with an empty tenant', () => {
    certificate().given([]).when({ type: 'IssueCertificate', data: { ...issued, tenantId: '' } })
      .thenThrows('invalid', /belongs to a tenant/);
  });
});

describe('certificate decider: RevokeCertificate', () => {
  it('revokes a valid certificate with its reason', () => {
    const state = certificate().given([ev.issued]).when(cmd.revoke).then([ev.revoked]);
    assert.ok(state.status === 'revoked' && state.revokedReason === 'key compromised');
    assert.deepEqual(state.certificate, issued, 'the registry keeps the revoked certificate');
  });

  it('refuses an unknown certificate', () => {
    certificate().given([]).when(cmd.revoke).thenThrows('not-found', /certificate c0ffee does not exist/);
  });

  it('refuses to revoke twice', () => {
    certificate().given([ev.issued, ev.revoked]).when(cmd.revoke).thenThrows('conflict', /c0ffee is already revoked/);
  });
});
