/**
 * CertificateAuthority on AWS: the CA certificate and key are one Secrets Manager secret,
 * `{"certificatePem": "...", "privateKeyPem": "..."}` (written once by the CA bootstrap
 * custom resource). Read on first use and cached for the life of the container; signing
 * is the project's shared/pki, exactly as locally. The key never leaves this adapter.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { loadCa, type Ca } from '../../pki/ca.js';
import { signOrRefuse } from '../sign-or-refuse.js';
import { signDocument } from '../../pki/document-signature.js';
import { unwrapSeedKeyWith } from '../../pki/seed-key.js';
import type { CertificateAuthority, CertRole, DocumentSignature, IssuedCertificate } from '../../ports/certificate-authority.js';
import { PortError } from '../../ports/errors.js';
import { ENV } from '../../runtime/env.js';
import { defaultSecretsManagerClient, requiredEnv } from './clients.js';
import { translateAwsError } from './errors.js';

export type SecretsManagerSender = Pick<SecretsManagerClient, 'send'>;

export interface SecretsManagerCertificateAuthorityOptions {
  /** Default: the container's shared client (endpoint from DRCORE_AWS_ENDPOINT, if set). */
  readonly client?: SecretsManagerSender;
  /** Default: DRCORE_CA_SECRET_ARN. */
  readonly secretArn?: string;
}

/** The CA secret's JSON. */
export interface CaSecret {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

// Per container, per secret: one GetSecretValue, shared by every instance. A failed read is not kept.
const cache = new Map<string, Promise<Ca>>();

export function parseCaSecret(secretString: string): CaSecret {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    throw new PortError('CA secret is not JSON');
  }
  const s = parsed as Partial<Record<keyof CaSecret, unknown>> | null;
  if (s === null || typeof s !== 'object' || typeof s.certificatePem !== 'string' || typeof s.privateKeyPem !== 'string') {
    throw new PortError('CA secret must be {"certificatePem": string, "privateKeyPem": string}');
  }
  return { certificatePem: s.certificatePem, privateKeyPem: s.privateKeyPem };
}

export class SecretsManagerCertificateAuthority implements CertificateAuthority {
  private readonly client: SecretsManagerSender;
  private readonly secretArn: string;

  constructor(options: SecretsManagerCertificateAuthorityOptions = {}) {
    this.client = options.client ?? defaultSecretsManagerClient();
    this.secretArn = options.secretArn ?? requiredEnv(ENV.caSecretArn);
  }

  async caCertificatePem(): Promise<string> {
    return (await this.ca()).certificatePem;
  }

  /** Throws CertificateRefusedError (cause: the pki error) when this request cannot be signed. */
  async signCsr(
    csrPem: string,
    role: CertRole,
    options: { tenantId?: string; commonName: string; days?: number; now: Date; serial: string },
  ): Promise<IssuedCertificate> {
    const ca = await this.ca();
    return signOrRefuse(ca, csrPem, { ...options, role });
  }
  /** Signs the core's own document with the CA key (reports, log checkpoints). */
  async signDocument(content: Uint8Array, options: { now: Date }): Promise<DocumentSignature> {
    return signDocument(await this.ca(), content, options.now);
  }  /** Unwraps a seed's data key with the CA key (RSA-OAEP); SeedKeyRefusedError when it is wrapped to another key. */
  async unwrapSeedKey(wrapped: Uint8Array): Promise<Buffer> {
    return unwrapSeedKeyWith((await this.ca()).privateKeyPem, wrapped);
  }



  private ca(): Promise<Ca> {
    let ca = cache.get(this.secretArn);
    if (ca === undefined) {
      ca = this.load();
      cache.set(this.secretArn, ca);
      ca.catch(() => cache.delete(this.secretArn));
    }
    return ca;
  }

  private async load(): Promise<Ca> {
    let secretString: string | undefined;
    try {
      secretString = (await this.client.send(new GetSecretValueCommand({ SecretId: this.secretArn }))).SecretString;
    } catch (err) {
      throw translateAwsError(err, 'Secrets Manager read of the CA secret');
    }
    if (secretString === undefined) throw new PortError('CA secret has no SecretString');
    const secret = parseCaSecret(secretString);
    try {
      return loadCa(secret.certificatePem, secret.privateKeyPem);
    } catch (err) {
      throw new PortError('CA secret does not hold a CA certificate and its key', { cause: err });
    }
  }
}
