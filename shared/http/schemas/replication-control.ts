import { z } from 'zod';
import { leaseEndsAt, rpoTargetSeconds } from './replication-control-fields.js';
import { MIN_BANDWIDTH_LIMIT } from '../../domain/replication-control.js';
import { displayText, EmptyBody } from './pairing.js';

/** Request schemas of the operator's control of incoming replication (issue 13): pause, resume, lease, RPO target, lag. */
export const PauseBody = z.object({ reason: displayText(500).describe("Why: the source core reads it in its 423 Replication Paused") }).strict();
export const LeaseBody = z.object({
  leaseEndsAt: leaseEndsAt.nullable()
    .describe('When the lease ends (writes refused after it, reads kept); null: no end'),
}).strict();
export const RpoTargetBody = z.object({
  rpoTargetSeconds: rpoTargetSeconds.nullable().describe('The RPO target in seconds; null: none'),
}).strict();
export const BandwidthBody = z.object({
  bytesPerSecond: z.number().int().min(MIN_BANDWIDTH_LIMIT).max(Number.MAX_SAFE_INTEGER).nullable().describe('The upload limit of the tenant\'s source cores, told to them in x-drcore-bandwidth-limit; null: none'),
}).strict();
export const LagQuery = z.object({ tenant: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).optional().describe('One tenant only') }).strict();

export const REPLICATION_CONTROL_SCHEMAS = {
  'POST /v1/admin/tenants/{tenantId}/replication/pause': { body: PauseBody },
  'POST /v1/admin/tenants/{tenantId}/replication/resume': { body: EmptyBody },
  'POST /v1/admin/tenants/{tenantId}/machines/{machineId}/replication/pause': { body: PauseBody },
  'POST /v1/admin/tenants/{tenantId}/machines/{machineId}/replication/resume': { body: EmptyBody },
  'PUT /v1/admin/tenants/{tenantId}/lease': { body: LeaseBody },
  'PUT /v1/admin/tenants/{tenantId}/rpo': { body: RpoTargetBody },
  'PUT /v1/admin/tenants/{tenantId}/bandwidth': { body: BandwidthBody },
  'GET /v1/admin/lag': { query: LagQuery },
} as const;
