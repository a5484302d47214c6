import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clientBundle } from '../support/client-bundle.js';
import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { assertSerial, createCa, issueCertificate, loadCa, newSerial, normalizeSerial } from '../../shared/pki/ca.js';
import { DRCORE_IDENTITY_OID, identityExtension, issueClientCertificate } from '../../shared/pki/client-cert.js';
import { CertificateIdentityError, identityFromCertificate, verifyIssuedBy } from '../../shared/pki/identity.js';
import { generateKeyPair } from '../../shared/pki/keys.js';
import { coversNames, issueServerCertificate, subjectAltNamesOf } from '../../shared/pki/server-cert.js';

const now = new Date('2026-03-01T12:00:00.000Z');
const DAY = 86_400_000;


describe('CA', () => {
  const ca = createCa({ now, serial: newSerial(), commonName: 'test CA' });

  it('is a self-signed 10-year CA with keyCertSign, cRLSign and a subject key identifier', () => {
    const x = new X509Certificate(ca.certificatePem);
    assert.equal(x.ca, true);
    assert.ok(x.verify(x.publicKey));
    assert.ok(x.checkIssued(x));
    const years = (new Date(x.validTo).getTime() - new Date(x.validFrom).getTime()) / (365.25 * DAY);
    assert.ok(years > 9.99 && years < 10.01, `validity ${years} years`);
    const forgeCert = forge.pki.certificateFromPem(ca.certificatePem);
    const ku = forgeCert.getExtension('keyUsage') as { keyCertSign?: boolean; cRLSign?: boolean; critical?: boolean };
    assert.equal(ku.keyCertSign, true);
    assert.equal(ku.cRLSign, true);
    assert.ok(forgeCert.getExtension('subjectKeyIdentifier'));
    assert.match(ca.keyIdentifierHex, /^[0-9a-f]{40}$/);
  });

  it('loads from PEM, and refuses a key that is not the CA key or a certificate that is not a CA', () => {
    const loaded = loadCa(ca.certificatePem, ca.privateKeyPem);
    assert.equal(loaded.keyIdentifierHex, ca.keyIdentifierHex);
    const other = createCa({ now, serial: newSerial() });
    assert.throws(() => loadCa(ca.certificatePem, other.privateKeyPem), /does not match/);
    const leaf = clientBundle(ca, 'admin');
    assert.throws(() => loadCa(leaf.certPem, leaf.keyPem), /not a CA/);
  });

  it('serials: newSerial is 16 bytes with the top bit set, encoded positive with a 00 prefix', () => {
    const serial = newSerial();
    assert.match(serial, /^[89a-f][0-9a-f]{31}$/);
    assert.equal(assertSerial(serial), serial);
    assert.equal(assertSerial('0abc'), '0abc');
    for (const bad of ['', 'ABCD', '00ab', 'abc', 'x1', 'ab'.repeat(20)]) assert.throws(() => assertSerial(bad));
    assert.equal(normalizeSerial('00:8F:AB'), '8fab');
    const issued = issueClientCertificate(ca, { publicKey: generateKeyPair().publicKey, role: 'admin', commonName: 'a', serial, now });
    assert.equal(normalizeSerial(new X509Certificate(issued.certificatePem).serialNumber), serial);
    assert.equal(issued.serial, serial);
    assert.equal(forge.pki.certificateFromPem(issued.certificatePem).serialNumber, `00${serial}`);
  });
});

