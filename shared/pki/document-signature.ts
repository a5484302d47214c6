/**
 * Detached signatures of documents by the CA key (verification reports, event-log checkpoints),
 * in two forms a verifier can check without drcore:
 *  - CMS SignedData (PKCS#7), detached, SHA-256, signed attributes (content type, message digest,
 *    signing time), the CA certificate as signer and the only certificate:
 *      openssl cms -verify -binary -purpose any -CAfile ca.pem -content FILE -inform PEM -in FILE.p7s -out /dev/null
 *    (`-purpose any`: the CA certificate's key usage is keyCertSign/cRLSign, not S/MIME signing);
 *  - the bare RSASSA-PKCS1-v1_5 SHA-256 signature over the bytes (base64), for openssl dgst and
 *    Node's crypto.verify with the CA certificate's public key:
 *      openssl x509 -in ca.pem -pubkey -noout > ca-pub.pem
 *      openssl dgst -sha256 -verify ca-pub.pem -signature FILE.sig FILE
 */
import { createPrivateKey, sign } from 'node:crypto';
import forge from 'node-forge';
import type { Ca } from './ca.js';

export interface DocumentSignature {
  /** CMS SignedData, detached (PEM, `-----BEGIN PKCS7-----`). */
  readonly cmsPem: string;
  /** RSASSA-PKCS1-v1_5 with SHA-256 over the content, base64. */
  readonly rsaSha256: string;
}

export function signDocument(ca: Ca, content: Uint8Array, now: Date): DocumentSignature {
  const p7 = forge.pkcs7.createSignedData();
  p7.content = forge.util.createBuffer(Buffer.from(content).toString('binary'));
  p7.addCertificate(ca.certificate);
  p7.addSigner({
    key: ca.privateKey as unknown as forge.pki.rsa.PrivateKey,
    certificate: ca.certificate,
    digestAlgorithm: forge.pki.oids.sha256 as string,
    authenticatedAttributes: [
      { type: forge.pki.oids.contentType as string, value: forge.pki.oids.data as string },
      { type: forge.pki.oids.messageDigest as string },
      // forge encodes a Date here (its typings say string).
      { type: forge.pki.oids.signingTime as string, value: now as unknown as string },
    ],
  });
  p7.sign({ detached: true });
  const raw = sign('sha256', content, createPrivateKey(ca.privateKeyPem));
  return { cmsPem: forge.pkcs7.messageToPem(p7), rsaSha256: raw.toString('base64') };
}
