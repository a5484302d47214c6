/**
 * functions/ca-bootstrap.ts against in-memory Secrets Manager and (versioned) S3 fakes that
 * answer the SDK commands it sends: it creates the CA once and never again, issues usable
 * admin and enrollment bundles, writes the truststore once and returns a stable version id,
 * and refuses to overwrite a secret it does not recognise. The event log it registers the bundle
 * certificates in is the EventStore port's SQLite adapter in memory (the DynamoDB adapter has its
 * own contract run on dynalite).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSecureContext } from 'node:tls';
import { GetSecretValueCommand, PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { bootstrap, handler, readProperties, type BundleSecret, type CaBootstrapProperties } from '../../functions/ca-bootstrap.js';
import { identityFromCertificate, verifyIssuedBy } from '../../shared/pki/identity.js';
import { loadCa } from '../../shared/pki/ca.js';
import { SqliteEventStore } from '../../shared/adapters/local/sqlite-event-store.js';
import { authorize } from '../../shared/app/authorize.js';
import { revokeAnyCertificate } from '../../shared/app/certificate-service.js';
import type { AppDeps } from '../../shared/app/deps.js';

const PLACEHOLDER = JSON.stringify({ initialized: false, placeholder: 'x7Gk2' });
const PROPS: CaBootstrapProperties = {
  caSecretArn: 'arn:ca', adminBundleSecretArn: 'arn:admin', enrollmentBundleSecretArn: 'arn:enrollment',
  truststoreBucket: 'truststore-bucket', truststoreKey: 'truststore.pem', domainName: 'backup.msp.example.com',
};

function fakes(initial: Record<string, string> = {}) {
  const secrets = new Map<string, string>(Object.entries({ 'arn:ca': PLACEHOLDER, 'arn:admin': PLACEHOLDER, 'arn:enrollment': PLACEHOLDER, ...initial }));
  const objects = new Map<string, { body: string; version: string }>();
  let versions = 0;
  const calls: string[] = [];
  const sm = {
    async send(cmd: unknown) {
      if (cmd instanceof GetSecretValueCommand) {
        const v = secrets.get(cmd.input.SecretId!);
        if (v === undefined) throw Object.assign(new Error('no secret'), { name: 'ResourceNotFoundException' });
        return { SecretString: v };
      }
      if (cmd instanceof PutSecretValueCommand) {
        calls.push(`put-secret ${cmd.input.SecretId}`);
        secrets.set(cmd.input.SecretId!, cmd.input.SecretString!);
        return {};
      }
      throw new Error(`unexpected ${String(cmd)}`);
    },
  };
  const s3 = {
    async send(cmd: unknown) {
      if (cmd instanceof GetObjectCommand) {
        const o = objects.get(`${cmd.input.Bucket}/${cmd.input.Key}`);
        if (o === undefined) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' });
        return { VersionId: o.version, Body: { transformToString: async () => o.body } };
      }
      if (cmd instanceof PutObjectCommand) {
        calls.push(`put-object ${cmd.input.Key}`);
        const o = { body: String(cmd.input.Body), version: `v${++versions}` };
        objects.set(`${cmd.input.Bucket}/${cmd.input.Key}`, o);
        return { VersionId: o.version };
      }
      throw new Error(`unexpected ${String(cmd)}`);
    },
  };
  const events = SqliteEventStore.open(':memory:');
  const clients = { secrets: sm as unknown as SecretsManagerClient, s3: s3 as unknown as S3Client, events };
  return { clients, secrets, objects, calls, events };
}

const bundle = (raw: string | undefined): BundleSecret => JSON.parse(raw!) as BundleSecret;

describe('CA bootstrap custom resource', () => {
  it('first deployment: creates the CA, both bundles and the truststore', async () => {
    const f = fakes();
    const now = new Date();
    const result = await bootstrap(f.clients, PROPS, now);
    assert.deepEqual({ admin: result.admin, enrollment: result.enrollment }, { admin: 'issued', enrollment: 'issued' });

    const ca = JSON.parse(f.secrets.get('arn:ca')!) as { initialized: boolean; certificatePem: string; privateKeyPem: string };
    assert.equal(ca.initialized, true);
    const loaded = loadCa(ca.certificatePem, ca.privateKeyPem);
    assert.match(loaded.certificatePem, /BEGIN CERTIFICATE/);

    for (const [arn, role] of [['arn:admin', 'admin'], ['arn:enrollment', 'enrollment']] as const) {
      const b = bundle(f.secrets.get(arn));
      assert.equal(b.role, role);
      assert.equal(identityFromCertificate(b.certificatePem).role, role);
      assert.ok(verifyIssuedBy(b.certificatePem, ca.certificatePem, now));
      assert.equal(b.caCertificatePem, ca.certificatePem);
      // The PKCS#12 opens with its password in Node's TLS (the browser bundle).
      assert.doesNotThrow(() => createSecureContext({ pfx: Buffer.from(b.pkcs12Base64, 'base64'), passphrase: b.pkcs12Password }));
      assert.doesNotThrow(() => createSecureContext({ key: b.privateKeyPem, cert: b.certificatePem }));
    }

    const trust = f.objects.get('truststore-bucket/truststore.pem')!;
    assert.equal(trust.body, ca.certificatePem);
    assert.equal(result.truststoreVersion, trust.version);
  });

  it('later deployments change nothing: same CA, same bundles, same truststore version, no writes', async () => {
    const f = fakes();
    const first = await bootstrap(f.clients, PROPS, new Date());
    const before = new Map(f.secrets);
    f.calls.length = 0;
    const second = await bootstrap(f.clients, { ...PROPS, domainName: 'renamed.msp.example.com' }, new Date());
    assert.deepEqual(f.calls, []);
    assert.deepEqual(new Map(f.secrets), before);
    assert.equal(second.truststoreVersion, first.truststoreVersion);
    assert.deepEqual({ admin: second.admin, enrollment: second.enrollment }, { admin: 'kept', enrollment: 'kept' });
  });

  it('an expired bundle is reissued under the same CA; the CA itself is never replaced', async () => {
    const f = fakes();
    await bootstrap(f.clients, PROPS, new Date());
    const caBefore = f.secrets.get('arn:ca');
    const adminBefore = bundle(f.secrets.get('arn:admin'));
    const later = new Date(Date.now() + 400 * 86_400_000);
    const result = await bootstrap(f.clients, PROPS, later);
    assert.equal(result.admin, 'issued');
    assert.equal(f.secrets.get('arn:ca'), caBefore);
    assert.notEqual(bundle(f.secrets.get('arn:admin')).serial, adminBefore.serial);
  });

  it('refuses to overwrite a CA secret it does not recognise, and writes nothing', async () => {
    for (const value of ['-----BEGIN PRIVATE KEY-----', JSON.stringify({ certificatePem: 'x' }), '[]']) {
      const f = fakes({ 'arn:ca': value });
      await assert.rejects(bootstrap(f.clients, PROPS, new Date()), /refusing/);
      assert.deepEqual(f.calls, []);
      assert.equal(f.secrets.get('arn:ca'), value);
    }
  });

  it('registers both bundle certificates in the registry, so the authorizer accepts them; a revoked one is replaced on the next deployment', async () => {
    const f = fakes();
    const now = new Date();
    await bootstrap(f.clients, PROPS, now);
    for (const arn of ['arn:admin', 'arn:enrollment']) {
      const decision = await authorize(f.events, bundle(f.secrets.get(arn)).certificatePem, now);
      assert.equal(decision.allow, true, `${arn}: ${JSON.stringify(decision)}`);
    }
    const leaked = bundle(f.secrets.get('arn:enrollment'));
    await revokeAnyCertificate({ events: f.events, clock: () => now } as unknown as AppDeps, leaked.serial, { reason: 'leaked' }, 'other-admin', 'admin:other-admin');
    const result = await bootstrap(f.clients, PROPS, now);
    const fresh = bundle(f.secrets.get('arn:enrollment'));
    assert.deepEqual(result.reissued, [{ role: 'enrollment', revokedSerial: leaked.serial, serial: fresh.serial }]);
    assert.notEqual(fresh.privateKeyPem, leaked.privateKeyPem);
    assert.equal((await authorize(f.events, fresh.certificatePem, now)).allow, true);
    assert.equal((await authorize(f.events, leaked.certificatePem, now)).allow, false);
  });

  it('reads its properties and does nothing on Delete', async () => {
    assert.deepEqual(readProperties({
      ServiceToken: 'x', CaSecretArn: 'arn:ca', AdminBundleSecretArn: 'arn:admin', EnrollmentBundleSecretArn: 'arn:enrollment',
      TruststoreBucket: 'truststore-bucket', TruststoreKey: 'truststore.pem', DomainName: 'backup.msp.example.com',
    }), PROPS);
    assert.throws(() => readProperties({ CaSecretArn: 'arn:ca' }), /AdminBundleSecretArn is missing/);
    const out = await handler({ RequestType: 'Delete', PhysicalResourceId: 'drcore-ca' } as Parameters<typeof handler>[0]);
    assert.deepEqual(out, { PhysicalResourceId: 'drcore-ca' });
  });
});
