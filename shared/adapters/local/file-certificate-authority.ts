/**
 * CertificateAuthority port, local: the CA certificate and key are files in the pki directory
 * (`ca.pem`, `ca-key.pem`, the key 0600, written by local/pki-bootstrap.ts). The key is read
 * once, when the adapter is built, and never leaves it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCa, type Ca } from '../../pki/ca.js';
import { signOrRefuse } from '../sign-or-refuse.js';
import { signDocument } from '../../pki/document-signature.js';
import { unwrapSeedKeyWith } from '../../pki/seed-key.js';
import type { CertificateAuthority, CertRole, DocumentSignature, IssuedCertificate } from '../../ports/certificate-authority.js';

export const CA_CERT_FILE = 'ca.pem';
export const CA_KEY_FILE = 'ca-key.pem';

export class FileCertificateAuthority implements CertificateAuthority {
  readonly #ca: Ca;

  /** Reads `ca.pem` and `ca-key.pem` from `pkiDir`; throws if they are missing or do not match. */
  constructor(pkiDir: string) {
    const certPem = readFileSync(join(pkiDir, CA_CERT_FILE), 'utf8');
    const keyPem = readFileSync(join(pkiDir, CA_KEY_FILE), 'utf8');
    this.#ca = loadCa(certPem, keyPem);
  }

  async caCertificatePem(): Promise<string> {
    return this.#ca.certificatePem;
  }

  /** Throws CertificateRefusedError (cause: the pki error) when this request cannot be signed. */
  async signCsr(
    csrPem: string,
    role: CertRole,
    options: { tenantId?: string; commonName: string; days?: number; now: Date; serial: string },
  ): Promise<IssuedCertificate> {
    return signOrRefuse(this.#ca, csrPem, { ...options, role });
  }
  /** Signs the core's own document with the CA key (reports, log checkpoints). */
  async signDocument(content: Uint8Array, options: { now: Date }): Promise<DocumentSignature> {
    return signDocument(this.#ca, content, options.now);
  }  /** Unwraps a seed's data key with the CA key (RSA-OAEP); SeedKeyRefusedError when it is wrapped to another key. */
  async unwrapSeedKey(wrapped: Uint8Array): Promise<Buffer> {
    return unwrapSeedKeyWith(this.#ca.privateKeyPem, wrapped);
  }


}
