/**
 * RSA keys and PEM helpers (DESIGN §6).
 *
 * Key generation goes through node-forge's native path (Node's crypto.generateKeyPair): about
 * 28 ms for 2048 bits. Never pass a `prng` option: forge then falls back to pure JS (~5 s).
 * Private keys are written as PKCS#8 ("BEGIN PRIVATE KEY"), which Node, openssl and browsers read.
 */
import forge from 'node-forge';

export type KeyPair = forge.pki.rsa.KeyPair;
export type RsaPrivateKey = forge.pki.rsa.PrivateKey;
export type RsaPublicKey = forge.pki.rsa.PublicKey;

export const RSA_BITS = 2048;

/** A fresh RSA 2048 key pair, generated natively (synchronous, ~28 ms). */
export function generateKeyPair(): KeyPair {
  return forge.pki.rsa.generateKeyPair({ bits: RSA_BITS, e: 0x10001 });
}

/** A fresh RSA 2048 key pair, generated natively off the event loop. */
export function generateKeyPairAsync(): Promise<KeyPair> {
  return new Promise((resolve, reject) => {
    forge.pki.rsa.generateKeyPair({ bits: RSA_BITS, e: 0x10001 }, (err, keyPair) => {
      if (err) reject(err);
      else resolve(keyPair);
    });
  });
}

/** PKCS#8 PEM of an RSA private key. */
export function privateKeyToPem(key: RsaPrivateKey): string {
  return forge.pki.privateKeyInfoToPem(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(key)));
}

/** Reads an RSA private key from PKCS#8 or PKCS#1 PEM; throws on anything else. */
export function privateKeyFromPem(pem: string): RsaPrivateKey {
  const key = forge.pki.privateKeyFromPem(pem) as RsaPrivateKey | null;
  if (!key || typeof key.n !== 'object') throw new Error('not an RSA private key');
  return key;
}

/** The key pair of a PEM private key (the public half is derived from it). */
export function keyPairFromPrivateKeyPem(pem: string): KeyPair {
  const privateKey = privateKeyFromPem(pem);
  return { privateKey, publicKey: forge.pki.setRsaPublicKey(privateKey.n, privateKey.e) };
}

/** SubjectPublicKeyInfo PEM ("BEGIN PUBLIC KEY"). */
export function publicKeyToPem(key: RsaPublicKey): string {
  return forge.pki.publicKeyToPem(key);
}

export function publicKeyFromPem(pem: string): RsaPublicKey {
  return forge.pki.publicKeyFromPem(pem);
}

/** True when both keys have the same modulus and exponent. */
export function sameRsaPublicKey(a: { n: forge.jsbn.BigInteger; e: forge.jsbn.BigInteger }, b: { n: forge.jsbn.BigInteger; e: forge.jsbn.BigInteger }): boolean {
  return a.n.equals(b.n) && a.e.equals(b.e);
}

/** PEM armour for DER bytes, e.g. the `raw` of a TLS peer certificate. */
export function derToPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const base64 = Buffer.from(der).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\r\n${lines.join('\r\n')}\r\n-----END ${label}-----\r\n`;
}
