import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { createSecureContext } from 'node:tls';
import forge from 'node-forge';
import { assertSerial, createCa, issueCertificate, loadCa, newSerial, normalizeSerial, type Ca } from '../../shared/pki/ca.js';
import { DRCORE_IDENTITY_OID, identityExtension, issueClientCertificate } from '../../shared/pki/client-cert.js';
import { CertificateIdentityError, identityFromCertificate, verifyIssuedBy } from '../../shared/pki/identity.js';
import { generateKeyPair, privateKeyToPem, type KeyPair } from '../../shared/pki/keys.js';
import { SqliteEventStore } from '../../shared/adapters/local/sqlite-event-store.js';
import { authorize } from '../../shared/app/authorize.js';
import { registerCertificate } from '../../shared/app/certificate-service.js';
import type { AppDeps } from '../../shared/app/deps.js';
import { createPkcs12, randomPassword } from '../../shared/pki/pkcs12.js';
import { coversNames, issueServerCertificate, subjectAltNamesOf } from '../../shared/pki/server-cert.js';

const now = new Date('2026-03-01T12:00:00.000Z');
const DAY = 86_400_000;

interface Bundle {
  readonly keyPair: KeyPair;
  readonly keyPem: string;
  readonly certPem: string;
}

function clientBundle(ca: Ca, role: 'admin' | 'enrollment' | 'source-core', tenantId?: string, at = now): Bundle {
  const keyPair = generateKeyPair();
  const issued = issueClientCertificate(ca, { publicKey: keyPair.publicKey, role, commonName: `${role} one`, serial: newSerial(), now: at, ...(tenantId ? { tenantId } : {}) });
  return { keyPair, keyPem: privateKeyToPem(keyPair.privateKey), certPem: issued.certificatePem };
}

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

/** The OID the identity extension had before it moved under 2.25 (certificates issued until then still carry it). */
const LEGACY_OID = '1.3.6.1.4.1.32473.1764.1.1';
/** DRCORE_IDENTITY_OID's DER content as OpenSSL 3 encodes it (`openssl asn1parse -genstr OID:…`), an encoder other than node-forge. */
const IDENTITY_OID_DER_HEX = '6983b8c3f8e9f394b295adb2959482cba7f2ff2b0101';

describe('identity extension OID (X.667 UUID arc)', () => {
  const ca = createCa({ now, serial: newSerial() });
  const claimsExtension = (id: string, json: object) =>
    ({ id, critical: false, value: forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.UTF8, false, JSON.stringify(json)) });
  const custom = (subject: { commonName: string; organizationalUnit?: string; organization?: string }, extensions: object[]): string =>
    issueCertificate(ca, { publicKey: generateKeyPair().publicKey, serial: newSerial(), subject, now, days: 30, extensions }).certificatePem;
  const sourceCore = { commonName: 'old core', organizationalUnit: 'source-core', organization: 'tenant:acme-1' };

  it('is 2.25.<the drcore UUID as a 128-bit integer>.1.1, and node-forge encodes and decodes it as OpenSSL does', () => {
    assert.equal(DRCORE_IDENTITY_OID, '2.25.292782944301457104177249935564434358187.1.1');
    assert.equal(BigInt('0xdc43f1a799464556b22a5014b4fcbfab').toString(), DRCORE_IDENTITY_OID.split('.')[2]);
    const der = forge.asn1.oidToDer(DRCORE_IDENTITY_OID).getBytes();
    assert.equal(forge.util.bytesToHex(der), IDENTITY_OID_DER_HEX);
    assert.equal(forge.asn1.derToOid(forge.util.hexToBytes(IDENTITY_OID_DER_HEX)), DRCORE_IDENTITY_OID);
    // The OIDs forge knew before are unchanged (first arcs, 32-bit arcs, multi-byte arcs).
    for (const oid of ['1.2.840.113549.1.1.11', '2.5.29.19', LEGACY_OID, '0.39', '2.999.4294967295', '1.3.6.1.4.1.311.21.7']) {
      assert.equal(forge.asn1.derToOid(forge.asn1.oidToDer(oid)), oid);
    }
    assert.equal(forge.util.bytesToHex(forge.asn1.oidToDer('2.999.3').getBytes()), '883703');
    for (const bad of ['3.1', '1.40', '1', '1.2.x', '1.2.-3', '1.2.03', '']) assert.throws(() => forge.asn1.oidToDer(bad), /OID/, bad);
  });

  it('a certificate issued now carries the new OID (DER as OpenSSL encodes it) and is read back; OpenSSL names it', () => {
    const pem = clientBundle(ca, 'source-core', 'acme-1').certPem;
    const der = Buffer.from(new X509Certificate(pem).raw);
    assert.ok(der.includes(Buffer.from(`0616${IDENTITY_OID_DER_HEX}`, 'hex')), 'the extnID is the new OID');
    assert.ok(!der.includes(Buffer.from(forge.asn1.oidToDer(LEGACY_OID).getBytes(), 'binary')), 'no legacy OID in a new certificate');
    const id = identityFromCertificate(pem);
    assert.deepEqual([id.role, id.tenantId], ['source-core', 'acme-1']);
    const text = execFileSync('openssl', ['x509', '-noout', '-text'], { input: pem, encoding: 'utf8' });
    assert.match(text, /2\.25\.292782944301457104177249935564434358187\.1\.1:\s*\n\s*.*"role":"source-core","tenantId":"acme-1"/);
  });

  it('a certificate issued the old way (legacy OID) is still read with the same role and tenant', () => {
    const legacy = custom(sourceCore, [claimsExtension(LEGACY_OID, { role: 'source-core', tenantId: 'acme-1' })]);
    const id = identityFromCertificate(legacy);
    assert.deepEqual([id.role, id.tenantId], ['source-core', 'acme-1']);
    const disagree = custom(sourceCore, [claimsExtension(LEGACY_OID, { role: 'source-core', tenantId: 'acme-2' })]);
    assert.throws(() => identityFromCertificate(disagree), /disagree/);
    const twice = custom(sourceCore, [claimsExtension(LEGACY_OID, { role: 'source-core', tenantId: 'acme-1' }), claimsExtension(LEGACY_OID, { role: 'source-core', tenantId: 'acme-1' })]);
    assert.throws(() => identityFromCertificate(twice), /more than once/);
  });

  it('both OIDs: read when they agree (the new one is authoritative); refused when they do not', () => {
    const claims = { role: 'source-core', tenantId: 'acme-1' };
    const both = custom(sourceCore, [claimsExtension(DRCORE_IDENTITY_OID, claims), claimsExtension(LEGACY_OID, claims)]);
    assert.deepEqual([identityFromCertificate(both).role, identityFromCertificate(both).tenantId], ['source-core', 'acme-1']);
    const mixed = custom(sourceCore, [claimsExtension(DRCORE_IDENTITY_OID, claims), claimsExtension(LEGACY_OID, { role: 'admin' })]);
    assert.throws(() => identityFromCertificate(mixed), CertificateIdentityError);
  });

  it('the authorizer accepts a registered certificate with either OID, with its role and tenant', async () => {
    const events = SqliteEventStore.open(':memory:');
    try {
      const deps = { events, clock: () => now } as unknown as AppDeps;
      const legacy = custom(sourceCore, [claimsExtension(LEGACY_OID, { role: 'source-core', tenantId: 'acme-1' })]);
      const current = clientBundle(ca, 'source-core', 'acme-1').certPem;
      for (const pem of [legacy, current]) {
        await registerCertificate(deps, pem, 'system:test');
        const decision = await authorize(events, pem, now);
        assert.equal(decision.allow, true, JSON.stringify(decision));
        assert.deepEqual(decision.allow && [decision.role, decision.tenantId], ['source-core', 'acme-1']);
      }
      const legacyAdmin = custom({ commonName: 'old admin', organizationalUnit: 'admin' }, [claimsExtension(LEGACY_OID, { role: 'admin' })]);
      await registerCertificate(deps, legacyAdmin, 'system:test');
      const admin = await authorize(events, legacyAdmin, now);
      assert.deepEqual(admin.allow && [admin.role, admin.tenantId], ['admin', undefined]);
    } finally {
      await events.close();
    }
  });
});

