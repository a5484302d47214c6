/** A client certificate of a test CA with its key: the PKI tests' one fixture. */
import { newSerial, type Ca } from '../../shared/pki/ca.js';
import { issueClientCertificate } from '../../shared/pki/client-cert.js';
import { generateKeyPair, privateKeyToPem, type KeyPair } from '../../shared/pki/keys.js';

/** The fixed "now" of the PKI tests that do not need the real clock. */
export const PKI_TEST_NOW = new Date('2026-03-01T12:00:00.000Z');

export interface Bundle {
  readonly keyPair: KeyPair;
  readonly keyPem: string;
  readonly certPem: string;
}

export function clientBundle(ca: Ca, role: 'admin' | 'enrollment' | 'source-core', tenantId?: string, at = PKI_TEST_NOW): Bundle {
  const keyPair = generateKeyPair();
  const issued = issueClientCertificate(ca, { publicKey: keyPair.publicKey, role, commonName: `${role} one`, serial: newSerial(), now: at, ...(tenantId ? { tenantId } : {}) });
  return { keyPair, keyPem: privateKeyToPem(keyPair.privateKey), certPem: issued.certificatePem };
}
