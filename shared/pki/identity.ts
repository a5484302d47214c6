/**
 * Who a client certificate speaks for (DESIGN §6): role and tenant, read from the drcore identity
 * extension (falling back to OU / O for a certificate without it) and validated; plus what the
 * registry and the authorizer need (serial, names, validity, fingerprint).
 * This says nothing about trust: check `verifyIssuedBy` and the certificate registry as well.
 */
import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import './forge-oid.js';
import type { CertRole } from '../ports/certificate-authority.js';
import { attributeText, formatDistinguishedName, nameParts, normalizeSerial } from './ca.js';
import { assertIdentityClaims, decodeIdentityExtension, DRCORE_IDENTITY_OID, LEGACY_IDENTITY_OID, TENANT_ORGANIZATION_PREFIX, type IdentityClaims } from './client-cert.js';
import { derToPem } from './keys.js';

export interface CertificateIdentity {
  readonly role: CertRole;
  readonly tenantId?: string;
  /** Canonical serial: lowercase hex, no leading zero bytes. */
  readonly serial: string;
  /** "CN=…, OU=…, O=…" */
  readonly subject: string;
  readonly issuer: string;
  /** ISO 8601. */
  readonly notBefore: string;
  readonly notAfter: string;
  /** SHA-256 of the DER certificate, colon-separated uppercase hex (as Node shows it). */
  readonly fingerprint256: string;
}

export class CertificateIdentityError extends Error {
  override readonly name = 'CertificateIdentityError';
}

function toPem(certificate: string | Uint8Array): string {
  return typeof certificate === 'string' ? certificate : derToPem(certificate);
}

function claimsFromSubject(attrs: forge.pki.CertificateField[]): IdentityClaims {
  const values = (shortName: string): string[] => attrs.filter((a) => a.shortName === shortName).map(attributeText);
  const ous = values('OU');
  const tenants = values('O').filter((o) => o.startsWith(TENANT_ORGANIZATION_PREFIX)).map((o) => o.slice(TENANT_ORGANIZATION_PREFIX.length));
  if (ous.length !== 1) throw new Error('expected exactly one OU (the role) in the subject');
  if (tenants.length > 1) throw new Error('more than one tenant in the subject');
  return assertIdentityClaims(ous[0], tenants[0]);
}

/** The claims of the identity extension under `oid`, if the certificate carries it. */
function extensionClaims(cert: forge.pki.Certificate, oid: string): IdentityClaims | undefined {
  const extensions = (cert.extensions as { id?: string; value?: unknown }[]).filter((e) => e.id === oid);
  if (extensions.length > 1) throw new Error('identity extension appears more than once');
  const ext = extensions[0];
  if (ext === undefined) return undefined;
  if (typeof ext.value !== 'string') throw new Error('identity extension has no value');
  return decodeIdentityExtension(ext.value);
}

/**
 * The claims: from the identity extension (DRCORE_IDENTITY_OID; LEGACY_IDENTITY_OID for a
 * certificate issued before the move), else from the subject. Every claim the certificate
 * carries must agree: a certificate with both extensions is read by the new one, and refused
 * if the legacy one says something else.
 */
function readClaims(cert: forge.pki.Certificate): IdentityClaims {
  const fromSubject = claimsFromSubject(cert.subject.attributes);
  const current = extensionClaims(cert, DRCORE_IDENTITY_OID);
  const legacy = extensionClaims(cert, LEGACY_IDENTITY_OID);
  for (const claims of [current, legacy]) {
    if (claims && (claims.role !== fromSubject.role || claims.tenantId !== fromSubject.tenantId)) {
      throw new Error('identity extension and subject disagree');
    }
  }
  return current ?? legacy ?? fromSubject;
}

/**
 * Role, tenant and facts of a drcore client certificate (PEM, or DER bytes such as a TLS peer
 * certificate's `raw`). Throws CertificateIdentityError for anything else.
 */
export function identityFromCertificate(pem: string | Uint8Array): CertificateIdentity {
  try {
    const text = toPem(pem);
    const x509 = new X509Certificate(text);
    const cert = forge.pki.certificateFromPem(text);
    const claims = readClaims(cert);
    return {
      role: claims.role,
      ...(claims.tenantId === undefined ? {} : { tenantId: claims.tenantId }),
      serial: normalizeSerial(x509.serialNumber),
      subject: formatDistinguishedName(nameParts(cert.subject.attributes)),
      issuer: formatDistinguishedName(nameParts(cert.issuer.attributes)),
      notBefore: new Date(x509.validFrom).toISOString(),
      notAfter: new Date(x509.validTo).toISOString(),
      fingerprint256: x509.fingerprint256,
    };
  } catch (cause) {
    if (cause instanceof CertificateIdentityError) throw cause;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new CertificateIdentityError(`not a valid drcore client certificate: ${reason}`, { cause });
  }
}

/**
 * True when `certPem` was signed by the CA in `caPem`, names it as issuer, and both are within
 * their validity window at `now`. False for anything that does not parse.
 */
export function verifyIssuedBy(certPem: string | Uint8Array, caPem: string, now: Date): boolean {
  try {
    const cert = new X509Certificate(toPem(certPem));
    const ca = new X509Certificate(caPem);
    if (!ca.ca) return false;
    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return false;
    const t = now.getTime();
    const within = (c: X509Certificate): boolean => new Date(c.validFrom).getTime() <= t && t <= new Date(c.validTo).getTime();
    return within(cert) && within(ca);
  } catch {
    return false;
  }
}
