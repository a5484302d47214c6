/**
 * SecretsManagerCertificateAuthority: reads the CA from a Secrets Manager secret, caches
 * it per container, signs with shared/pki.
 *
 * The Secrets Manager client is a MOCK (its `send` answers GetSecretValue from memory and
 * counts calls): no Secrets Manager emulator is part of this project and there is no AWS
 * account. The certificates are real (node-forge) and checked with Node's X509Certificate.
 */
import assert from 'node:assert/strict';
import { randomUUID, X509Certificate } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createCa, newSerial, type Ca } from '../../shared/pki/ca.js';
import { createCsr, InvalidCsrError } from '../../shared/pki/csr.js';
import { identityFromCertificate, verifyIssuedBy } from '../../shared/pki/identity.js';
import { generateKeyPair } from '../../shared/pki/keys.js';
import { parseCaSecret, SecretsManagerCertificateAuthority } from '../../shared/adapters/aws/secrets-certificate-authority.js';
import { CertificateRefusedError, PortError, UnavailableError } from '../../shared/ports/errors.js';

const arn = () => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:drcore-ca-${randomUUID()}`;

/** MOCK client: GetSecretValue answers `answer()`; calls are counted. */
function mockSecrets(answer: () => unknown) {
  const calls: string[] = [];
  const client = {
    send: (async (command: unknown) => {
      assert.ok(command instanceof GetSecretValueCommand, 'only GetSecretValue is sent');
      calls.push(command.input.SecretId ?? '');
      return answer();
    }) as unknown as SecretsManagerClient['send'],
  };
  return { client, calls };
}

describe('SecretsManagerCertificateAuthority (MOCK Secrets Manager client, real certificates)', () => {
  let ca: Ca;
  let secretString: string;
  const now = new Date('2025-06-01T00:00:00Z');
  before(() => {
    ca = createCa({ now, serial: newSerial(), commonName: 'drcore test CA' });
    secretString = JSON.stringify({ certificatePem: ca.certificatePem, privateKeyPem: ca.privateKeyPem });
  });

  it('signs a CSR with the CA from the secret: a source-core certificate for the tenant, issued by that CA', async () => {
    const { client } = mockSecrets(() => ({ SecretString: secretString }));
    const authority = new SecretsManagerCertificateAuthority({ client, secretArn: arn() });
    const csr = createCsr(generateKeyPair(), 'core-1.customer.example');
    const serial = newSerial();
    const issued = await authority.signCsr(csr, 'source-core', { tenantId: 'tenant1', commonName: 'core-1', now, serial });
    assert.ok(verifyIssuedBy(issued.certificatePem, ca.certificatePem, now));
    assert.ok(new X509Certificate(issued.certificatePem).checkIssued(new X509Certificate(ca.certificatePem)));
    const identity = identityFromCertificate(issued.certificatePem);
    assert.equal(identity.role, 'source-core');
    assert.equal(identity.tenantId, 'tenant1');
    assert.equal(await authority.caCertificatePem(), ca.certificatePem);
  });

  it('reads the secret once per container, for every instance with that ARN', async () => {
    const { client, calls } = mockSecrets(() => ({ SecretString: secretString }));
    const secretArn = arn();
    await new SecretsManagerCertificateAuthority({ client, secretArn }).caCertificatePem();
    await new SecretsManagerCertificateAuthority({ client, secretArn }).caCertificatePem();
    await Promise.all([1, 2, 3].map(() => new SecretsManagerCertificateAuthority({ client, secretArn }).caCertificatePem()));
    assert.deepEqual(calls, [secretArn]);
  });

  it('a failed read is not cached: throttling → UnavailableError, then the next call reads again', async () => {
    let fail = true;
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    const { client, calls } = mockSecrets(() => { if (fail) throw throttled; return { SecretString: secretString }; });
    const authority = new SecretsManagerCertificateAuthority({ client, secretArn: arn() });
    const err = await authority.caCertificatePem().catch((e: unknown) => e);
    assert.ok(err instanceof UnavailableError);
    assert.equal(err.cause, throttled);
    fail = false;
    assert.equal(await authority.caCertificatePem(), ca.certificatePem);
    assert.equal(calls.length, 2);
  });

  it('access denied, a missing SecretString, a malformed secret or a key of another certificate → PortError', async () => {
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    const other = createCa({ now, serial: newSerial() });
    const answers: (() => unknown)[] = [
      () => { throw denied; },
      () => ({ SecretBinary: new Uint8Array([1]) }),
      () => ({ SecretString: 'not json' }),
      () => ({ SecretString: JSON.stringify({ certificatePem: ca.certificatePem }) }),
      () => ({ SecretString: JSON.stringify({ certificatePem: ca.certificatePem, privateKeyPem: other.privateKeyPem }) }),
    ];
    for (const answer of answers) {
      const { client } = mockSecrets(answer);
      await assert.rejects(new SecretsManagerCertificateAuthority({ client, secretArn: arn() }).caCertificatePem(), PortError);
    }
  });

  it('a CSR that does not verify → CertificateRefusedError (cause InvalidCsrError), as with the local CA', async () => {
    const { client } = mockSecrets(() => ({ SecretString: secretString }));
    const authority = new SecretsManagerCertificateAuthority({ client, secretArn: arn() });
    await assert.rejects(authority.signCsr('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n', 'source-core', { tenantId: 't1', commonName: 'x', now, serial: newSerial() }),
      (e: unknown) => e instanceof CertificateRefusedError && e.cause instanceof InvalidCsrError);
  });

  it('parseCaSecret accepts exactly {certificatePem, privateKeyPem}', () => {
    assert.deepEqual(parseCaSecret('{"certificatePem":"a","privateKeyPem":"b","extra":1}'), { certificatePem: 'a', privateKeyPem: 'b' });
    assert.throws(() => parseCaSecret('[]'), PortError);
  });
});
