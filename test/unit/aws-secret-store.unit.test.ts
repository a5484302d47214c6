/**
 * SecretsManagerSecretStore beyond the contract: the JSON it writes (the format the CA adapter
 * and the README's hand-over read), the placeholder, what it refuses, and its errors.
 *
 * The Secrets Manager client is a MOCK (test/support/mock-secrets-manager.ts): no Secrets
 * Manager emulator is part of this project and there is no AWS account. The certificates are
 * real (node-forge).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIRST_VALUE_TOKEN, SecretsManagerSecretStore } from '../../shared/adapters/aws/secrets-manager-secret-store.js';
import { parseCaSecret } from '../../shared/adapters/aws/secrets-certificate-authority.js';
import { createCa, newSerial } from '../../shared/pki/ca.js';
import { issueClientCertificate } from '../../shared/pki/client-cert.js';
import { identityFromCertificate } from '../../shared/pki/identity.js';
import { generateKeyPair, privateKeyToPem } from '../../shared/pki/keys.js';
import { PortError, UnavailableError } from '../../shared/ports/errors.js';
import { awsError, MockSecretsManager } from '../support/mock-secrets-manager.js';

const now = new Date('2026-03-01T12:00:00.000Z');
const IDS = { ca: 'arn:ca', admin: 'arn:admin' };

function setup(values: Partial<Record<keyof typeof IDS, string>> = {}) {
  const sm = new MockSecretsManager();
  for (const [name, id] of Object.entries(IDS)) sm.create(id, values[name as keyof typeof IDS]);
  return { sm, store: new SecretsManagerSecretStore({ client: sm.client, secretIds: IDS }) };
}

describe('SecretsManagerSecretStore (MOCK Secrets Manager client)', () => {
  const ca = createCa({ now, serial: newSerial(), commonName: 'drcore CA test' });
  const keys = generateKeyPair();
  const admin = issueClientCertificate(ca, { publicKey: keys.publicKey, role: 'admin', commonName: 'drcore admin', serial: newSerial(), now });

  it('writes the CA as {initialized, certificatePem, privateKeyPem}, which the CA adapter reads; the first value under FIRST_VALUE_TOKEN', async () => {
    const { sm, store } = setup();
    let token: string | undefined;
    const send = sm.client.send.bind(sm.client);
    const spy = { send: (async (c: { input: { ClientRequestToken?: string } }) => { token ??= c.input.ClientRequestToken; return send(c as never); }) as unknown as typeof sm.client.send };
    await new SecretsManagerSecretStore({ client: spy, secretIds: IDS }).putIfAbsent('ca', { certificatePem: ca.certificatePem, privateKeyPem: ca.privateKeyPem });
    assert.equal(token, FIRST_VALUE_TOKEN);
    const json = JSON.parse(sm.value('arn:ca')!) as Record<string, unknown>;
    assert.deepEqual(json, { initialized: true, certificatePem: ca.certificatePem, privateKeyPem: ca.privateKeyPem });
    assert.deepEqual(parseCaSecret(sm.value('arn:ca')!), { certificatePem: ca.certificatePem, privateKeyPem: ca.privateKeyPem });
    assert.deepEqual(await store.get('ca'), { certificatePem: ca.certificatePem, privateKeyPem: ca.privateKeyPem });
  });

  it('writes a bundle with its hand-over fields and a description of its certificate (role, serial, subject, notAfter)', async () => {
    const { sm, store } = setup();
    const der = new Uint8Array([1, 2, 3, 250]);
    await store.put('admin', { certificatePem: admin.certificatePem, privateKeyPem: privateKeyToPem(keys.privateKey), issuerCertificatePem: ca.certificatePem, pkcs12: { der, password: 'pw' } });
    const json = JSON.parse(sm.value('arn:admin')!) as Record<string, unknown>;
    const id = identityFromCertificate(admin.certificatePem);
    assert.deepEqual(json, {
      initialized: true, role: 'admin', serial: id.serial, subject: id.subject, notAfter: id.notAfter,
      certificatePem: admin.certificatePem, privateKeyPem: privateKeyToPem(keys.privateKey), caCertificatePem: ca.certificatePem,
      pkcs12Base64: Buffer.from(der).toString('base64'), pkcs12Password: 'pw',
    });
  });

  it('the placeholder is nothing stored; any other value is refused by get, put and putIfAbsent, and never overwritten', async () => {
    assert.equal(await setup().store.get('ca'), undefined);
    for (const value of ['-----BEGIN PRIVATE KEY-----', JSON.stringify({ certificatePem: 'x' }), '[]', 'null', JSON.stringify({ initialized: 'yes' })]) {
      const { sm, store } = setup({ ca: value });
      await assert.rejects(store.get('ca'), (e: unknown) => e instanceof PortError && /refusing/.test(e.message), value);
      await assert.rejects(store.putIfAbsent('ca', { certificatePem: 'c', privateKeyPem: 'k' }), /refusing/, value);
      await assert.rejects(store.put('ca', { certificatePem: 'c', privateKeyPem: 'k' }), /refusing/, value);
      assert.equal(sm.value('arn:ca'), value);
      assert.deepEqual(sm.calls.filter((c) => c.startsWith('put')), []);
    }
  });

  it('vendor errors are translated with the SDK error as cause: throttling → UnavailableError, access denied → PortError', async () => {
    const throttled = awsError('ThrottlingException', 400, 'Rate exceeded');
    const denied = awsError('AccessDeniedException', 400, 'not authorized');
    const { sm, store } = setup();
    sm.fail(throttled);
    const e1 = await store.get('ca').catch((e: unknown) => e);
    assert.ok(e1 instanceof UnavailableError);
    assert.equal(e1.cause, throttled);
    sm.fail(denied);
    const e2 = await store.get('admin').catch((e: unknown) => e);
    assert.ok(e2 instanceof PortError && !(e2 instanceof UnavailableError));
    assert.equal(e2.cause, denied);
    await store.get('ca'); // the placeholder read passes
    sm.fail(throttled);
    const e3 = await store.putIfAbsent('ca', { certificatePem: 'c', privateKeyPem: 'k' }).catch((e: unknown) => e);
    assert.ok(e3 instanceof UnavailableError && e3.cause === throttled);
    assert.equal(await store.get('ca'), undefined, 'nothing stored');
  });

  it('a name with no secret configured → PortError, before any call', async () => {
    const { sm, store } = setup();
    await assert.rejects(store.get('enrollment'), PortError);
    await assert.rejects(store.get('constructor'), PortError);
    assert.deepEqual(sm.calls, []);
  });

  it('a first value reset by hand to the placeholder: putIfAbsent refuses instead of looping', async () => {
    const { sm, store } = setup();
    await store.putIfAbsent('ca', { certificatePem: 'c1', privateKeyPem: 'k1' });
    await sm.client.send(new (await import('@aws-sdk/client-secrets-manager')).PutSecretValueCommand({ SecretId: 'arn:ca', SecretString: JSON.stringify({ initialized: false }) }));
    await assert.rejects(store.putIfAbsent('ca', { certificatePem: 'c2', privateKeyPem: 'k2' }), /reset to the placeholder/);
  });
});