describe('server certificate', () => {
  const ca = createCa({ now, serial: newSerial() });
  const keyPair = generateKeyPair();
  const server = issueServerCertificate(ca, { publicKey: keyPair.publicKey, serial: newSerial(), now, hostnames: ['drcore.example.com', '10.0.0.7', '::1'] });

  it('carries localhost, 127.0.0.1 and the extra names as SANs, serverAuth, and verifies against the CA', () => {
    const sans = subjectAltNamesOf(server.certificatePem);
    assert.deepEqual(sans.dns, ['localhost', 'drcore.example.com']);
    assert.deepEqual(sans.ips, ['127.0.0.1', '10.0.0.7', '::1']);
    const x = new X509Certificate(server.certificatePem);
    assert.equal(x.checkHost('localhost'), 'localhost');
    assert.equal(x.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(x.ca, false);
    assert.ok(x.keyUsage?.includes('1.3.6.1.5.5.7.3.1'));
    assert.ok(coversNames(server.certificatePem, ['DRCORE.example.com', '0:0:0:0:0:0:0:1']));
    assert.ok(!coversNames(server.certificatePem, ['other.example.com']));
    assert.ok(verifyIssuedBy(server.certificatePem, ca.certificatePem, now));
  });

  it('verifyIssuedBy: false for another CA, before notBefore, after notAfter, or garbage', () => {
    const other = createCa({ now, serial: newSerial() });
    assert.equal(verifyIssuedBy(server.certificatePem, other.certificatePem, now), false);
    assert.equal(verifyIssuedBy(server.certificatePem, ca.certificatePem, new Date(now.getTime() - 3_600_000)), false);
    assert.equal(verifyIssuedBy(server.certificatePem, ca.certificatePem, new Date(now.getTime() + 900 * DAY)), false);
    assert.equal(verifyIssuedBy('garbage', ca.certificatePem, now), false);
  });

  it('refuses a bad host name', () => {
    assert.throws(() => issueServerCertificate(ca, { publicKey: keyPair.publicKey, serial: newSerial(), now, hostnames: ['bad name'] }), /invalid host name/);
  });
});

describe('client certificate identity', () => {
  const ca = createCa({ now, serial: newSerial() });

  it('encodes role and tenant in OU / O and in the identity extension, and reads them back', () => {
    const bundle = clientBundle(ca, 'source-core', 'acme-1');
    const id = identityFromCertificate(bundle.certPem);
    assert.equal(id.role, 'source-core');
    assert.equal(id.tenantId, 'acme-1');
    assert.equal(id.subject, 'CN=source-core one, OU=source-core, O=tenant:acme-1');
    assert.equal(id.issuer, 'CN=drcore CA, O=drcore');
    assert.equal(id.notBefore, '2026-03-01T11:55:00.000Z');
    assert.equal(id.notAfter, '2027-03-01T12:00:00.000Z');
    assert.match(id.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const ext = forge.pki.certificateFromPem(bundle.certPem).extensions.find((e: { id: string }) => e.id === DRCORE_IDENTITY_OID) as { critical: boolean; value: string };
    assert.equal(ext.critical, false);
    assert.deepEqual(JSON.parse(forge.util.decodeUtf8(forge.asn1.fromDer(ext.value).value as string)), { role: 'source-core', tenantId: 'acme-1' });
    assert.ok(new X509Certificate(bundle.certPem).keyUsage?.includes('1.3.6.1.5.5.7.3.2'));
    assert.deepEqual({ ...identityFromCertificate(clientBundle(ca, 'admin').certPem) }.role, 'admin');
    assert.equal(identityFromCertificate(clientBundle(ca, 'enrollment').certPem).tenantId, undefined);
  });

  it('refuses role/tenant combinations that make no sense, and bad tenant ids', () => {
    assert.throws(() => clientBundle(ca, 'source-core'), /needs a tenantId/);
    assert.throws(() => clientBundle(ca, 'admin', 'acme'), /no tenantId/);
    assert.throws(() => clientBundle(ca, 'source-core', '../x'), /invalid tenantId/);
  });

  const custom = (subject: { commonName: string; organizationalUnit?: string; organization?: string }, extensions: object[]): string =>
    issueCertificate(ca, { publicKey: generateKeyPair().publicKey, serial: newSerial(), subject, now, days: 30, extensions }).certificatePem;

  it('falls back to OU / O without the extension; refuses when they disagree with it or are invalid', () => {
    const fallback = identityFromCertificate(custom({ commonName: 'x', organizationalUnit: 'source-core', organization: 'tenant:t1' }, []));
    assert.equal(fallback.role, 'source-core');
    assert.equal(fallback.tenantId, 't1');
    const disagree = custom({ commonName: 'x', organizationalUnit: 'source-core', organization: 'tenant:t1' }, [identityExtension({ role: 'source-core', tenantId: 't2' })]);
    assert.throws(() => identityFromCertificate(disagree), CertificateIdentityError);
    assert.throws(() => identityFromCertificate(custom({ commonName: 'x', organizationalUnit: 'root' }, [])), /invalid certificate role/);
    const badJson = { id: DRCORE_IDENTITY_OID, critical: false, value: forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.UTF8, false, '{"role":"admin","x":1}') };
    assert.throws(() => identityFromCertificate(custom({ commonName: 'x', organizationalUnit: 'admin' }, [badJson])), /unknown fields/);
    const server = issueServerCertificate(ca, { publicKey: generateKeyPair().publicKey, serial: newSerial(), now });
    assert.throws(() => identityFromCertificate(server.certificatePem), CertificateIdentityError);
    assert.throws(() => identityFromCertificate('not a certificate'), CertificateIdentityError);
  });
});
