import type { z } from 'zod';
import { CONSOLE_SCHEMAS } from './console.js';
import { LIFECYCLE_SCHEMAS } from './lifecycle.js';
import { REPLICATION_SCHEMAS } from './replication.js';
import { REPLICATION_CONTROL_SCHEMAS } from './replication-control.js';
import { VerificationReportBody, VerifyStepBody } from './verification.js';
import { ApproveBody, EmptyBody, EventsQuery, GcCancelBody, GcStartBody, MigrateStorageBody, QuotaBody, SuspendBody, UsageQuery, PairingListQuery, PairingRequestBody, RejectBody, RevokeAnyBody, RevokeBody } from './pairing.js';

/** Request schemas by route key (`METHOD path`), for the OpenAPI document. */
export const REQUEST_SCHEMAS: Record<string, { body?: z.ZodType; query?: z.ZodType }> = {
  'POST /v1/pairing-requests': { body: PairingRequestBody },
  'GET /v1/admin/pairing-requests': { query: PairingListQuery },
  'POST /v1/admin/pairing-requests/{id}/approve': { body: ApproveBody },
  'POST /v1/admin/pairing-requests/{id}/reject': { body: RejectBody },
  'POST /v1/admin/pairing-requests/{id}/ignore': { body: EmptyBody },
  'GET /v1/admin/events': { query: EventsQuery },
  'POST /v1/admin/tenants/{tenantId}/certificates/{serial}/revoke': { body: RevokeBody },
  'POST /v1/admin/certificates/{serial}/revoke': { body: RevokeAnyBody },
  'POST /v1/admin/storage-migration': { body: MigrateStorageBody },
  'GET /v1/admin/usage': { query: UsageQuery },
  'POST /v1/admin/tenants/{tenantId}/suspend': { body: SuspendBody },
  'POST /v1/admin/tenants/{tenantId}/resume': { body: EmptyBody },
  'POST /v1/admin/tenants/{tenantId}/quota': { body: QuotaBody },
  'POST /v1/admin/verification': { body: VerifyStepBody },
  'POST /v1/admin/tenants/{tenantId}/verification-reports': { body: VerificationReportBody },
  'POST /v1/admin/tenants/{tenantId}/gc': { body: GcStartBody },
  'POST /v1/admin/tenants/{tenantId}/gc/cancel': { body: GcCancelBody },
  ...REPLICATION_SCHEMAS,
  ...LIFECYCLE_SCHEMAS,
  ...CONSOLE_SCHEMAS,
  ...REPLICATION_CONTROL_SCHEMAS,
};

