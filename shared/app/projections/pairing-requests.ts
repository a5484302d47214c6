import type { StoredEvent } from '../../events/envelope.js';
import type { PairingEvent, PairingStatus } from '../../domain/pairing.js';
import type { ReadModels } from '../../ports/read-models.js';

/** Read model: the MSP's review queue (`GET /v1/admin/pairing-requests?status=`). */
export interface PairingRequestSummary {
  id: string; status: PairingStatus; coreName: string; coreId: string; email: string; customerId?: string; message?: string;
  requestedAt: string; updatedAt: string; acknowledged: boolean; tenantId?: string; reason?: string; certificateSerial?: string;
  /** The last failure to issue the certificate (cleared once one is delivered); a `failed` request's `reason` too. */
  certificateFailure?: { reason: string; retryable: boolean; at: string };
  version: number;
}
export const PAIRING_REQUESTS = 'pairing-requests';

export async function projectPairing(rm: ReadModels, stored: StoredEvent): Promise<void> {
  const e = stored as unknown as PairingEvent & StoredEvent;
  const id = e.data.requestId;
  const doc = await rm.get<PairingRequestSummary>(PAIRING_REQUESTS, id);
  if (doc && doc.version >= stored.version) return; // already applied (redelivery)
  const base = { updatedAt: stored.at, version: stored.version };
  let next: PairingRequestSummary | undefined;
  switch (e.type) {
    case 'PairingRequested':
      next = {
        id, status: 'pending', coreName: e.data.coreName, coreId: e.data.coreId, email: e.data.email,
        ...(e.data.customerId ? { customerId: e.data.customerId } : {}), ...(e.data.message ? { message: e.data.message } : {}),
        requestedAt: stored.at, acknowledged: false, ...base,
      };
      break;
    case 'PairingAcknowledged': if (doc) next = { ...doc, acknowledged: true, ...base }; break;
    case 'PairingApproved':
      if (doc) next = { ...doc, status: 'approved', tenantId: e.data.tenantId, ...(e.data.customerId ? { customerId: e.data.customerId } : {}), ...base };
      break;
    case 'PairingRejected': if (doc) next = { ...doc, status: 'rejected', reason: e.data.reason, ...base }; break;
    case 'PairingIgnored': if (doc) next = { ...doc, status: 'ignored', ...base }; break;
    case 'PairingCertificateDelivered':
      if (doc) { const { certificateFailure: _cleared, ...rest } = doc; next = { ...rest, certificateSerial: e.data.serial, ...base }; }
      break;
    case 'PairingCertificateFailed': {
      if (!doc) break;
      const certificateFailure = { reason: e.data.reason, retryable: e.data.retryable, at: stored.at };
      if (e.data.retryable) { next = { ...doc, certificateFailure, ...base }; break; }
      // Failed for good: no tenant was created, so none is listed.
      const { tenantId: _none, ...rest } = doc;
      next = { ...rest, status: 'failed', reason: e.data.reason, certificateFailure, ...base };
      break;
    }
    default: { const never: never = e; throw new Error(`unknown pairing event ${JSON.stringify(never)}`); }
  }
  if (next) await rm.put(PAIRING_REQUESTS, id, next);
}
