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
  /** The media type (range) of a success that is neither JSON nor binary, e.g. the console's `text/html`. */
  readonly media?: string;
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
  { method: 'POST', path: '/v1/admin/tenants/{tenantId}/gc', fn: 'admin-api', roles: ['admin'], summary: "Start a garbage collection of the tenant's storage (its steps run on the workflow queue)", status: [202], response: R.GcStarted, errors: [404, 409] },
  { method: 'GET', path: '/v1/admin/tenants/{tenantId}/gc', fn: 'admin-api', roles: ['admin'], summary: 'The GC run under way, or what the last one freed', status: [200], response: R.GcStatus, errors: [404] },
  { method: 'POST', path: '/v1/admin/tenants/{tenantId}/gc/cancel', fn: 'admin-api', roles: ['admin'], summary: 'Cancel the GC run under way (the next run clears what it left)', status: [200], response: R.GcStatus, errors: [404, 409] },
  { method: 'PUT', path: '/v1/machines/{machineId}', fn: 'replication-api', roles: ['source-core'], summary: 'Register a machine', status: [201, 200], response: R.MachineView, errors: [422, 423] },
  { method: 'GET', path: '/v1/machines', fn: 'replication-api', roles: ['source-core'], summary: 'List machines', status: [200], response: R.MachineList },
  { method: 'GET', path: '/v1/machines/{machineId}/recovery-points', fn: 'replication-api', roles: ['source-core'], summary: 'List recovery points', status: [200], response: R.RecoveryPointList },
  { method: 'GET', path: '/v1/machines/{machineId}/recovery-points/{rpId}', fn: 'replication-api', roles: ['source-core'], summary: 'Recovery point detail', status: [200], response: R.RecoveryPoint },
  { method: 'POST', path: '/v1/machines/{machineId}/recovery-points/{rpId}/missing', fn: 'replication-api', roles: ['source-core'], summary: 'Which chunks the server lacks', status: [200], response: R.Missing, errors: [422, 423] },
  { method: 'PUT', path: '/v1/machines/{machineId}/recovery-points/{rpId}/packs/{packId}', fn: 'replication-api', roles: ['source-core'], binary: true, maxBodyBytes: MAX_PACK_BYTES, summary: 'Upload a pack (≤ 4 MiB)', status: [201, 200], response: R.PackReceipt, errors: [422, 423, 429] },
  { method: 'POST', path: '/v1/machines/{machineId}/recovery-points/{rpId}/commit', fn: 'replication-api', roles: ['source-core'], summary: 'Commit', status: [201, 200], response: R.RecoveryPoint, errors: [422, 423] },
  { method: 'GET', path: '/v1/machines/{machineId}/recovery-points/{rpId}/uploads', fn: 'replication-api', roles: ['source-core'], summary: 'Packs uploaded under a recovery point so far (resume)', status: [200], response: R.UploadList },
  { method: 'GET', path: '/v1/verification', fn: 'replication-api', roles: ['source-core'], summary: "Verify states of the tenant's RPs, per machine, and its damaged chunks", status: [200], response: R.VerifyStatus },
  { method: 'GET', path: '/v1/machines/{machineId}/recovery-points/{rpId}/damaged-extents', fn: 'replication-api', roles: ['source-core'], summary: 'Extents of an RP whose restore needs a damaged chunk: the next incremental sends them whole', status: [200], response: R.DamagedExtents, errors: [409] },
  { method: 'POST', path: '/v1/machines/{machineId}/recovery-points/{rpId}/chunks/read', fn: 'replication-api', roles: ['source-core'], binary: true, summary: 'Read chunks of a committed recovery point and its parents (restore)', status: [200], errors: [409, 502] },
  { method: 'GET', path: '/v1/admin/tenants/{tenantId}/retention', fn: 'admin-api', roles: ['admin'], summary: "A tenant's retention and, with ?dryRun=true, what the next run would do", status: [200], response: R.RetentionView },
  { method: 'PUT', path: '/v1/admin/tenants/{tenantId}/retention', fn: 'admin-api', roles: ['admin'], summary: "Change a tenant's retention (an event on its stream)", status: [200], response: R.RetentionView, errors: [422] },
  { method: 'POST', path: '/v1/admin/tenants/{tenantId}/delete', fn: 'admin-api', roles: ['admin'], summary: 'Delete a tenant (its id typed again as the confirmation): writes refused, every RP into the recycle bin, purged when the bin period ends', status: [200], response: R.TenantStatus, errors: [409, 422] },
  { method: 'POST', path: '/v1/admin/tenants/{tenantId}/recovery-points/{rpId}/delete', fn: 'admin-api', roles: ['admin'], summary: 'Delete a recovery point into the recycle bin (its id typed again as the confirmation)', status: [200], response: R.RecoveryPoint, errors: [422] },
  { method: 'GET', path: '/v1/recycle-bin', fn: 'replication-api', roles: ['source-core'], summary: "The tenant's recycle bin", status: [200], response: R.RecycleBinList },
  { method: 'POST', path: '/v1/recycle-bin/{rpId}/restore', fn: 'replication-api', roles: ['source-core'], summary: 'Restore a recovery point from the recycle bin: a normal RP again', status: [200], response: R.RecoveryPoint, errors: [410] },
  // The admin console (issue 14): its page and assets (shared/http/console-assets.ts), and the admin reads it needs.
  { method: 'GET', path: '/admin', fn: 'whoami-api', roles: ['admin'], summary: 'The admin console (HTML; strict CSP)', status: [200], media: 'text/html' },
  { method: 'GET', path: '/admin/assets/{asset}', fn: 'whoami-api', roles: ['admin'], summary: "An asset of the admin console (content-hashed script or stylesheet)", status: [200], media: 'text/*', errors: [404] },
  { method: 'GET', path: '/apprecovery/admin', fn: 'whoami-api', roles: ['admin'], summary: 'The admin console, at the path of the seed product', status: [200], media: 'text/html' },
  { method: 'GET', path: '/apprecovery/admin/assets/{asset}', fn: 'whoami-api', roles: ['admin'], summary: 'An asset of the admin console, under the seed product\'s path', status: [200], media: 'text/*', errors: [404] },
  { method: 'GET', path: '/v1/admin/tenants/{tenantId}/machines/{machineId}/recovery-points', fn: 'admin-api', roles: ['admin'], summary: "A tenant machine's recovery points (the recycle bin's too), oldest first", status: [200], response: R.RecoveryPointList },
  { method: 'GET', path: '/v1/admin/tenants/{tenantId}/recycle-bin', fn: 'admin-api', roles: ['admin'], summary: "A tenant's recycle bin", status: [200], response: R.RecycleBinList },
  { method: 'GET', path: '/v1/admin/log-verification', fn: 'admin-api', roles: ['admin'], summary: "Every stream's hash chain of the event log, checked", status: [200], response: R.LogVerification },
  { method: 'POST', path: '/v1/admin/seed-imports', fn: 'admin-api', roles: ['admin'], summary: 'Import a seed from the seed inbox for a tenant: a queued job (verify, store, commit)', status: [202], response: R.SeedImportView, errors: [422] },
  { method: 'GET', path: '/v1/admin/seed-imports', fn: 'admin-api', roles: ['admin'], summary: 'Seed imports: status, progress and failures', status: [200], response: R.SeedImportList },
  { method: 'GET', path: '/v1/admin/seed-imports/{importId}', fn: 'admin-api', roles: ['admin'], summary: 'One seed import: its status, progress and, when it failed, each bad file', status: [200], response: R.SeedImportView },
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
