/**
 * Certificate signing requests (DESIGN §6, pairing). A source core sends a PKCS#10 CSR with its
 * pairing request; on approval the CA signs it. Only the CSR's public key is used: the
 * certificate's subject is built here (CN = commonName, OU = role, O = tenant:…), never copied.
 */
import { createHash } from 'node:crypto';
import forge from 'node-forge';
import type { IssuedCertificate } from '../ports/certificate-authority.js';
import { CertificateRefusedError } from '../ports/errors.js';
import type { Ca } from './ca.js';
import { issueClientCertificate, type ClientCertOptions } from './client-cert.js';
import { attributeText, formatDistinguishedName, nameParts } from './ca.js';
import { publicKeyToPem, RSA_BITS, type KeyPair, type RsaPublicKey } from './keys.js';

/** The CSR does not parse, is not a CSR, is not acceptable, or its self-signature does not verify. */
export class InvalidCsrError extends Error {
  override readonly name = 'InvalidCsrError';
  constructor(readonly detail: string, options?: { cause?: unknown }) {
    super(`invalid CSR: ${detail}`, options);
  }
}

export interface VerifiedCsr {
  readonly publicKeyPem: string;
  /** SHA-256 of the DER SubjectPublicKeyInfo, lowercase hex. */
  readonly publicKeySha256: string;
  readonly keyBits: number;
  readonly subjectCommonName?: string;
  /** The subject the requester asked for, informational only ("CN=…, O=…"). */
  readonly subject: string;
  readonly signatureAlgorithm: string;
}

export const MAX_CSR_PEM_LENGTH = 64 * 1024;
const MAX_KEY_BITS = 8192;
/** PKCS#1 v1.5 with SHA-2. (RSASSA-PSS CSRs do not verify in node-forge 1.4.3, so they are refused up front.) */
const ACCEPTED_SIGNATURES: Readonly<Record<string, string>> = {
  [forge.pki.oids.sha256WithRSAEncryption ?? '']: 'sha256WithRSAEncryption',
  [forge.pki.oids.sha384WithRSAEncryption ?? '']: 'sha384WithRSAEncryption',
  [forge.pki.oids.sha512WithRSAEncryption ?? '']: 'sha512WithRSAEncryption',
};

function parseCsr(pem: unknown): forge.pki.CertificateSigningRequest {
  if (typeof pem !== 'string' || pem.length === 0) throw new InvalidCsrError('expected a PEM string');
  if (pem.length > MAX_CSR_PEM_LENGTH) throw new InvalidCsrError(`longer than ${MAX_CSR_PEM_LENGTH} characters`);
  let messages: forge.pem.ObjectPEM[];
  try {
    messages = forge.pem.decode(pem);
  } catch (cause) {
    throw new InvalidCsrError('not PEM (expected a -----BEGIN CERTIFICATE REQUEST----- block)', { cause });
  }
  const [message] = messages;
  if (messages.length !== 1 || message === undefined) {
    throw new InvalidCsrError(messages.length === 0 ? 'no PEM block found' : 'expected exactly one PEM block');
  }
  if (message.type !== 'CERTIFICATE REQUEST' && message.type !== 'NEW CERTIFICATE REQUEST') {
    throw new InvalidCsrError(`PEM block is a "${message.type}", not a "CERTIFICATE REQUEST"`);
  }
  if (message.procType?.type === 'ENCRYPTED') throw new InvalidCsrError('PEM block is encrypted');
  try {
    const asn1 = forge.asn1.fromDer(message.body, true);
    return (forge.pki.certificationRequestFromAsn1 as (obj: forge.asn1.Asn1, computeHash?: boolean) => forge.pki.CertificateSigningRequest)(asn1, true);
  } catch (cause) {
    const reason = cause instanceof Error && /not RSA/i.test(cause.message) ? 'only RSA keys are accepted' : 'not a PKCS#10 certification request';
    throw new InvalidCsrError(reason, { cause });
  }
}

/** Parses a PEM CSR and checks its self-signature; throws InvalidCsrError otherwise. */
export function parseAndVerifyCsr(pem: string): VerifiedCsr {
  const csr = parseCsr(pem);
  const signatureOid = (csr as unknown as { signatureOid?: string }).signatureOid ?? '';
  const signatureAlgorithm = ACCEPTED_SIGNATURES[signatureOid];
  if (signatureAlgorithm === undefined || signatureOid === '') {
    throw new InvalidCsrError(`signature algorithm ${forge.pki.oids[signatureOid] ?? signatureOid} is not accepted (use sha256WithRSAEncryption, PKCS#1 v1.5)`);
  }
  const publicKey = csr.publicKey as RsaPublicKey | null;
  if (!publicKey) throw new InvalidCsrError('no public key');
  const keyBits = publicKey.n.bitLength();
  if (keyBits < RSA_BITS || keyBits > MAX_KEY_BITS) throw new InvalidCsrError(`RSA key of ${keyBits} bits (accepted: ${RSA_BITS} to ${MAX_KEY_BITS})`);
  let verified = false;
  try {
    verified = csr.verify();
  } catch (cause) {
    throw new InvalidCsrError('signature does not verify', { cause });
  }
  if (!verified) throw new InvalidCsrError('signature does not verify');

  const attrs = csr.subject.attributes;
  const cn = attrs.find((a) => a.shortName === 'CN' || a.type === forge.pki.oids.commonName);
  const spkiDer = forge.asn1.toDer(forge.pki.publicKeyToAsn1(publicKey)).getBytes();
  return {
    publicKeyPem: publicKeyToPem(publicKey),
    publicKeySha256: createHash('sha256').update(Buffer.from(spkiDer, 'binary')).digest('hex'),
    keyBits,
    ...(cn ? { subjectCommonName: attributeText(cn) } : {}),
    subject: formatDistinguishedName(nameParts(attrs)),
    signatureAlgorithm,
  };
}

/** A PEM CSR (SHA-256) for `commonName`, as our reference source core sends with its pairing request. */
export function createCsr(keyPair: KeyPair, commonName: string): string {
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = keyPair.publicKey;
  csr.setSubject([{ shortName: 'CN', value: commonName, valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class }]);
  csr.sign(keyPair.privateKey, forge.md.sha256.create());
  return forge.pki.certificationRequestToPem(csr);
}

/** A client certificate's options; the public key comes from the CSR. */
export type SignCsrOptions = Omit<ClientCertOptions, 'publicKey'>;

/** Verifies the CSR, then issues a client certificate for its public key (subject built here). */
export function signCsr(ca: Ca, csrPem: string, options: SignCsrOptions): IssuedCertificate {
  const csr = parseAndVerifyCsr(csrPem);
  return issueClientCertificate(ca, { ...options, publicKey: forge.pki.publicKeyFromPem(csr.publicKeyPem) as RsaPublicKey });
}

/**
 * signCsr for the CertificateAuthority adapters: signing is a pure function of the CA, the CSR
 * and the options, so whatever it throws (a CSR that does not verify, a common name the CA does
 * not encode, …) is a refusal of this request, as the port's CertificateRefusedError.
 */
export function signOrRefuse(ca: Ca, csrPem: string, options: SignCsrOptions): IssuedCertificate {
  try {
    return signCsr(ca, csrPem, options);
  } catch (cause) {
    throw new CertificateRefusedError(cause instanceof Error ? cause.message : 'the request cannot be signed', { cause });
  }
}
