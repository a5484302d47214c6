import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { constants, createPublicKey, publicEncrypt, randomBytes, X509Certificate } from 'node:crypto';
import {
  canonicalJson, certificateSha256, fileListSha256, newDataKey, openSeedFile, sealSeedFile, SEED_FILE_OVERHEAD, SEED_FORMAT, seedSignatureValid,
  signerIssuedBy, signSeedManifest, unwrapDataKey, wrapDataKey, type UnsignedSeedManifest,
} from '../../shared/format/seed.js';
import { createCa, newSerial } from '../../shared/pki/ca.js';
import { clientBundle, PKI_TEST_NOW } from '../support/client-bundle.js';

const ids = { seedId: 'seed-1', mediumSetId: 'set-1', path: 'medium-01/000001.dseed' };

describe('seed format (shared/format/seed.ts)', () => {
  it('a seed file is AES-256-GCM of the pack, bound to its seed, medium set and path', () => {
    const key = newDataKey();
    const pack = randomBytes(10_000);
    const file = sealSeedFile(pack, key, ids);
    assert.equal(file.length, pack.length + SEED_FILE_OVERHEAD);
    assert.equal(file.indexOf(pack.subarray(0, 64)), -1, 'no plaintext');
    assert.deepEqual(openSeedFile(file, key, ids), pack);
    assert.throws(() => openSeedFile(file, newDataKey(), ids), /does not decrypt/, 'another key');
    for (const other of [{ ...ids, path: 'medium-01/000002.dseed' }, { ...ids, mediumSetId: 'set-2' }, { ...ids, seedId: 'seed-2' }]) {
      assert.throws(() => openSeedFile(file, key, other), /does not decrypt/, JSON.stringify(other));
    }
    const flipped = Buffer.from(file);
    flipped[100]! ^= 1;
    assert.throws(() => openSeedFile(flipped, key, ids), /does not decrypt/);
    assert.throws(() => openSeedFile(file.subarray(0, 10), key, ids), /not a seed file/);
  });

  it('the data key unwraps only with the private key it was wrapped to, and only as a seed key (OAEP label)', () => {
    const ca = createCa({ now: PKI_TEST_NOW, serial: newSerial() });
    const other = createCa({ now: PKI_TEST_NOW, serial: newSerial() });
    const key = newDataKey();
    const wrapped = Buffer.from(wrapDataKey(key, ca.certificatePem), 'base64');
    assert.deepEqual(unwrapDataKey(wrapped, ca.privateKeyPem), key);
    assert.throws(() => unwrapDataKey(wrapped, other.privateKeyPem));
    const pub = createPublicKey(new X509Certificate(ca.certificatePem).publicKey.export({ type: 'spki', format: 'pem' }));
    const unlabeled = publicEncrypt({ key: pub, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, key);
    assert.throws(() => unwrapDataKey(unlabeled, ca.privateKeyPem), 'a CA-key ciphertext made for anything else is not a seed key');
  });

  it('the manifest signature covers every field (canonical JSON), and names a signer the CA issued', () => {
    const ca = createCa({ now: PKI_TEST_NOW, serial: newSerial() });
    const source = clientBundle(ca, 'source-core', 't1');
    const files = [{ path: 'medium-01/000001.dseed', medium: 1, rpId: 'rp-1', size: 1000, sha256: 'a'.repeat(64) }];
    const unsigned: UnsignedSeedManifest = {
      format: SEED_FORMAT, seedId: 'seed-1', mediumSetId: 'set-1', createdAt: PKI_TEST_NOW.toISOString(), tenantId: 't1', machineId: 'm1',
      volumes: [{ name: 'sda', sizeBytes: 1 << 20 }], rps: [{ rpId: 'rp-1', kind: 'base', manifest: 'b'.repeat(64), createdAt: PKI_TEST_NOW.toISOString() }],
      target: { caSha256: certificateSha256(ca.certificatePem) }, key: { algorithm: 'RSA-OAEP-256', wrapped: wrapDataKey(newDataKey(), ca.certificatePem) },
      media: [{ medium: 1, name: 'medium-01', files: 1, bytes: 1000, listSha256: fileListSha256(files) }], signer: { certificatePem: source.certPem },
    };
    const signed = signSeedManifest(unsigned, source.keyPem);
    assert.ok(seedSignatureValid(signed));
    assert.ok(seedSignatureValid(JSON.parse(JSON.stringify({ ...signed, volumes: signed.volumes }))), 'key order does not matter');
    assert.equal(seedSignatureValid({ ...signed, tenantId: 't2' }), false, 'another tenant');
    assert.equal(seedSignatureValid({ ...signed, media: [{ ...signed.media[0]!, listSha256: 'c'.repeat(64) }] }), false, 'another file list');
    assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }), '{"a":[{"c":3,"d":2}],"b":1}');
    assert.ok(signerIssuedBy(source.certPem, ca.certificatePem, PKI_TEST_NOW));
    assert.equal(signerIssuedBy(source.certPem, createCa({ now: PKI_TEST_NOW, serial: newSerial() }).certificatePem, PKI_TEST_NOW), false);
    assert.notEqual(fileListSha256(files), fileListSha256([{ ...files[0]!, size: 999 }]));
  });
});
