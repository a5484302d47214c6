/**
 * A MOCK Secrets Manager client: no Secrets Manager emulator is part of this project (none of
 * dynalite, s3rver or local-aws-sqs speaks it) and there is no AWS account here. It answers
 * the two commands the adapters send, from memory, as the Secrets Manager API reference
 * documents them:
 *  - GetSecretValue: the AWSCURRENT version's SecretString; ResourceNotFoundException for an
 *    unknown secret.
 *  - PutSecretValue: a new version, made current, whose id is the ClientRequestToken (the SDK
 *    fills in a random one when none is given). A token that already names a version with the
 *    same SecretString is accepted and changes nothing; with another SecretString it fails with
 *    ResourceExistsException ("you cannot modify an existing version").
 * Every call yields to the event loop first, so concurrent callers interleave as over a network.
 * `fail(err)` makes the next call throw `err` (throttling, access denied…); `calls` lists them.
 */
import { randomUUID } from 'node:crypto';
import { GetSecretValueCommand, PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

interface StoredSecret { versions: Map<string, string>; current: string }

export const PLACEHOLDER = JSON.stringify({ initialized: false, placeholder: 'x7Gk2' });

export function awsError(name: string, status: number, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

export class MockSecretsManager {
  readonly calls: string[] = [];
  readonly #secrets = new Map<string, StoredSecret>();
  #failures: Error[] = [];

  /** A secret as the stack creates it (by default with the placeholder value). */
  create(id: string, value = PLACEHOLDER): void {
    const token = randomUUID();
    this.#secrets.set(id, { versions: new Map([[token, value]]), current: token });
  }

  value(id: string): string | undefined {
    const s = this.#secrets.get(id);
    return s?.versions.get(s.current);
  }

  fail(err: Error): void {
    this.#failures.push(err);
  }

  readonly client = {
    send: async (command: unknown): Promise<unknown> => {
      await new Promise((r) => setImmediate(r));
      const failure = this.#failures.shift();
      if (command instanceof GetSecretValueCommand) {
        this.calls.push(`get ${command.input.SecretId}`);
        if (failure) throw failure;
        const s = this.#secrets.get(command.input.SecretId ?? '');
        if (s === undefined) throw awsError('ResourceNotFoundException', 400, "Secrets Manager can't find the specified secret.");
        const version = command.input.VersionId ?? s.current;
        const value = s.versions.get(version);
        if (value === undefined) throw awsError('ResourceNotFoundException', 400, "Secrets Manager can't find the specified secret value for VersionId");
        return { ARN: command.input.SecretId, VersionId: version, SecretString: value };
      }
      if (command instanceof PutSecretValueCommand) {
        this.calls.push(`put ${command.input.SecretId}`);
        if (failure) throw failure;
        const s = this.#secrets.get(command.input.SecretId ?? '');
        if (s === undefined) throw awsError('ResourceNotFoundException', 400, "Secrets Manager can't find the specified secret.");
        const token = command.input.ClientRequestToken ?? randomUUID();
        const value = command.input.SecretString ?? '';
        const existing = s.versions.get(token);
        if (existing !== undefined && existing !== value) {
          throw awsError('ResourceExistsException', 400, 'You can\'t modify an existing version, you can only create a new version.');
        }
        if (existing === undefined) {
          s.versions.set(token, value);
          s.current = token;
        }
        return { ARN: command.input.SecretId, VersionId: token };
      }
      throw new Error(`the mock does not answer ${String(command)}`);
    },
  } as unknown as Pick<SecretsManagerClient, 'send'>;
}
