import type { z } from 'zod';
import type { CertRole } from '../domain/certificate.js';
import { MAX_PACK_BYTES } from '../format/pack.js';
import { MAX_JSON_BODY } from './body.js';
import * as R from './schemas/responses/index.js';

/**
 * The HTTP API's route table (DESIGN §7): one source for the local gateway, the CDK
 * RestApi resources and the OpenAPI document. `fn` names the Lambda that serves it
 * (functions/<fn>.ts). `roles` are checked by the handler's auth middleware; the
 * authorizer only establishes who the caller is. `status` and `response` are what a success
 * answers: the handlers' reply() is typed and defaulted by them, and the OpenAPI document says them.
 */
export type FunctionName = 'pairing-api' | 'admin-api' | 'replication-api' | 'whoami-api';
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type SuccessStatus = 200 | 201 | 202 | 204;
/** Refusals a route declares beyond those its shape implies (shared/http/openapi.ts errorStatuses). */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 410 | 413 | 415 | 422 | 423 | 429 | 502;

export interface RouteSpec {
  readonly method: HttpMethod;
  /** API Gateway resource path with {params}. */
  readonly path: string;
  readonly fn: FunctionName;
  readonly roles: readonly CertRole[];
  readonly binary?: boolean;
  readonly summary: string;
  /** The success statuses the handler answers, the usual one first (its reply() default). */
  readonly status: readonly [SuccessStatus, ...SuccessStatus[]];
  /** The JSON body of a success; none for a binary response. */
  readonly response?: z.ZodType;
  readonly errors?: readonly ErrorStatus[];
  /**
   * Request bodies over this many bytes get 413 before (or while) they are read by the local
   * gateway, once the caller is authorized: MAX_JSON_BODY unless the row says otherwise.
   */
  readonly maxBodyBytes?: number;
}

