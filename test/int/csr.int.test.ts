import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileCertificateAuthority } from '../../shared/adapters/local/file-certificate-authority.js';
import { createCa, newSerial } from '../../shared/pki/ca.js';
import { createCsr, InvalidCsrError, parseAndVerifyCsr, signCsr } from '../../shared/pki/csr.js';
import { CertificateRefusedError } from '../../shared/ports/errors.js';
import { identityFromCertificate } from '../../shared/pki/identity.js';
import { derToPem, generateKeyPair } from '../../shared/pki/keys.js';
import { craftCsr, csrForKey, hugeExponentKey, OID, randomOdd, rsaKey, rsaSpki, stallingCsr } from '../support/crafted-csr.js';

const now = new Date();
let dir = '';

function openssl(...args: string[]): string {
  return execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A CSR made by openssl (key in `<name>.key`), with a subject that tries to claim a role. */
function opensslCsr(name: string, ...keyArgs: string[]): string {
  openssl('req', '-new', ...(keyArgs.length ? keyArgs : ['-newkey', 'rsa:2048']), '-nodes', '-keyout', `${name}.key`, '-subj', '/CN=core one/OU=admin/O=tenant:evil', '-out', `${name}.csr`);
  return readFileSync(join(dir, `${name}.csr`), 'utf8');
}

function pemToDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

function isInvalidCsr(detail: RegExp, reason?: InvalidCsrError['reason']): (e: unknown) => boolean {
  return (e) => e instanceof InvalidCsrError && detail.test(e.detail) && (reason === undefined || e.reason === reason);
}

/** Runs fn, returning how long it took (ms). */
function timed(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

describe('CSR', () => {
  const ca = createCa({ now, serial: newSerial() });
  let csrPem = '';

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'drcore-csr-'));
    writeFileSync(join(dir, 'ca.pem'), ca.certificatePem);
    writeFileSync(join(dir, 'ca-key.pem'), ca.privateKeyPem, { mode: 0o600 });
    csrPem = opensslCsr('core');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('verifies an openssl-made CSR and reports its key and requested subject', () => {
    const csr = parseAndVerifyCsr(csrPem);
    assert.equal(csr.subjectCommonName, 'core one');
    assert.equal(csr.subject, 'O=tenant:evil, OU=admin, CN=core one'); // RFC 4514 order of /CN=…/OU=…/O=…
    assert.equal(csr.keyBits, 2048);
    assert.equal(csr.signatureAlgorithm, 'sha256WithRSAEncryption');
    const opensslKey = createPublicKey(readFileSync(join(dir, 'core.key'), 'utf8'));
    assert.ok(createPublicKey(csr.publicKeyPem).equals(opensslKey));
    assert.match(csr.publicKeySha256, /^[0-9a-f]{64}$/);
  });

  it('signs it into a client certificate whose subject we build, which openssl verifies for sslclient', () => {
    const serial = newSerial();
    const issued = signCsr(ca, csrPem, { role: 'source-core', tenantId: 'acme', commonName: 'acme-core', serial, now });
    assert.equal(issued.serial, serial);
    assert.equal(issued.subject, 'CN=acme-core, OU=source-core, O=tenant:acme');
    const x = new X509Certificate(issued.certificatePem);
    assert.ok(x.publicKey.equals(createPublicKey(readFileSync(join(dir, 'core.key'), 'utf8'))));
    const days = (new Date(issued.notAfter).getTime() - now.getTime()) / 86_400_000;
    assert.ok(days > 364.99 && days <= 365, `${days} days`);
    const id = identityFromCertificate(issued.certificatePem);
    assert.deepEqual([id.role, id.tenantId, id.serial], ['source-core', 'acme', serial]);
    writeFileSync(join(dir, 'cert.pem'), issued.certificatePem);
    assert.match(openssl('verify', '-CAfile', 'ca.pem', '-purpose', 'sslclient', 'cert.pem'), /cert\.pem: OK/);
    assert.throws(() => openssl('verify', '-CAfile', 'ca.pem', '-purpose', 'sslserver', 'cert.pem'));
    const shortLived = signCsr(ca, csrPem, { role: 'enrollment', commonName: 'invite', serial: newSerial(), now, days: 7 });
    assert.ok(new Date(shortLived.notAfter).getTime() - now.getTime() <= 7 * 86_400_000);
  });

  it('rejects a CSR whose signature bytes were flipped, or whose signed content was altered', () => {
    const der = pemToDer(csrPem);
    const flipped = Buffer.from(der);
    flipped[flipped.length - 1] = (flipped[flipped.length - 1] ?? 0) ^ 0xff;
    flipped[flipped.length - 40] = (flipped[flipped.length - 40] ?? 0) ^ 0x01;
    assert.throws(() => parseAndVerifyCsr(derToPem(flipped, 'CERTIFICATE REQUEST')), isInvalidCsr(/signature does not verify/));
    const altered = Buffer.from(der);
    const at = altered.indexOf(Buffer.from('core one'));
    assert.ok(at > 0);
    altered[at] = 'k'.charCodeAt(0);
    assert.throws(() => parseAndVerifyCsr(derToPem(altered, 'CERTIFICATE REQUEST')), isInvalidCsr(/signature does not verify/));
    assert.throws(() => signCsr(ca, derToPem(altered, 'CERTIFICATE REQUEST'), { role: 'source-core', tenantId: 'acme', commonName: 'x', serial: newSerial(), now }), InvalidCsrError);
  });

  it('rejects garbage, other PEM blocks, truncated DER, and keys or hashes it does not accept', () => {
    assert.throws(() => parseAndVerifyCsr(''), isInvalidCsr(/PEM string/));
    assert.throws(() => parseAndVerifyCsr('garbage'), isInvalidCsr(/not PEM/));
    assert.throws(() => parseAndVerifyCsr('-----BEGIN CERTIFICATE REQUEST-----\n%%%\n'), InvalidCsrError);
    assert.throws(() => parseAndVerifyCsr(undefined as unknown as string), InvalidCsrError);
    assert.throws(() => parseAndVerifyCsr(ca.certificatePem), isInvalidCsr(/not a "CERTIFICATE REQUEST"/));
    assert.throws(() => parseAndVerifyCsr(csrPem + csrPem), isInvalidCsr(/exactly one/));
    assert.throws(() => parseAndVerifyCsr('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n'), isInvalidCsr(/PKCS#10/));
    const truncated = pemToDer(csrPem).subarray(0, 300);
    assert.throws(() => parseAndVerifyCsr(derToPem(truncated, 'CERTIFICATE REQUEST')), isInvalidCsr(/PKCS#10/));
    assert.throws(() => parseAndVerifyCsr('x'.repeat(70_000)), isInvalidCsr(/longer than/));
    assert.throws(() => parseAndVerifyCsr(opensslCsr('ec', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256')), isInvalidCsr(/only RSA/));
    assert.throws(() => parseAndVerifyCsr(opensslCsr('small', '-newkey', 'rsa:1024')), isInvalidCsr(/1024 bits/));
    assert.throws(() => parseAndVerifyCsr(opensslCsr('sha1', '-newkey', 'rsa:2048', '-sha1')), isInvalidCsr(/not accepted/));
  });

  it('createCsr makes a CSR that we and openssl verify', () => {
    const pem = createCsr(generateKeyPair(), 'source core ü');
    assert.equal(parseAndVerifyCsr(pem).subjectCommonName, 'source core ü');
    writeFileSync(join(dir, 'own.csr'), pem);
    assert.doesNotThrow(() => openssl('req', '-in', 'own.csr', '-verify', '-noout'));
  });

  it('FileCertificateAuthority signs through the port and refuses a bad CSR', async () => {
    const authority = new FileCertificateAuthority(dir);
    assert.equal(await authority.caCertificatePem(), ca.certificatePem);
    const serial = newSerial();
    const issued = await authority.signCsr(csrPem, 'source-core', { tenantId: 't-9', commonName: 'core', now, serial });
    assert.equal(identityFromCertificate(issued.certificatePem).tenantId, 't-9');
    assert.equal(issued.serial, serial);
    await assert.rejects(authority.signCsr('nope', 'source-core', { tenantId: 't-9', commonName: 'core', now, serial: newSerial() }),
      (e: unknown) => e instanceof CertificateRefusedError && e.cause instanceof InvalidCsrError);
    await assert.rejects(authority.signCsr(csrPem, 'source-core', { tenantId: 't-9', commonName: 'x'.repeat(65), now, serial: newSerial() }),
      (e: unknown) => e instanceof CertificateRefusedError && /invalid common name: 1 to 64 characters/.test(e.reason));
    assert.throws(() => new FileCertificateAuthority(join(dir, 'missing')), /ENOENT/);
  });

  describe('key and signature policy (issue 8): cheap checks first, then node:crypto', () => {
    it('refuses an RSA key whose public exponent is as long as its modulus, before verifying (the CSR is validly signed)', () => {
      const { privateKey, exponentBits } = hugeExponentKey();
      assert.ok(exponentBits > 2000, `${exponentBits}-bit exponent`);
      const pem = csrForKey(privateKey);
      const ms = timed(() => assert.throws(() => parseAndVerifyCsr(pem), isInvalidCsr(/exponent .*2\d{3} bits.*65537/, 'key')));
      assert.ok(ms < 2000, `refused in ${ms.toFixed(0)} ms`);
    });

    it('refuses the stalling CSR (8192-bit modulus, 8191-bit exponent) without any big-integer work', () => {
      const pem = stallingCsr();
      const ms = timed(() => assert.throws(() => parseAndVerifyCsr(pem), isInvalidCsr(/./, 'key')));
      assert.ok(ms < 2000, `refused in ${ms.toFixed(0)} ms`);
    });

    it('accepts RSA 2048 to 4096 bits with e = 65537 only', () => {
      assert.throws(() => parseAndVerifyCsr(csrForKey(rsaKey(1024))), isInvalidCsr(/1024 bits.*2048 to 4096/, 'key'));
      assert.throws(() => parseAndVerifyCsr(craftCsr({ spki: rsaSpki(randomOdd(8192), 65537n) })), isInvalidCsr(/8192 bits.*2048 to 4096/, 'key'));
      assert.throws(() => parseAndVerifyCsr(craftCsr({ spki: rsaSpki(randomOdd(4104), 65537n) })), isInvalidCsr(/4104 bits/, 'key'));
      assert.throws(() => parseAndVerifyCsr(csrForKey(rsaKey(2048, 3))), isInvalidCsr(/exponent 3 .*65537/, 'key'));
      assert.throws(() => parseAndVerifyCsr(csrForKey(rsaKey(2048, 17))), isInvalidCsr(/exponent 17 /, 'key'));
      assert.equal(parseAndVerifyCsr(csrForKey(rsaKey(4096))).keyBits, 4096);
      assert.equal(parseAndVerifyCsr(csrForKey(rsaKey(3072))).keyBits, 3072);
    });

    it('refuses EC (P-256, P-384, others), Ed25519 and RSA-PSS keys: the CA issues RSA certificates only (node-forge)', () => {
      for (const namedCurve of ['P-256', 'P-384', 'secp256k1']) {
        const { privateKey } = generateKeyPairSync('ec', { namedCurve });
        assert.throws(() => parseAndVerifyCsr(csrForKey(privateKey, { signatureOid: OID.ecdsaWithSha256 })), isInvalidCsr(/EC key.*only RSA/, 'key'), namedCurve);
      }
      const ed = generateKeyPairSync('ed25519').privateKey;
      assert.throws(() => parseAndVerifyCsr(csrForKey(ed, { signatureOid: OID.ed25519, hash: null })), isInvalidCsr(/ed25519 key.*only RSA/, 'key'));
      const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey;
      assert.throws(() => parseAndVerifyCsr(craftCsr({ spki: createPublicKey(pss).export({ type: 'spki', format: 'der' }) })), isInvalidCsr(/rsa-pss key.*only RSA/, 'key'));
      assert.throws(() => parseAndVerifyCsr(craftCsr({ spki: Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00]) })), isInvalidCsr(/public key/, 'key'));
    });

    it('verifies SHA-256/384/512 with RSA PKCS#1 v1.5; refuses SHA-1, ECDSA on an RSA key, and a hash that does not match', () => {
      const key = rsaKey(2048);
      assert.equal(parseAndVerifyCsr(csrForKey(key, { signatureOid: OID.sha384WithRSAEncryption, hash: 'sha384' })).signatureAlgorithm, 'sha384WithRSAEncryption');
      assert.equal(parseAndVerifyCsr(csrForKey(key, { signatureOid: OID.sha512WithRSAEncryption, hash: 'sha512' })).signatureAlgorithm, 'sha512WithRSAEncryption');
      assert.throws(() => parseAndVerifyCsr(csrForKey(key, { signatureOid: OID.sha1WithRSAEncryption, hash: 'sha1' })), isInvalidCsr(/not accepted/, 'signature-algorithm'));
      assert.throws(() => parseAndVerifyCsr(csrForKey(key, { signatureOid: OID.ecdsaWithSha256 })), isInvalidCsr(/not accepted/, 'signature-algorithm'));
      assert.throws(() => parseAndVerifyCsr(csrForKey(key, { signatureOid: OID.sha512WithRSAEncryption, hash: 'sha256' })), isInvalidCsr(/signature does not verify/, 'signature'));
      assert.throws(() => parseAndVerifyCsr(craftCsr({ spki: createPublicKey(key).export({ type: 'spki', format: 'der' }) })), isInvalidCsr(/signature does not verify/, 'signature'));
    });

    it('bounds the PEM (16 KiB) and refuses DER with trailing bytes or a bad version as not a PKCS#10 request', () => {
      assert.throws(() => parseAndVerifyCsr(`-----BEGIN CERTIFICATE REQUEST-----\n${'A'.repeat(16 * 1024)}\n-----END CERTIFICATE REQUEST-----\n`), isInvalidCsr(/longer than 16384/, 'malformed'));
      const der = pemToDer(csrPem);
      assert.throws(() => parseAndVerifyCsr(derToPem(Buffer.concat([der, Buffer.from([0])]), 'CERTIFICATE REQUEST')), isInvalidCsr(/PKCS#10/, 'malformed'));
      const v2 = Buffer.from(der);
      const at = v2.indexOf(Buffer.from([0x02, 0x01, 0x00]));
      v2[at + 2] = 1;
      assert.throws(() => parseAndVerifyCsr(derToPem(v2, 'CERTIFICATE REQUEST')), isInvalidCsr(/version/, 'malformed'));
    });
  });
});
