/**
 * The identity extension's OID (under a 2.25 UUID arc, X.667) and the legacy OID still read:
 * checked against OpenSSL (a second encoder) and the SQLite-backed registry, hence int.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clientBundle } from '../support/client-bundle.js';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { createCa, issueCertificate, newSerial } from '../../shared/pki/ca.js';
import { DRCORE_IDENTITY_OID } from '../../shared/pki/client-cert.js';
import { CertificateIdentityError, identityFromCertificate } from '../../shared/pki/identity.js';
import { generateKeyPair } from '../../shared/pki/keys.js';
import { SqliteEventStore } from '../../shared/adapters/local/sqlite-event-store.js';
import { authorize } from '../../shared/app/authorize.js';
import { registerCertificate } from '../../shared/app/certificate-service.js';
import type { AppDeps } from '../../shared/app/deps.js';

const now = new Date('2026-03-01T12:00:00.000Z');


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