const TABLE = [
  { method: 'GET', path: '/v1/whoami', fn: 'whoami-api', roles: ['admin', 'enrollment', 'source-core'], summary: 'Who the client certificate says the caller is', status: [200], response: R.WhoAmI },
  { method: 'GET', path: '/openapi.json', fn: 'whoami-api', roles: ['admin', 'enrollment', 'source-core'], summary: 'This API as OpenAPI 3.1', status: [200], response: R.OpenApiDocument },
  { method: 'POST', path: '/v1/pairing-requests', fn: 'pairing-api', roles: ['enrollment'], summary: 'Ask to replicate to this target core', status: [202], response: R.PairingView, errors: [422, 429] },
  { method: 'GET', path: '/v1/pairing-requests/{id}', fn: 'pairing-api', roles: ['enrollment', 'admin'], summary: 'Status, feedback and, once approved, the certificate', status: [200], response: R.PairingView },
  { method: 'GET', path: '/v1/admin/pairing-requests', fn: 'admin-api', roles: ['admin'], summary: 'Review queue', status: [200], response: R.PairingRequestList },
  { method: 'POST', path: '/v1/admin/pairing-requests/{id}/approve', fn: 'admin-api', roles: ['admin'], summary: 'Approve: creates the tenant and issues its certificate', status: [200], response: R.PairingView, errors: [422] },
  { method: 'POST', path: '/v1/admin/pairing-requests/{id}/reject', fn: 'admin-api', roles: ['admin'], summary: 'Reject with a reason', status: [200], response: R.PairingView, errors: [422] },
  { method: 'POST', path: '/v1/admin/pairing-requests/{id}/ignore', fn: 'admin-api', roles: ['admin'], summary: 'Ignore', status: [200], response: R.PairingView },
  { method: 'GET', path: '/v1/admin/events', fn: 'admin-api', roles: ['admin'], summary: 'The event log', status: [200], response: R.EventList },
  { method: 'GET', path: '/v1/admin/projection-dead-letters', fn: 'admin-api', roles: ['admin'], summary: 'Events the projector gave up on, with their error', status: [200], response: R.ProjectionDeadLetterList },
  { method: 'GET', path: '/v1/admin/tenants', fn: 'admin-api', roles: ['admin'], summary: 'Tenants with usage', status: [200], response: R.TenantList },
  { method: 'GET', path: '/v1/admin/tenants/{tenantId}', fn: 'admin-api', roles: ['admin'], summary: 'One tenant: usage, machines, certificates', status: [200], response: R.TenantDetail },
  { method: 'POST', path: '/v1/admin/tenants/{tenantId}/certificates/{serial}/revoke', fn: 'admin-api', roles: ['admin'], summary: 'Revoke a certificate', status: [200], response: R.Revocation },
  { method: 'POST', path: '/v1/admin/certificates/{serial}/revoke', fn: 'admin-api', roles: ['admin'], summary: 'Revoke any certificate by serial (admin and enrollment bundles too)', status: [200], response: R.Revocation },
  { method: 'POST', path: '/v1/admin/tenants/{tenantId}/suspend', fn: 'admin-api', roles: ['admin'], summary: 'Suspend a tenant with a reason: its writes are refused, its restores keep working', status: [200], response: R.TenantStatus },
  { method: 'POST', path: '/v1/admin/tenants/{tenantId}/resume', fn: 'admin-api', roles: ['admin'], summary: 'Resume a suspended tenant', status: [200], response: R.TenantStatus },
  { method: 'POST', path: '/v1/admin/tenants/{tenantId}/quota', fn: 'admin-api', roles: ['admin'], summary: "Change a tenant's quota", status: [200], response: R.TenantStatus, errors: [422] },
  { method: 'GET', path: '/v1/admin/usage', fn: 'admin-api', roles: ['admin'], summary: 'Daily stored-bytes high-water marks per tenant, quotas and estimated-full dates (billing)', status: [200], response: R.UsageReport },
  { method: 'POST', path: '/v1/admin/storage-migration', fn: 'admin-api', roles: ['admin'], summary: 'One step of the storage migration (layout 1 → 2): index RPs committed before RP indexes', status: [200], response: R.StorageMigrationStep },
  { method: 'POST', path: '/v1/certificate-renewals', fn: 'replication-api', roles: ['source-core'], summary: 'Ask for a certificate for a new key, before this one expires', status: [202], response: R.RenewalView },
  { method: 'GET', path: '/v1/certificate-renewals/{renewalId}', fn: 'replication-api', roles: ['source-core'], summary: 'A renewal: pending, or the new certificate', status: [200], response: R.RenewalView },
  { method: 'POST', path: '/v1/admin/verification', fn: 'admin-api', roles: ['admin'], summary: 'One step of a verify run: re-read and re-hash the chunks of committed RPs', status: [200], response: R.VerifyStep, errors: [422] },
  { method: 'POST', path: '/v1/admin/tenants/{tenantId}/verification-reports', fn: 'admin-api', roles: ['admin'], summary: "Ask for a signed verification report of a tenant's RPs", status: [202], response: R.VerificationReportStatus },
  { method: 'GET', path: '/v1/admin/tenants/{tenantId}/verification-reports/{reportId}', fn: 'admin-api', roles: ['admin'], summary: 'A verification report: pending, or the report with its signatures by the CA key', status: [200], response: R.VerificationReportStatus },
  { method: 'PUT', path: '/v1/machines/{machineId}', fn: 'replication-api', roles: ['source-core'], summary: 'Register a machine', status: [201, 200], response: R.MachineView, errors: [422, 423] },
  { method: 'GET', path: '/v1/machines', fn: 'replication-api', roles: ['source-core'], summary: 'List machines', status: [200], response: R.MachineList },
  { method: 'GET', path: '/v1/machines/{machineId}/recovery-points', fn: 'replication-api', roles: ['source-core'], summary: 'List recovery points', status: [200], response: R.RecoveryPointList },
  { method: 'GET', path: '/v1/machines/{machineId}/recovery-points/{rpId}', fn: 'replication-api', roles: ['source-core'], summary: 'Recovery point detail', status: [200], response: R.RecoveryPoint },
  { method: 'POST', path: '/v1/machines/{machineId}/recovery-points/{rpId}/missing', fn: 'replication-api', roles: ['source-core'], summary: 'Which chunks the server lacks', status: [200], response: R.Missing, errors: [422, 423] },
  { method: 'PUT', path: '/v1/machines/{machineId}/recovery-points/{rpId}/packs/{packId}', fn: 'replication-api', roles: ['source-core'], binary: true, maxBodyBytes: MAX_PACK_BYTES, summary: 'Upload a pack (≤ 4 MiB)', status: [201, 200], response: R.PackReceipt, errors: [422, 423] },
  { method: 'POST', path: '/v1/machines/{machineId}/recovery-points/{rpId}/commit', fn: 'replication-api', roles: ['source-core'], summary: 'Commit', status: [201, 200], response: R.RecoveryPoint, errors: [422, 423] },
  { method: 'GET', path: '/v1/machines/{machineId}/recovery-points/{rpId}/uploads', fn: 'replication-api', roles: ['source-core'], summary: 'Packs uploaded under a recovery point so far (resume)', status: [200], response: R.UploadList },
  { method: 'GET', path: '/v1/verification', fn: 'replication-api', roles: ['source-core'], summary: "Verify states of the tenant's RPs, per machine, and its damaged chunks", status: [200], response: R.VerifyStatus },
  { method: 'GET', path: '/v1/machines/{machineId}/recovery-points/{rpId}/damaged-extents', fn: 'replication-api', roles: ['source-core'], summary: 'Extents of an RP whose restore needs a damaged chunk: the next incremental sends them whole', status: [200], response: R.DamagedExtents, errors: [409] },
  { method: 'POST', path: '/v1/machines/{machineId}/recovery-points/{rpId}/chunks/read', fn: 'replication-api', roles: ['source-core'], binary: true, summary: 'Read chunks of a committed recovery point and its parents (restore)', status: [200], errors: [409, 502] },
  { method: 'GET', path: '/v1/admin/tenants/{tenantId}/retention', fn: 'admin-api', roles: ['admin'], summary: "A tenant's retention and, with ?dryRun=true, what the next run would do", status: [200], response: R.RetentionView },
  { method: 'PUT', path: '/v1/admin/tenants/{tenantId}/retention', fn: 'admin-api', roles: ['admin'], summary: "Change a tenant's retention (an event on its stream)", status: [200], response: R.RetentionView, errors: [422] },
  { method: 'POST', path: '/v1/admin/tenants/{tenantId}/recovery-points/{rpId}/delete', fn: 'admin-api', roles: ['admin'], summary: 'Delete a recovery point into the recycle bin (its id typed again as the confirmation)', status: [200], response: R.RecoveryPoint, errors: [422] },
  { method: 'GET', path: '/v1/recycle-bin', fn: 'replication-api', roles: ['source-core'], summary: "The tenant's recycle bin", status: [200], response: R.RecycleBinList },
  { method: 'POST', path: '/v1/recycle-bin/{rpId}/restore', fn: 'replication-api', roles: ['source-core'], summary: 'Restore a recovery point from the recycle bin: a normal RP again', status: [200], response: R.RecoveryPoint, errors: [410] },
  // The operator's control of incoming replication (issue 13).
  { method: 'POST', path: '/v1/admin/tenants/{tenantId}/replication/pause', fn: 'admin-api', roles: ['admin'], summary: "Pause a tenant's incoming replication with a reason (its source gets 423 and waits)", status: [200], response: R.ReplicationControl, errors: [422] },
  { method: 'POST', path: '/v1/admin/tenants/{tenantId}/replication/resume', fn: 'admin-api', roles: ['admin'], summary: "Resume a tenant's incoming replication", status: [200], response: R.ReplicationControl },
  { method: 'POST', path: '/v1/admin/tenants/{tenantId}/machines/{machineId}/replication/pause', fn: 'admin-api', roles: ['admin'], summary: "Pause one machine's incoming replication with a reason", status: [200], response: R.ReplicationControl, errors: [422] },
  { method: 'POST', path: '/v1/admin/tenants/{tenantId}/machines/{machineId}/replication/resume', fn: 'admin-api', roles: ['admin'], summary: "Resume one machine's incoming replication", status: [200], response: R.ReplicationControl },
  { method: 'PUT', path: '/v1/admin/tenants/{tenantId}/lease', fn: 'admin-api', roles: ['admin'], summary: "Set or clear a tenant's lease end: after it writes are refused, reads keep working", status: [200], response: R.ReplicationControl, errors: [422] },
  { method: 'PUT', path: '/v1/admin/tenants/{tenantId}/rpo', fn: 'admin-api', roles: ['admin'], summary: "Set or clear a tenant's RPO target", status: [200], response: R.ReplicationControl, errors: [422] },
  { method: 'PUT', path: '/v1/admin/tenants/{tenantId}/bandwidth', fn: 'admin-api', roles: ['admin'], summary: "Set or clear a tenant's upload limit (its source cores are told in x-drcore-bandwidth-limit)", status: [200], response: R.ReplicationControl, errors: [422] },
  { method: 'GET', path: '/v1/admin/lag', fn: 'admin-api', roles: ['admin'], summary: 'Per machine: time since its last committed RP against its RPO target, and the compliance', status: [200], response: R.LagReport },
] as const satisfies readonly RouteSpec[];

