/**
 * Certificate signing requests (DESIGN §6, pairing). A source core sends a PKCS#10 CSR with its
 * pairing request; on approval the CA signs it. Only the CSR's public key is used: the
 * certificate's subject is built here (CN = commonName, OU = role, O = tenant:…), never copied.
 */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import type { IssuedCertificate } from '../ports/certificate-authority.js';
import type { Ca } from './ca.js';
import { issueClientCertificate, type ClientCertOptions } from './client-cert.js';
import { formatDistinguishedName, nameParts, attributeText } from './ca.js';
import { bitStringBytes, childrenOf, DER, DerError, expectTag, oidText, readDer, type DerNode } from './der.js';
import { type KeyPair, type RsaPublicKey } from './keys.js';

/**
 * Why a CSR is refused: it is not a PKCS#10 request (`malformed`), its key or its signature
 * algorithm is not one we accept, or its self-signature does not verify.
 */
export type CsrRefusal = 'malformed' | 'key' | 'signature-algorithm' | 'signature';

/** The CSR does not parse, is not a CSR, is not acceptable, or its self-signature does not verify. */
export class InvalidCsrError extends Error {
  override readonly name = 'InvalidCsrError';
  constructor(readonly reason: CsrRefusal, readonly detail: string, options?: { cause?: unknown }) {
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

/** A 4096-bit RSA CSR is about 1.7 KB of PEM; the request schema uses the same bound. */
export const MAX_CSR_PEM_LENGTH = 16 * 1024;

/**
 * The keys we accept: RSA, 2048 to 4096 bits, e = 65537. Read from the SubjectPublicKeyInfo by
 * node:crypto before any signature check, so no key can make verification expensive (a huge
 * exponent or modulus once cost seconds of pure-JS CPU, issue 8).
 * Not EC (P-256/P-384 would be fine cryptographically): the CA builds certificates with
 * node-forge, which can neither put an EC public key into a certificate nor read one back
 * (identity.ts parses every client certificate with it), so an EC request could never be issued.
 */
export const RSA_MIN_BITS = 2048;
export const RSA_MAX_BITS = 4096;
export const RSA_PUBLIC_EXPONENT = 65537n;

/** PKCS#1 v1.5 with SHA-2, by OID (RSASSA-PSS and SHA-1 are refused). */
const ACCEPTED_SIGNATURES: Readonly<Record<string, { readonly name: string; readonly hash: string }>> = {
  '1.2.840.113549.1.1.11': { name: 'sha256WithRSAEncryption', hash: 'sha256' },
  '1.2.840.113549.1.1.12': { name: 'sha384WithRSAEncryption', hash: 'sha384' },
  '1.2.840.113549.1.1.13': { name: 'sha512WithRSAEncryption', hash: 'sha512' },
};

const malformed = (detail: string, cause?: unknown) => new InvalidCsrError('malformed', detail, cause === undefined ? undefined : { cause });

function pemBody(pem: unknown): Buffer {
  if (typeof pem !== 'string' || pem.length === 0) throw malformed('expected a PEM string');
  if (pem.length > MAX_CSR_PEM_LENGTH) throw malformed(`longer than ${MAX_CSR_PEM_LENGTH} characters`);
  let messages: forge.pem.ObjectPEM[];
  try {
    messages = forge.pem.decode(pem);
  } catch (cause) {
    throw malformed('not PEM (expected a -----BEGIN CERTIFICATE REQUEST----- block)', cause);
  }
  const [message] = messages;
  if (messages.length !== 1 || message === undefined) {
    throw malformed(messages.length === 0 ? 'no PEM block found' : 'expected exactly one PEM block');
  }
  if (message.type !== 'CERTIFICATE REQUEST' && message.type !== 'NEW CERTIFICATE REQUEST') {
    throw malformed(`PEM block is a "${message.type}", not a "CERTIFICATE REQUEST"`);
  }
  if (message.procType?.type === 'ENCRYPTED') throw malformed('PEM block is encrypted');
  return Buffer.from(message.body, 'binary');
}

/** The parts of a CertificationRequest (RFC 2986), each as its exact DER bytes. */
interface CsrParts {
  readonly info: Buffer;
  readonly subject: DerNode;
  readonly spki: Buffer;
  readonly signatureOid: string;
  readonly signatureParameters: DerNode | undefined;
  readonly signature: Buffer;
}

function csrParts(der: Buffer): CsrParts {
  try {
    const [info, algorithm, signature, ...extra] = childrenOf(expectTag(readDer(der), DER.SEQUENCE, 'CertificationRequest'));
    if (extra.length > 0) throw new DerError('CertificationRequest has more than three parts');
    const [version, subject, spki, attributes, ...more] = childrenOf(expectTag(info, DER.SEQUENCE, 'CertificationRequestInfo'));
    if (more.length > 0) throw new DerError('CertificationRequestInfo has more than four parts');
    if (attributes !== undefined) expectTag(attributes, DER.CONTEXT_0, 'attributes');
    if (!expectTag(version, DER.INTEGER, 'version').content.equals(Buffer.from([0]))) throw new DerError('version is not 1 (0)');
    const [oid, parameters, ...rest] = childrenOf(expectTag(algorithm, DER.SEQUENCE, 'signatureAlgorithm'));
    if (rest.length > 0) throw new DerError('signatureAlgorithm has more than two parts');
    return {
      info: expectTag(info, DER.SEQUENCE, 'CertificationRequestInfo').der,
      subject: expectTag(subject, DER.SEQUENCE, 'subject'),
      spki: expectTag(spki, DER.SEQUENCE, 'subjectPKInfo').der,
      signatureOid: oidText(expectTag(oid, DER.OID, 'signature algorithm').content),
      signatureParameters: parameters,
      signature: bitStringBytes(expectTag(signature, DER.BIT_STRING, 'signature')),
    };
  } catch (cause) {
    if (cause instanceof DerError) throw malformed(`not a PKCS#10 certification request (${cause.message})`, cause);
    throw cause;
  }
}

function describeExponent(e: bigint | undefined): string {
  if (e === undefined) return 'unknown';
  return e < 2n ** 32n ? String(e) : `of ${e.toString(2).length} bits`;
}

/** The CSR's public key, if it is one we accept (see RSA_MIN_BITS); cheap: no big-integer arithmetic. */
function acceptedKey(spki: Buffer): { key: KeyObject; bits: number } {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  } catch (cause) {
    throw new InvalidCsrError('key', 'the public key does not parse', { cause });
  }
  const details = key.asymmetricKeyDetails ?? {};
  const accepted = `only RSA keys are accepted (${RSA_MIN_BITS} to ${RSA_MAX_BITS} bits, e = ${RSA_PUBLIC_EXPONENT})`;
  if (key.asymmetricKeyType === 'ec') {
    throw new InvalidCsrError('key', `EC key (${details.namedCurve ?? 'explicit curve'}): ${accepted}; this CA issues RSA certificates only`);
  }
  if (key.asymmetricKeyType !== 'rsa') throw new InvalidCsrError('key', `${key.asymmetricKeyType ?? 'unknown'} key: ${accepted}`);
  const bits = details.modulusLength ?? 0;
  if (details.publicExponent !== RSA_PUBLIC_EXPONENT) {
    throw new InvalidCsrError('key', `RSA public exponent ${describeExponent(details.publicExponent)} is not accepted (only ${RSA_PUBLIC_EXPONENT})`);
  }
  if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS) throw new InvalidCsrError('key', `RSA key of ${bits} bits (accepted: ${RSA_MIN_BITS} to ${RSA_MAX_BITS})`);
  return { key, bits };
}

