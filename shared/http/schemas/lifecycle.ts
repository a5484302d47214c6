import { z } from 'zod';
import { displayText, EmptyBody, id, RetentionBody } from './pairing.js';

/** Request schemas of the lifecycle routes (docs/lifecycle.md): retention, the recycle bin, operator deletion. */
export { RetentionBody };

export const RetentionQuery = z.object({
  dryRun: z.enum(['true', 'false']).optional().describe('true: also what the next retention run would do (nothing changes)'),
}).strict();

/** The second step of an operator deletion: the RP's id typed again. */
export const DeleteRecoveryPointBody = z.object({
  confirmRpId: id.describe('The rpId of the path, typed again: anything else is refused (422 Confirmation Mismatch) and nothing is deleted'),
  reason: displayText(500).describe('Why (kept in the event log)'),
}).strict();

export const DeleteTenantBody = z.object({
  confirmTenantId: id.describe('The tenantId of the path, typed again: anything else is refused (422 Confirmation Mismatch) and nothing is deleted'),
  reason: displayText(500).describe('Why (kept in the event log, shown to the source core in its 403)'),
}).strict();

export const LIFECYCLE_SCHEMAS = {
  'POST /v1/admin/tenants/{tenantId}/delete': { body: DeleteTenantBody },
  'GET /v1/admin/tenants/{tenantId}/retention': { query: RetentionQuery },
  'PUT /v1/admin/tenants/{tenantId}/retention': { body: RetentionBody },
  'POST /v1/admin/tenants/{tenantId}/recovery-points/{rpId}/delete': { body: DeleteRecoveryPointBody },
  'POST /v1/recycle-bin/{rpId}/restore': { body: EmptyBody },
} as const;