type WithBodyLimit<T extends readonly unknown[]> = { readonly [K in keyof T]: T[K] & { readonly maxBodyBytes: number } };
/** The route table, every row with its body limit filled in. */
export const ROUTES = TABLE.map((r) => ({ maxBodyBytes: MAX_JSON_BODY, ...r })) as unknown as WithBodyLimit<typeof TABLE>;

export type Route = (typeof ROUTES)[number];
/** `${method} ${path}`: how handlers are keyed. */
export type RouteKey<R extends Route = Route> = R extends Route ? `${R['method']} ${R['path']}` : never;
export type RouteOf<K extends RouteKey> = Extract<Route, { method: K extends `${infer M} ${string}` ? M : never; path: K extends `${string} ${infer P}` ? P : never }>;
export const routeKey = (r: Pick<RouteSpec, 'method' | 'path'>): string => `${r.method} ${r.path}`;

/** Names of the non-HTTP functions (functions/<name>.ts). */
export const WORKER_FUNCTIONS = ['authorizer', 'workflow-worker', 'projector', 'ca-bootstrap', 'lifecycle-job'] as const;

/** Matches a concrete path against a route path; returns the path parameters or undefined. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const p = pattern.split('/');
  const a = path.split('/');
  if (p.length !== a.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const seg = p[i]!;
    const val = a[i]!;
    if (seg.startsWith('{') && seg.endsWith('}')) {
      if (val === '') return undefined;
      let decoded: string;
      try { decoded = decodeURIComponent(val); } catch { return undefined; }
      params[seg.slice(1, -1)] = decoded;
    } else if (seg !== val) return undefined;
  }
  return params;
}