function acceptedSignature(parts: CsrParts): { name: string; hash: string } {
  const algorithm = ACCEPTED_SIGNATURES[parts.signatureOid];
  const name = forge.pki.oids[parts.signatureOid] ?? parts.signatureOid;
  if (algorithm === undefined) {
    throw new InvalidCsrError('signature-algorithm', `signature algorithm ${name} is not accepted (use sha256WithRSAEncryption, PKCS#1 v1.5; or SHA-384/512)`);
  }
  const p = parts.signatureParameters;
  if (p !== undefined && !(p.tag === DER.NULL && p.content.length === 0)) {
    throw new InvalidCsrError('signature-algorithm', `signature algorithm ${name} with parameters other than NULL`);
  }
  return algorithm;
}

/** The requested subject, informational only (forge decodes the Name). */
function requestedSubject(subject: DerNode): forge.pki.CertificateField[] {
  const rdnAttributes = (forge.pki as unknown as { RDNAttributesAsArray(rdn: forge.asn1.Asn1): forge.pki.CertificateField[] }).RDNAttributesAsArray;
  try {
    return rdnAttributes(forge.asn1.fromDer(subject.der.toString('binary'), true));
  } catch (cause) {
    throw malformed('the subject is not a distinguished name', cause);
  }
}

/**
 * Parses a PEM CSR and checks, in this order: its structure, its key (before anything costs
 * CPU), its signature algorithm, its self-signature (node:crypto). Throws InvalidCsrError.
 */
export function parseAndVerifyCsr(pem: string): VerifiedCsr {
  const parts = csrParts(pemBody(pem));
  const { key, bits } = acceptedKey(parts.spki);
  const algorithm = acceptedSignature(parts);
  let verified = false;
  try {
    verified = verify(algorithm.hash, parts.info, key, parts.signature);
  } catch (cause) {
    throw new InvalidCsrError('signature', 'signature does not verify', { cause });
  }
  if (!verified) throw new InvalidCsrError('signature', 'signature does not verify');

  const attrs = requestedSubject(parts.subject);
  const cn = attrs.find((a) => a.shortName === 'CN' || a.type === forge.pki.oids.commonName);
  const spkiDer = key.export({ type: 'spki', format: 'der' });
  return {
    publicKeyPem: key.export({ type: 'spki', format: 'pem' }).toString(),
    publicKeySha256: createHash('sha256').update(spkiDer).digest('hex'),
    keyBits: bits,
    ...(cn ? { subjectCommonName: attributeText(cn) } : {}),
    subject: formatDistinguishedName(nameParts(attrs)),
    signatureAlgorithm: algorithm.name,
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
