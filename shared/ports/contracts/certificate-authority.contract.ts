/**
 * The CertificateAuthority contract (shared/ports/certificate-authority.ts): every adapter runs
 * this suite. make() returns an authority over a fresh CA; certificates are checked with Node's
 * X509Certificate (and the project's identity reader), not with the code that made them.
 */
import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify, X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import forge from 'node-forge';
import { CLOCK_SKEW_MS, newSerial, normalizeSerial } from '../../pki/ca.js';
import { createCsr, InvalidCsrError } from '../../pki/csr.js';
import { CertificateRefusedError } from '../errors.js';
import { identityFromCertificate } from '../../pki/identity.js';
import { generateKeyPair, publicKeyToPem, type KeyPair } from '../../pki/keys.js';
import type { CertificateAuthority } from '../certificate-authority.js';

const DAY_MS = 86_400_000;
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/** A CSR whose subject claims a role and a tenant (as a hostile requester would write it). */
function claimingCsr(keys: KeyPair): string {
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = keys.publicKey;
  csr.setSubject([{ shortName: 'CN', value: 'core one' }, { shortName: 'OU', value: 'admin' }, { shortName: 'O', value: 'tenant:evil' }]);
  csr.sign(keys.privateKey, forge.md.sha256.create());
  return forge.pki.certificationRequestToPem(csr);
}

/** The CSR with one byte of its signature flipped. */
function tamperedCsr(pem: string): string {
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  der[der.length - 8] = (der[der.length - 8] ?? 0) ^ 0xff;
  return `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE REQUEST-----\n`;
}

