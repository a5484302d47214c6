/**
 * The CertificateAuthority contract against both adapters:
 *  - FileCertificateAuthority over a temp pki directory (`ca.pem`, `ca-key.pem` 0600);
 *  - SecretsManagerCertificateAuthority with a MOCK Secrets Manager client: no Secrets Manager
 *    emulator is part of this project (STACK-NOTES lists dynalite, s3rver and local-aws-sqs)
 *    and there is no AWS account. The mock answers GetSecretValue with the CA secret's JSON, as
 *    the CA bootstrap custom resource writes it; everything after the read is the adapter's own
 *    code. Its read errors (throttling, access denied, malformed secrets) are in
 *    test/unit/aws-secrets-ca.unit.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CA_CERT_FILE, CA_KEY_FILE, FileCertificateAuthority } from '../../shared/adapters/local/file-certificate-authority.js';
import { SecretsManagerCertificateAuthority } from '../../shared/adapters/aws/secrets-certificate-authority.js';
import { createCa, newSerial } from '../../shared/pki/ca.js';
import { certificateAuthorityContract } from '../../shared/ports/contracts/certificate-authority.contract.js';

certificateAuthorityContract('FileCertificateAuthority', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'drcore-ca-'));
  const ca = createCa({ now: new Date(), serial: newSerial(), commonName: 'drcore contract CA' });
  await writeFile(join(dir, CA_CERT_FILE), ca.certificatePem);
  await writeFile(join(dir, CA_KEY_FILE), ca.privateKeyPem, { mode: 0o600 });
  return { ca: new FileCertificateAuthority(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
});

certificateAuthorityContract('SecretsManagerCertificateAuthority (MOCK Secrets Manager client: no emulator here, no AWS account)', async () => {
  const ca = createCa({ now: new Date(), serial: newSerial(), commonName: 'drcore contract CA' });
  const secretArn = `arn:aws:secretsmanager:eu-west-1:123456789012:secret:drcore-ca-${randomUUID()}`;
  const secretString = JSON.stringify({ initialized: true, certificatePem: ca.certificatePem, privateKeyPem: ca.privateKeyPem });
  const client = {
    send: (async (command: unknown) => {
      if (!(command instanceof GetSecretValueCommand) || command.input.SecretId !== secretArn) throw new Error('the mock answers GetSecretValue of its secret only');
      return { SecretString: secretString };
    }) as unknown as SecretsManagerClient['send'],
  };
  return { ca: new SecretsManagerCertificateAuthority({ client, secretArn }), cleanup: async () => undefined };
});
