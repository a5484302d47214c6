import type { StoredEvent } from '../../events/envelope.js';
import type { CertificateEvent } from '../../domain/certificate.js';
import type { CertRole } from '../../ports/certificate-authority.js';
import type { ReadModels } from '../../ports/read-models.js';

/** Read model: certificates by serial (admin views; the authorizer reads the stream itself). */
export interface CertificateSummary {
  serial: string; role: CertRole; tenantId?: string; subject: string; notAfter: string; status: 'valid' | 'revoked';
  issuedAt: string; revokedAt?: string; version: number;
}
export const CERTIFICATES = 'certificates';

export async function projectCertificate(rm: ReadModels, stored: StoredEvent): Promise<void> {
  const e = stored as unknown as CertificateEvent & StoredEvent;
  const doc = await rm.get<CertificateSummary>(CERTIFICATES, e.data.serial);
  if (doc && doc.version >= stored.version) return;
  switch (e.type) {
    case 'CertificateIssued': {
      const d = e.data;
      await rm.put<CertificateSummary>(CERTIFICATES, d.serial, {
        serial: d.serial, role: d.role, ...(d.tenantId ? { tenantId: d.tenantId } : {}), subject: d.subject, notAfter: d.notAfter,
        status: 'valid', issuedAt: stored.at, version: stored.version,
      });
      return;
    }
    case 'CertificateRevoked':
      if (doc) await rm.put<CertificateSummary>(CERTIFICATES, doc.serial, { ...doc, status: 'revoked', revokedAt: stored.at, version: stored.version });
      return;
    default: { const never: never = e; throw new Error(`unknown certificate event ${JSON.stringify(never)}`); }
  }
}
