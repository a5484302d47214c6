/**
 * PKCS#12 bundles (an admin's browser certificate). Encrypted with AES-256, so openssl 3 opens
 * them without `-legacy` and Playwright / NSS / Node's TLS accept them (legacy RC2/3DES does not
 * work in Playwright). The MAC is HMAC-SHA1, which node-forge always uses; openssl 3 accepts it.
 */
import { randomBytes } from 'node:crypto';
import forge from 'node-forge';
import './forge-oid.js';
import { privateKeyFromPem } from './keys.js';

export interface Pkcs12Options {
  readonly privateKeyPem: string;
  readonly certificatePem: string;
  /** The chain to include after the certificate, e.g. the CA. */
  readonly chainPems?: readonly string[];
  readonly password: string;
  /** The name a browser shows for the certificate. */
  readonly friendlyName?: string;
}

/** A DER PKCS#12 bundle of the key, the certificate and its chain, AES-256 encrypted. */
export function createPkcs12(options: Pkcs12Options): Buffer {
  if (options.password.length === 0) throw new Error('a PKCS#12 bundle needs a password');
  const key = privateKeyFromPem(options.privateKeyPem);
  const certs = [options.certificatePem, ...(options.chainPems ?? [])].map((pem) => forge.pki.certificateFromPem(pem));
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, certs, options.password, {
    algorithm: 'aes256',
    generateLocalKeyId: true,
    ...(options.friendlyName === undefined ? {} : { friendlyName: options.friendlyName }),
  });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

/** A random password: 24 URL-safe characters (144 bits). */
export function randomPassword(): string {
  return randomBytes(18).toString('base64url');
}