describe('mutual TLS with Node', () => {
  const clockNow = new Date();
  const ca = createCa({ now: clockNow, serial: newSerial() });
  const serverKey = generateKeyPair();
  const serverCert = issueServerCertificate(ca, { publicKey: serverKey.publicKey, serial: newSerial(), now: clockNow }).certificatePem;
  let server: https.Server;
  let port = 0;
  let handled = 0;

  before(async () => {
    server = https.createServer({ key: privateKeyToPem(serverKey.privateKey), cert: serverCert, ca: ca.certificatePem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
      handled += 1;
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      const id = identityFromCertificate(peer.raw);
      res.end(JSON.stringify({ role: id.role, tenantId: id.tenantId ?? null }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function get(host: string, client?: { key: string; cert: string } | { pfx: Buffer; passphrase: string }): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', servername: host === '127.0.0.1' ? undefined : host, port, path: '/', ca: ca.certificatePem, agent: false, ...client }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('authorizes a client certificate from the CA, by localhost and by 127.0.0.1, and the server reads its identity', async () => {
    const bundle = clientBundle(ca, 'source-core', 'acme', clockNow);
    const tls = { key: bundle.keyPem, cert: bundle.certPem };
    assert.deepEqual(JSON.parse(await get('localhost', tls)), { role: 'source-core', tenantId: 'acme' });
    assert.deepEqual(JSON.parse(await get('127.0.0.1', tls)), { role: 'source-core', tenantId: 'acme' });
  });

  it('authorizes a PKCS#12 (AES-256) bundle', async () => {
    const bundle = clientBundle(ca, 'admin', undefined, clockNow);
    const passphrase = randomPassword();
    const pfx = createPkcs12({ privateKeyPem: bundle.keyPem, certificatePem: bundle.certPem, chainPems: [ca.certificatePem], password: passphrase });
    assert.doesNotThrow(() => createSecureContext({ pfx, passphrase }));
    assert.deepEqual(JSON.parse(await get('localhost', { pfx, passphrase })), { role: 'admin', tenantId: null });
  });

  it('refuses a client certificate from another CA, and no certificate at all', async () => {
    const other = createCa({ now: clockNow, serial: newSerial() });
    const stranger = clientBundle(other, 'admin', undefined, clockNow);
    const handledBefore = handled;
    const refused = (e: NodeJS.ErrnoException): boolean => /^(ECONNRESET|ERR_SSL_)/.test(e.code ?? '');
    await assert.rejects(get('localhost', { key: stranger.keyPem, cert: stranger.certPem }), refused);
    await assert.rejects(get('localhost'), refused);
    assert.equal(handled, handledBefore, 'no request reached the handler');
  });
});