export function certificateAuthorityContract(name: string, make: () => Promise<{ ca: CertificateAuthority; cleanup(): Promise<void> }>): void {
  describe(`CertificateAuthority contract: ${name}`, () => {
    let authority: CertificateAuthority;
    let cleanup: () => Promise<void>;
    let caPem: string;
    let caCert: X509Certificate;
    const keys = generateKeyPair();
    const csr = createCsr(keys, 'core-1.customer.example');
    const now = new Date();

    before(async () => {
      ({ ca: authority, cleanup } = await make());
      caPem = await authority.caCertificatePem();
      caCert = new X509Certificate(caPem);
    });
    after(async () => cleanup());

    it('caCertificatePem: a CA certificate, the same on every call, with no key in it', async () => {
      assert.equal(caCert.ca, true);
      assert.ok(caCert.verify(caCert.publicKey), 'self-signed');
      assert.equal(await authority.caCertificatePem(), caPem);
      assert.doesNotMatch(caPem, /PRIVATE KEY/);
      assert.match(caPem, /^-----BEGIN CERTIFICATE-----\r?\n/);
    });

    it('signCsr: a client certificate for the CSR\'s key, issued by the CA, with the given serial, role, tenant and name', async () => {
      const serial = newSerial();
      const issued = await authority.signCsr(csr, 'source-core', { tenantId: 't-contract', commonName: 'core-1', now, serial });
      const cert = new X509Certificate(issued.certificatePem);
      assert.ok(cert.checkIssued(caCert) && cert.verify(caCert.publicKey), 'signed by the CA');
      assert.equal(cert.ca, false);
      assert.deepEqual(cert.keyUsage, [CLIENT_AUTH], 'extended key usage: clientAuth only');
      assert.ok(cert.publicKey.equals(createPublicKey(publicKeyToPem(keys.publicKey))), 'the CSR\'s public key');
      assert.equal(issued.serial, serial);
      assert.equal(normalizeSerial(cert.serialNumber), serial);
      const identity = identityFromCertificate(issued.certificatePem);
      assert.equal(identity.role, 'source-core');
      assert.equal(identity.tenantId, 't-contract');
      assert.equal(issued.subject, identity.subject);
      assert.match(issued.subject, /^CN=core-1, OU=source-core, O=tenant:t-contract$/);
      assert.equal(issued.notBefore, cert.validFromDate.toISOString());
      assert.equal(issued.notAfter, cert.validToDate.toISOString());
      assert.doesNotMatch(JSON.stringify(issued), /PRIVATE KEY/);
    });

    it('the CSR\'s own subject is ignored: it cannot claim a role or a tenant', async () => {
      const issued = await authority.signCsr(claimingCsr(generateKeyPair()), 'source-core', { tenantId: 't-real', commonName: 'core one', now, serial: newSerial() });
      const identity = identityFromCertificate(issued.certificatePem);
      assert.deepEqual([identity.role, identity.tenantId], ['source-core', 't-real']);
      assert.doesNotMatch(issued.subject, /admin|evil/);
    });

    it('admin and enrollment certificates carry no tenant; a role without its tenant, or with one it cannot have, is refused', async () => {
      for (const role of ['admin', 'enrollment'] as const) {
        const issued = await authority.signCsr(csr, role, { commonName: `${role} one`, now, serial: newSerial() });
        const identity = identityFromCertificate(issued.certificatePem);
        assert.equal(identity.role, role);
        assert.equal(identity.tenantId, undefined);
      }
      await assert.rejects(authority.signCsr(csr, 'source-core', { commonName: 'x', now, serial: newSerial() }), /needs a tenantId/);
      await assert.rejects(authority.signCsr(csr, 'admin', { tenantId: 't-1', commonName: 'x', now, serial: newSerial() }), /no tenantId/);
      await assert.rejects(authority.signCsr(csr, 'source-core', { tenantId: '../x', commonName: 'x', now, serial: newSerial() }), /invalid tenantId/);
    });

    it('validity: from `now` (less the clock-skew allowance) for `days`, 365 by default, never past the CA\'s own expiry', async () => {
      const check = async (days: number | undefined, at: Date) => {
        const issued = await authority.signCsr(csr, 'enrollment', { commonName: 'e', now: at, serial: newSerial(), ...(days === undefined ? {} : { days }) });
        return { from: Date.parse(issued.notBefore), to: Date.parse(issued.notAfter) };
      };
      const near = (a: number, b: number) => Math.abs(a - b) < 1000;
      const year = await check(undefined, now);
      assert.ok(near(year.from, now.getTime() - CLOCK_SKEW_MS), `notBefore ${new Date(year.from).toISOString()}`);
      assert.ok(near(year.to, now.getTime() + 365 * DAY_MS), `notAfter ${new Date(year.to).toISOString()}`);
      const month = await check(30, now);
      assert.ok(near(month.to, now.getTime() + 30 * DAY_MS));
      const late = new Date(caCert.validToDate.getTime() - 10 * DAY_MS);
      const capped = await check(365, late);
      assert.equal(capped.to, caCert.validToDate.getTime(), 'capped at the CA\'s notAfter');
    });

    it('signDocument: the bare signature verifies with the CA certificate\'s key over exactly the bytes given; the CMS is detached, by the CA, over their digest', async () => {
      const content = Buffer.from('{"report":"drcore","rps":[1,2,3]}\n');
      const at = new Date('2026-05-01T10:00:00.000Z');
      const signed = await authority.signDocument(content, { now: at });
      assert.ok(verify('sha256', content, caCert.publicKey, Buffer.from(signed.rsaSha256, 'base64')), 'verifies with the CA key');
      const changed = Buffer.from(content);
      changed[3] = (changed[3] ?? 0) ^ 1;
      assert.equal(verify('sha256', changed, caCert.publicKey, Buffer.from(signed.rsaSha256, 'base64')), false, 'a changed byte fails');
      assert.match(signed.cmsPem, /^-----BEGIN PKCS7-----\r?\n/);
      assert.doesNotMatch(JSON.stringify(signed), /PRIVATE KEY/);
      const msg = forge.pkcs7.messageFromPem(signed.cmsPem) as forge.pkcs7.PkcsSignedData & { rawCapture: { content?: unknown } };
      assert.equal(msg.certificates.length, 1);
      assert.equal(forge.pki.certificateToPem(msg.certificates[0]!).replace(/\r/g, ''), caPem.replace(/\r/g, ''), 'the one certificate is the CA');
      assert.equal(msg.rawCapture.content, undefined, 'detached: the content is not in it');
      const der = Buffer.from(signed.cmsPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
      assert.ok(der.includes(createHash('sha256').update(content).digest()), 'the signed attributes carry the content\'s SHA-256');
    });

    it('a CSR that does not parse, or whose signature does not verify → CertificateRefusedError caused by InvalidCsrError', async () => {
      for (const bad of ['', 'not a CSR', caPem, tamperedCsr(csr)]) {
        await assert.rejects(authority.signCsr(bad, 'source-core', { tenantId: 't-1', commonName: 'x', now, serial: newSerial() }), (err: unknown) => {
          assert.ok(err instanceof CertificateRefusedError, `a refusal of this request, not a fault: ${String(err)}`);
          assert.ok(err.cause instanceof InvalidCsrError, 'the InvalidCsrError is kept as cause');
          return true;
        }, JSON.stringify(bad.slice(0, 40)));
      }
    });
  });
}
