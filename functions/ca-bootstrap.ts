/**
 * The CA bootstrap custom resource (infra/constructs/ca-bootstrap.ts), run by the CDK provider
 * framework when the stack is created and when the resource's properties change. It runs the one
 * PKI bootstrap (shared/app/pki-bootstrap.ts) over the three Secrets Manager secrets and the event
 * log (the resource depends on the events table), then writes the truststore:
 *  - the CA secret: the placeholder the stack creates (`{"initialized":false,…}`) is replaced by
 *    a new CA once (race-safe); an initialized one is loaded (throws if key and certificate
 *    disagree, or half of it is missing); anything else is refused, so a hand-edited secret is
 *    never lost.
 *  - the admin and enrollment bundles are issued when their secret is still the placeholder,
 *    renewed for the same key when the certificate there is no longer valid under this CA
 *    (expired), replaced with a new key when the registry has revoked it; otherwise kept. Each
 *    bundle carries the CA certificate and a PKCS#12 for a browser (the secret is the hand-over).
 *  - both bundle certificates are registered in the certificate registry, so the authorizer
 *    accepts them and an admin revokes them by serial like any other certificate.
 *  - the truststore object is written only when it does not hold this CA; its S3 version id is
 *    returned as `TruststoreVersion` for the custom domain's mTLS configuration.
 * Delete does nothing: the secrets are retained with the stack's data.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { clientOptionsFromEnv, makeS3Client, makeSecretsManagerClient } from '../shared/adapters/aws/clients.js';
import { DynamoDbEventStore } from '../shared/adapters/aws/dynamodb-event-store.js';
import { SecretsManagerSecretStore, type StoredSecretJson } from '../shared/adapters/aws/secrets-manager-secret-store.js';
import { bootstrapPki, type BundleOutcome, type PkiBootstrapOptions, type ReissuedBundle } from '../shared/app/pki-bootstrap.js';
import type { EventStore } from '../shared/ports/event-store.js';

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
export type CaSecret = Pick<StoredSecretJson, 'initialized' | 'certificatePem' | 'privateKeyPem'>;

/** A bundle secret's value (README, "Deploy to AWS" shows how to turn it into files). */
export type BundleSecret = Required<StoredSecretJson>;

interface Clients { readonly secrets: Pick<SecretsManagerClient, 'send'>; readonly s3: Pick<S3Client, 'send'>; readonly events: EventStore }

/** On AWS the bundle secret is the whole hand-over: the CA certificate and a PKCS#12 with each bundle. */
const AWS_PKI = (domainName: string): PkiBootstrapOptions => ({ caCommonName: `drcore CA ${domainName}`, pkcs12: ['admin', 'enrollment'], withIssuer: true });

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

export async function bootstrap(c: Clients, p: CaBootstrapProperties, now: Date): Promise<{ truststoreVersion: string; admin: BundleOutcome; enrollment: BundleOutcome; reissued: readonly ReissuedBundle[] }> {
  const secrets = new SecretsManagerSecretStore({
    client: c.secrets,
    secretIds: { ca: p.caSecretArn, admin: p.adminBundleSecretArn, enrollment: p.enrollmentBundleSecretArn },
  });
  const pki = await bootstrapPki({ secrets, events: c.events, clock: () => now }, AWS_PKI(p.domainName));
  const truststoreVersion = await ensureTruststore(c, p, pki.ca.certificatePem);
  return { truststoreVersion, admin: pki.bundles.admin, enrollment: pki.bundles.enrollment, reissued: pki.reissued };
}

let clients: Clients | undefined;

export const handler = async (event: CloudFormationCustomResourceEvent): Promise<{ PhysicalResourceId: string; Data?: Record<string, string> }> => {
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId };
  const options = clientOptionsFromEnv();
  clients ??= { secrets: makeSecretsManagerClient(options), s3: makeS3Client(options), events: new DynamoDbEventStore() };
  const result = await bootstrap(clients, readProperties(event.ResourceProperties), new Date());
  console.log(JSON.stringify({ message: 'CA bootstrap done', admin: result.admin, enrollment: result.enrollment, reissued: result.reissued, truststoreVersion: result.truststoreVersion }));
  return { PhysicalResourceId: PHYSICAL_RESOURCE_ID, Data: { TruststoreVersion: result.truststoreVersion } };
};
