/**
 * The CA bootstrap custom resource (infra/constructs/ca-bootstrap.ts), run by the CDK
 * provider framework on every deployment. Idempotent, and it never replaces a CA:
 *  - CA secret `{"initialized":false,…}` (the placeholder the stack creates): create the CA and
 *    store `{"initialized":true,"certificatePem","privateKeyPem"}`; initialized: load it (throws if
 *    key and certificate disagree); anything else: refuse, so a hand-edited secret is never lost.
 *  - The admin and enrollment bundles are issued when their secret is still the placeholder, or
 *    the certificate there is no longer valid under this CA (expired); otherwise kept.
 *  - The truststore object is written only when it does not hold this CA; its S3 version id is
 *    returned as `TruststoreVersion` for the custom domain's mTLS configuration.
 * Delete does nothing: the secrets are retained with the stack's data.
 */
import { GetSecretValueCommand, PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { clientOptionsFromEnv, makeS3Client, makeSecretsManagerClient } from '../shared/adapters/aws/clients.js';
import { createCa, loadCa, newSerial, type Ca } from '../shared/pki/ca.js';
import { issueClientCertificate } from '../shared/pki/client-cert.js';
import { verifyIssuedBy } from '../shared/pki/identity.js';
import { generateKeyPair, privateKeyToPem } from '../shared/pki/keys.js';
import { createPkcs12, randomPassword } from '../shared/pki/pkcs12.js';

export const PHYSICAL_RESOURCE_ID = 'drcore-ca';

export interface CaBootstrapProperties {
  readonly caSecretArn: string;
  readonly adminBundleSecretArn: string;
  readonly enrollmentBundleSecretArn: string;
  readonly truststoreBucket: string;
  readonly truststoreKey: string;
  readonly domainName: string;
}

/** The CA secret's value, as the AWS CertificateAuthority adapter reads it. */
export interface CaSecret { readonly initialized: true; readonly certificatePem: string; readonly privateKeyPem: string }

/** A bundle secret's value (README, "Deploy to AWS" shows how to turn it into files). */
export interface BundleSecret {
  readonly initialized: true;
  readonly role: 'admin' | 'enrollment';
  readonly serial: string;
  readonly subject: string;
  readonly notAfter: string;
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  readonly caCertificatePem: string;
  /** PKCS#12 (AES-256) for a browser, base64, and its password. */
  readonly pkcs12Base64: string;
  readonly pkcs12Password: string;
}

interface Clients { readonly secrets: SecretsManagerClient; readonly s3: S3Client }

export function readProperties(raw: Record<string, unknown>): CaBootstrapProperties {
  const get = (key: string): string => {
    const v = raw[key];
    if (typeof v !== 'string' || v === '') throw new Error(`custom resource property ${key} is missing`);
    return v;
  };
  return {
    caSecretArn: get('CaSecretArn'),
    adminBundleSecretArn: get('AdminBundleSecretArn'),
    enrollmentBundleSecretArn: get('EnrollmentBundleSecretArn'),
    truststoreBucket: get('TruststoreBucket'),
    truststoreKey: get('TruststoreKey'),
    domainName: get('DomainName'),
  };
}

async function readSecret(c: Clients, arn: string): Promise<Record<string, unknown>> {
  const out = await c.secrets.send(new GetSecretValueCommand({ SecretId: arn }));
  let parsed: unknown;
  try { parsed = JSON.parse(out.SecretString ?? ''); } catch { parsed = undefined; }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`secret ${arn} does not hold JSON: refusing to overwrite it`);
  }
  return parsed as Record<string, unknown>;
}

async function writeSecret(c: Clients, arn: string, value: object): Promise<void> {
  await c.secrets.send(new PutSecretValueCommand({ SecretId: arn, SecretString: JSON.stringify(value) }));
}

