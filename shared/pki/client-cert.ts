/**
 * Client certificates (DESIGN §6). The role and the tenant are IN the certificate, twice:
 *  - in the subject: OU = role, O = `tenant:<tenantId>` when there is a tenant, CN = a name;
 *  - in a non-critical extension under DRCORE_IDENTITY_OID whose value is a UTF8String holding
 *    the JSON `{"role":…,"tenantId":…}` (tenantId omitted when there is none).
 * identity.ts reads the extension first and checks that the subject agrees.
 */
import forge from 'node-forge';
import './forge-oid.js';
import { CERT_ROLES } from '../domain/certificate.js';
import { isValidId } from '../ids.js';
import type { CertRole, IssuedCertificate } from '../ports/certificate-authority.js';
import { issueCertificate, type Ca } from './ca.js';
import type { RsaPublicKey } from './keys.js';

/**
 * drcore's own OID arc, under 2.25 (ITU-T X.667 | ISO/IEC 9834-8: an arc anyone may use without
 * registration, derived from a UUID). The UUID was generated once for drcore, with
 * `crypto.randomUUID()`: dc43f1a7-9946-4556-b22a-5014b4fcbfab; the arc is that UUID read as one
 * unsigned 128-bit integer, in decimal (`BigInt('0x' + uuid without '-')`). Never change it.
 * Sub-arcs: .1 certificate extensions (.1.1 the identity extension).
 * node-forge needs forge-oid.ts for an arc this long; OpenSSL (Node's TLS and X509Certificate)
 * handles it as it is.
 */
export const DRCORE_OID_ARC = '2.25.292782944301457104177249935564434358187';
/** The identity extension: a UTF8String holding the JSON role / tenant claims. */
export const DRCORE_IDENTITY_OID = `${DRCORE_OID_ARC}.1.1`;
/**
 * The identity extension's OID until 0.1.0: under 32473, the example PEN of RFC 5612. Never
 * issued any more; read (identity.ts) so that certificates already paired keep working until they
 * expire (CLIENT_CERT_DAYS after issue), after which this can go.
 */
export const LEGACY_IDENTITY_OID = '1.3.6.1.4.1.32473.1764.1.1';

export { CERT_ROLES };
export const CLIENT_CERT_DAYS = 365;
export const TENANT_ORGANIZATION_PREFIX = 'tenant:';

export interface IdentityClaims {
  readonly role: CertRole;
  readonly tenantId?: string;
}

export function isCertRole(value: unknown): value is CertRole {
  return typeof value === 'string' && (CERT_ROLES as readonly string[]).includes(value);
}

/**
 * Validates a role / tenant pair: `source-core` needs a tenant, `admin` must not have one,
 * `enrollment` may (a per-customer invitation) or may not (the MSP-wide bundle).
 */
export function assertIdentityClaims(role: unknown, tenantId: unknown): IdentityClaims {
  if (!isCertRole(role)) throw new Error(`invalid certificate role: ${JSON.stringify(role)}`);
  if (tenantId !== undefined && !isValidId(tenantId)) throw new Error('invalid tenantId in certificate');
  if (role === 'source-core' && tenantId === undefined) throw new Error('a source-core certificate needs a tenantId');
  if (role === 'admin' && tenantId !== undefined) throw new Error('an admin certificate has no tenantId');
  return tenantId === undefined ? { role } : { role, tenantId };
}

/** The extension object for node-forge's setExtensions. */
export function identityExtension(claims: IdentityClaims): { id: string; critical: false; value: forge.asn1.Asn1 } {
  const json = JSON.stringify(claims.tenantId === undefined ? { role: claims.role } : { role: claims.role, tenantId: claims.tenantId });
  return {
    id: DRCORE_IDENTITY_OID,
    critical: false,
    value: forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.UTF8, false, forge.util.encodeUtf8(json)),
  };
}

/** Decodes the extension's value (the DER inside extnValue); throws unless it is valid. */
export function decodeIdentityExtension(der: string): IdentityClaims {
  const node = forge.asn1.fromDer(der);
  if (node.tagClass !== forge.asn1.Class.UNIVERSAL || node.type !== forge.asn1.Type.UTF8 || typeof node.value !== 'string') {
    throw new Error('identity extension is not a UTF8String');
  }
  const parsed: unknown = JSON.parse(forge.util.decodeUtf8(node.value));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('identity extension is not a JSON object');
  const record = parsed as Record<string, unknown>;
  const extra = Object.keys(record).filter((k) => k !== 'role' && k !== 'tenantId');
  if (extra.length > 0) throw new Error(`identity extension has unknown fields: ${extra.join(', ')}`);
  return assertIdentityClaims(record.role, record.tenantId ?? undefined);
}

export interface ClientCertOptions {
  readonly publicKey: RsaPublicKey;
  readonly role: CertRole;
  readonly tenantId?: string;
  readonly commonName: string;
  readonly serial: string;
  readonly now: Date;
  /** Default 365. */
  readonly days?: number;
}

/** A client certificate for `role` (+ tenant): digitalSignature, clientAuth, identity extension. */
export function issueClientCertificate(ca: Ca, options: ClientCertOptions): IssuedCertificate {
  const claims = assertIdentityClaims(options.role, options.tenantId);
  return issueCertificate(ca, {
    publicKey: options.publicKey,
    serial: options.serial,
    subject: {
      commonName: options.commonName,
      organizationalUnit: claims.role,
      ...(claims.tenantId === undefined ? {} : { organization: `${TENANT_ORGANIZATION_PREFIX}${claims.tenantId}` }),
    },
    now: options.now,
    days: options.days ?? CLIENT_CERT_DAYS,
    extensions: [
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', clientAuth: true },
      identityExtension(claims),
    ],
  });
}
