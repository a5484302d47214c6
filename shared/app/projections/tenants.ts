import type { StoredEvent } from '../../events/envelope.js';
import type { TenantEvent } from '../../domain/tenant.js';
import { KEEP_ALL, type RetentionSettings } from '../../domain/retention-policy.js';
import type { ReadModels } from '../../ports/read-models.js';

/** Read model: tenants with quota, retention and status (usage is added by the replication projections). */
export interface TenantSummary {
  tenantId: string; name: string; email: string; customerId?: string; coreId: string; pairingRequestId: string;
  quotaBytes: number; status: 'active' | 'suspended'; createdAt: string; updatedAt: string; version: number;
  retention?: RetentionSettings;
  /** Incoming replication paused by the operator, the lease's end, the RPO target (issue 13). */
  replicationPausedReason?: string; leaseEndsAt?: string; rpoTargetSeconds?: number; bandwidthLimitBytesPerSecond?: number;
  /** `storedBytes` of the RPs kept, `binBytes` of those in the recycle bin (issue 11 item 4). */
  usage?: { storedBytes: number; byMachine: Record<string, number>; binBytes?: number; binCount?: number; logicalBytes?: number };
  /** Deleted by the operator, not resumed since: its RPs go through the recycle bin (docs/lifecycle.md). */
  deleted?: { reason: string; deletedAt: string };
}
export const TENANTS = 'tenants';

export async function projectTenant(rm: ReadModels, stored: StoredEvent): Promise<void> {
  const e = stored as unknown as TenantEvent & StoredEvent;
  const id = e.data.tenantId;
  const doc = await rm.get<TenantSummary>(TENANTS, id);
  if (doc && doc.version >= stored.version) return;
  const base = { updatedAt: stored.at, version: stored.version };
  let next: TenantSummary | undefined;
  switch (e.type) {
    case 'TenantCreated': {
      const d = e.data;
      next = {
        tenantId: id, name: d.name, email: d.email, coreId: d.coreId, pairingRequestId: d.pairingRequestId, quotaBytes: d.quotaBytes,
        ...(d.customerId ? { customerId: d.customerId } : {}), status: 'active', createdAt: stored.at, retention: d.retention ?? KEEP_ALL,
        ...(d.leaseEndsAt !== undefined ? { leaseEndsAt: d.leaseEndsAt } : {}), ...(d.rpoTargetSeconds !== undefined ? { rpoTargetSeconds: d.rpoTargetSeconds } : {}), ...base,
      };
      break;
    }
    case 'TenantQuotaChanged': if (doc) next = { ...doc, quotaBytes: e.data.quotaBytes, ...base }; break;
    case 'TenantSuspended': if (doc) next = { ...doc, status: 'suspended', ...base }; break;
    case 'TenantResumed': if (doc) { const { deleted: _d, ...rest } = doc; next = { ...rest, status: 'active', ...base }; } break;
    case 'TenantDeleted': if (doc) next = { ...doc, status: 'suspended', deleted: { reason: e.data.reason, deletedAt: e.data.deletedAt }, ...base }; break;
    case 'TenantRetentionChanged': if (doc) next = { ...doc, retention: e.data.retention, ...base }; break;
    case 'TenantReplicationPaused': if (doc) next = { ...doc, replicationPausedReason: e.data.reason, ...base }; break;
    case 'TenantReplicationResumed': if (doc) { const { replicationPausedReason: _r, ...rest } = doc; next = { ...rest, ...base }; } break;
    case 'TenantLeaseChanged': if (doc) { const { leaseEndsAt: _l, ...rest } = doc; next = { ...rest, ...(e.data.leaseEndsAt !== null ? { leaseEndsAt: e.data.leaseEndsAt } : {}), ...base }; } break;
    case 'TenantRpoTargetChanged': if (doc) { const { rpoTargetSeconds: _t, ...rest } = doc; next = { ...rest, ...(e.data.rpoTargetSeconds !== null ? { rpoTargetSeconds: e.data.rpoTargetSeconds } : {}), ...base }; } break;
    case 'TenantBandwidthLimitChanged': if (doc) { const { bandwidthLimitBytesPerSecond: _b, ...rest } = doc; next = { ...rest, ...(e.data.bytesPerSecond !== null ? { bandwidthLimitBytesPerSecond: e.data.bytesPerSecond } : {}), ...base }; } break;
    default: { const never: never = e; throw new Error(`unknown tenant event ${JSON.stringify(never)}`); }
  }
  if (next) await rm.put(TENANTS, id, next);
}