export async function ensureCa(c: Clients, p: CaBootstrapProperties, now: Date): Promise<Ca> {
  const current = await readSecret(c, p.caSecretArn);
  if (current['initialized'] === true) {
    const { certificatePem, privateKeyPem } = current;
    if (typeof certificatePem !== 'string' || typeof privateKeyPem !== 'string') throw new Error('CA secret is initialized but incomplete');
    return loadCa(certificatePem, privateKeyPem);
  }
  if (current['initialized'] !== false) throw new Error('CA secret holds something else than the placeholder: refusing to create a new CA over it');
  const commonName = `drcore CA ${p.domainName}`.slice(0, 64);
  const ca = createCa({ now, serial: newSerial(), commonName });
  const value: CaSecret = { initialized: true, certificatePem: ca.certificatePem, privateKeyPem: ca.privateKeyPem };
  await writeSecret(c, p.caSecretArn, value);
  return ca;
}

export async function ensureBundle(c: Clients, arn: string, ca: Ca, role: 'admin' | 'enrollment', now: Date): Promise<'kept' | 'issued'> {
  const current = await readSecret(c, arn);
  if (current['initialized'] === true && typeof current['certificatePem'] === 'string' && verifyIssuedBy(current['certificatePem'], ca.certificatePem, now)) {
    return 'kept';
  }
  if (current['initialized'] !== true && current['initialized'] !== false) throw new Error(`bundle secret ${arn} holds something else than the placeholder`);
  const keyPair = generateKeyPair();
  const issued = issueClientCertificate(ca, { publicKey: keyPair.publicKey, role, commonName: `drcore ${role}`, serial: newSerial(), now });
  const privateKeyPem = privateKeyToPem(keyPair.privateKey);
  const pkcs12Password = randomPassword();
  const p12 = createPkcs12({ privateKeyPem, certificatePem: issued.certificatePem, chainPems: [ca.certificatePem], password: pkcs12Password, friendlyName: `drcore ${role}` });
  const value: BundleSecret = {
    initialized: true, role, serial: issued.serial, subject: issued.subject, notAfter: issued.notAfter,
    certificatePem: issued.certificatePem, privateKeyPem, caCertificatePem: ca.certificatePem,
    pkcs12Base64: p12.toString('base64'), pkcs12Password,
  };
  await writeSecret(c, arn, value);
  return 'issued';
}

/** Writes the CA certificate as the truststore unless it is already there; returns the object's version id. */
export async function ensureTruststore(c: Clients, p: CaBootstrapProperties, caPem: string): Promise<string> {
  try {
    const got = await c.s3.send(new GetObjectCommand({ Bucket: p.truststoreBucket, Key: p.truststoreKey }));
    const body = await got.Body?.transformToString('utf8');
    if (body === caPem && got.VersionId !== undefined && got.VersionId !== 'null') return got.VersionId;
  } catch (e) {
    if ((e as { name?: string }).name !== 'NoSuchKey') throw e;
  }
  const put = await c.s3.send(new PutObjectCommand({ Bucket: p.truststoreBucket, Key: p.truststoreKey, Body: caPem, ContentType: 'application/x-pem-file' }));
  if (put.VersionId === undefined || put.VersionId === 'null') throw new Error(`truststore bucket ${p.truststoreBucket} is not versioned`);
  return put.VersionId;
}

export async function bootstrap(c: Clients, p: CaBootstrapProperties, now: Date): Promise<{ truststoreVersion: string; admin: string; enrollment: string }> {
  const ca = await ensureCa(c, p, now);
  const admin = await ensureBundle(c, p.adminBundleSecretArn, ca, 'admin', now);
  const enrollment = await ensureBundle(c, p.enrollmentBundleSecretArn, ca, 'enrollment', now);
  const truststoreVersion = await ensureTruststore(c, p, ca.certificatePem);
  return { truststoreVersion, admin, enrollment };
}

let clients: Clients | undefined;

export const handler = async (event: CloudFormationCustomResourceEvent): Promise<{ PhysicalResourceId: string; Data?: Record<string, string> }> => {
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId };
  const options = clientOptionsFromEnv();
  clients ??= { secrets: makeSecretsManagerClient(options), s3: makeS3Client(options) };
  const result = await bootstrap(clients, readProperties(event.ResourceProperties), new Date());
  console.log(JSON.stringify({ message: 'CA bootstrap done', admin: result.admin, enrollment: result.enrollment, truststoreVersion: result.truststoreVersion }));
  return { PhysicalResourceId: PHYSICAL_RESOURCE_ID, Data: { TruststoreVersion: result.truststoreVersion } };
};
