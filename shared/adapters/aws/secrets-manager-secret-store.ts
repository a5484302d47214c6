/**
 * SecretStore on AWS Secrets Manager: each name is one secret the stack created (its ARN is
 * given), holding JSON. The stack creates them with a placeholder, `{"initialized":false,…}`,
 * which counts as nothing stored. A stored secret is
 *   {"initialized":true, ["role","serial","subject","notAfter",] "certificatePem", "privateKeyPem",
 *    ["caCertificatePem",] ["pkcs12Base64","pkcs12Password"]}
 * — the format the CA adapter (secrets-certificate-authority.ts) and the README's hand-over
 * steps read; role, serial, subject and notAfter describe a client certificate for the operator
 * reading the secret (read from the certificate; get() ignores them).
 *
 * putIfAbsent is race-safe although Secrets Manager has no conditional write: the first value
 * of a secret is always written with the same ClientRequestToken (FIRST_VALUE_TOKEN), the id
 * of the version it creates. Secrets Manager refuses a second version with that id and other
 * content (ResourceExistsException), so of two racing writers exactly one stores; the other
 * reads the winner's secret. A retry of the same call (same token, same content) is accepted
 * as the same write. Any other JSON, or no JSON, is refused: never read as a secret, never
 * overwritten.
 */
import { GetSecretValueCommand, PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { identityFromCertificate } from '../../pki/identity.js';
import { PortError } from '../../ports/errors.js';
import { assertSecretName, type PutIfAbsentResult, type Secret, type SecretStore, type StoredSecret } from '../../ports/secret-store.js';
import { defaultSecretsManagerClient } from './clients.js';
import { awsErrorName, translateAwsError } from './errors.js';

export type SecretsManagerSender = Pick<SecretsManagerClient, 'send'>;

/** The version id of every secret's first drcore value (a ClientRequestToken: 32 to 64 characters). */
export const FIRST_VALUE_TOKEN = 'drcore-first-value-0000000000000000000001';

export interface SecretsManagerSecretStoreOptions {
  /** The secret ARN (or name) behind each secret name. */
  readonly secretIds: Readonly<Record<string, string>>;
  /** Default: the container's shared client (endpoint from DRCORE_AWS_ENDPOINT, if set). */
  readonly client?: SecretsManagerSender;
}

/** A bundle secret's JSON, as stored (README, "The first admin bundle"). */
export interface StoredSecretJson {
  readonly initialized: true;
  readonly role?: string;
  readonly serial?: string;
  readonly subject?: string;
  readonly notAfter?: string;
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  readonly caCertificatePem?: string;
  readonly pkcs12Base64?: string;
  readonly pkcs12Password?: string;
}

function description(certificatePem: string): Pick<StoredSecretJson, 'role' | 'serial' | 'subject' | 'notAfter'> {
  try {
    const id = identityFromCertificate(certificatePem);
    return { role: id.role, serial: id.serial, subject: id.subject, notAfter: id.notAfter };
  } catch {
    return {}; // not a drcore client certificate (the CA's own): nothing to describe
  }
}

export function secretToJson(secret: Secret): StoredSecretJson {
  return {
    initialized: true,
    ...description(secret.certificatePem),
    certificatePem: secret.certificatePem,
    privateKeyPem: secret.privateKeyPem,
    ...(secret.issuerCertificatePem !== undefined ? { caCertificatePem: secret.issuerCertificatePem } : {}),
    ...(secret.pkcs12 !== undefined ? { pkcs12Base64: Buffer.from(secret.pkcs12.der).toString('base64'), pkcs12Password: secret.pkcs12.password } : {}),
  };
}

/** The parts of a stored value; undefined for the placeholder. Throws PortError for anything else. */
export function secretFromJson(secretString: string | undefined, what: string): StoredSecret | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString ?? '');
  } catch {
    parsed = undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new PortError(`${what} does not hold JSON: refusing to read it as a secret or to overwrite it`);
  }
  const o = parsed as Record<string, unknown>;
  if (o['initialized'] === false) return undefined;
  if (o['initialized'] !== true) throw new PortError(`${what} holds something else than the placeholder or a drcore secret: refusing to overwrite it`);
  const str = (key: string): string | undefined => (typeof o[key] === 'string' ? o[key] : undefined);
  const [cert, key, issuer, p12, password] = [str('certificatePem'), str('privateKeyPem'), str('caCertificatePem'), str('pkcs12Base64'), str('pkcs12Password')];
  return {
    ...(key !== undefined ? { privateKeyPem: key } : {}),
    ...(cert !== undefined ? { certificatePem: cert } : {}),
    ...(issuer !== undefined ? { issuerCertificatePem: issuer } : {}),
    ...(p12 !== undefined && password !== undefined ? { pkcs12: { der: new Uint8Array(Buffer.from(p12, 'base64')), password } } : {}),
  };
}

export class SecretsManagerSecretStore implements SecretStore {
  readonly #client: SecretsManagerSender;
  readonly #ids: Readonly<Record<string, string>>;

  constructor(options: SecretsManagerSecretStoreOptions) {
    this.#ids = options.secretIds;
    this.#client = options.client ?? defaultSecretsManagerClient();
  }

  async get(name: string): Promise<StoredSecret | undefined> {
    const id = this.#id(name);
    let secretString: string | undefined;
    try {
      secretString = (await this.#client.send(new GetSecretValueCommand({ SecretId: id }))).SecretString;
    } catch (err) {
      throw translateAwsError(err, `Secrets Manager read of secret ${name} (${id})`);
    }
    if (secretString === undefined) throw new PortError(`secret ${name} (${id}) has no SecretString: refusing to read or overwrite it`);
    return secretFromJson(secretString, `secret ${name} (${id})`);
  }

  async putIfAbsent(name: string, secret: Secret): Promise<PutIfAbsentResult> {
    const id = this.#id(name);
    const present = await this.get(name);
    if (present !== undefined) return { created: false, existing: present };
    try {
      await this.#client.send(new PutSecretValueCommand({ SecretId: id, SecretString: JSON.stringify(secretToJson(secret)), ClientRequestToken: FIRST_VALUE_TOKEN }));
      return { created: true };
    } catch (err) {
      if (awsErrorName(err) !== 'ResourceExistsException') throw translateAwsError(err, `Secrets Manager first write of secret ${name} (${id})`);
      const winner = await this.get(name);
      if (winner === undefined) {
        throw new PortError(`secret ${name} (${id}) had a first value that was later reset to the placeholder: restore it by hand`, { cause: err });
      }
      return { created: false, existing: winner };
    }
  }

  async put(name: string, secret: Secret): Promise<void> {
    const id = this.#id(name);
    await this.get(name); // refuses a value that is not a drcore secret or the placeholder
    try {
      await this.#client.send(new PutSecretValueCommand({ SecretId: id, SecretString: JSON.stringify(secretToJson(secret)) }));
    } catch (err) {
      throw translateAwsError(err, `Secrets Manager write of secret ${name} (${id})`);
    }
  }

  #id(name: string): string {
    assertSecretName(name);
    const id = Object.hasOwn(this.#ids, name) ? this.#ids[name] : undefined;
    if (id === undefined) throw new PortError(`no Secrets Manager secret is configured for secret ${name}`);
    return id;
  }
}
