import type { StoredEvent } from '../../events/envelope.js';
import type { PairingEvent, PairingStatus } from '../../domain/pairing.js';
import type { ReadModels } from '../../ports/read-models.js';

/** Read model: the MSP's review queue (`GET /v1/admin/pairing-requests?status=`). */
export interface PairingRequestSummary {
  id: string; status: PairingStatus; coreName: string; coreId: string; email: string; customerId?: string; message?: string;
  requestedAt: string; updatedAt: string; acknowledged: boolean; tenantId?: string; reason?: string; certificateSerial?: string;
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
    case 'PairingCertificateDelivered': if (doc) next = { ...doc, certificateSerial: e.data.serial, ...base }; break;
    default: { const never: never = e; throw new Error(`unknown pairing event ${JSON.stringify(never)}`); }
  }
  if (next) await rm.put(PAIRING_REQUESTS, id, next);
}
