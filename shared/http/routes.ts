import type { CertRole } from '../ports/certificate-authority.js';

/**
 * The HTTP API's route table (DESIGN §7): one source for the local gateway, the CDK
 * RestApi resources and the OpenAPI document. `fn` names the Lambda that serves it
 * (functions/<fn>.ts). `roles` are checked by the handler's auth middleware; the
 * authorizer only establishes who the caller is.
 */
export type FunctionName = 'pairing-api' | 'admin-api' | 'replication-api' | 'whoami-api';
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteSpec {
  readonly method: HttpMethod;
  /** API Gateway resource path with {params}. */
  readonly path: string;
  readonly fn: FunctionName;
  readonly roles: readonly CertRole[];
  readonly binary?: boolean;
  readonly summary: string;
}

export const ROUTES: readonly RouteSpec[] = [
  { method: 'GET', path: '/v1/whoami', fn: 'whoami-api', roles: ['admin', 'enrollment', 'source-core'], summary: 'Who the client certificate says the caller is' },
  { method: 'GET', path: '/openapi.json', fn: 'whoami-api', roles: ['admin', 'enrollment', 'source-core'], summary: 'This API as OpenAPI 3.1' },
  { method: 'POST', path: '/v1/pairing-requests', fn: 'pairing-api', roles: ['enrollment'], summary: 'Ask to replicate to this target core' },
  { method: 'GET', path: '/v1/pairing-requests/{id}', fn: 'pairing-api', roles: ['enrollment', 'admin'], summary: 'Status, feedback and, once approved, the certificate' },
  { method: 'GET', path: '/v1/admin/pairing-requests', fn: 'admin-api', roles: ['admin'], summary: 'Review queue' },
  { method: 'POST', path: '/v1/admin/pairing-requests/{id}/approve', fn: 'admin-api', roles: ['admin'], summary: 'Approve: creates the tenant and issues its certificate' },
  { method: 'POST', path: '/v1/admin/pairing-requests/{id}/reject', fn: 'admin-api', roles: ['admin'], summary: 'Reject with a reason' },
  { method: 'POST', path: '/v1/admin/pairing-requests/{id}/ignore', fn: 'admin-api', roles: ['admin'], summary: 'Ignore' },
  { method: 'GET', path: '/v1/admin/events', fn: 'admin-api', roles: ['admin'], summary: 'The event log' },
  { method: 'GET', path: '/v1/admin/projection-dead-letters', fn: 'admin-api', roles: ['admin'], summary: 'Events the projector gave up on, with their error' },
  { method: 'GET', path: '/v1/admin/tenants', fn: 'admin-api', roles: ['admin'], summary: 'Tenants with usage' },
  { method: 'GET', path: '/v1/admin/tenants/{tenantId}', fn: 'admin-api', roles: ['admin'], summary: 'One tenant: usage, machines, certificates' },
  { method: 'POST', path: '/v1/admin/tenants/{tenantId}/certificates/{serial}/revoke', fn: 'admin-api', roles: ['admin'], summary: 'Revoke a certificate' },
  { method: 'POST', path: '/v1/admin/certificates/{serial}/revoke', fn: 'admin-api', roles: ['admin'], summary: 'Revoke any certificate by serial (admin and enrollment bundles too)' },
  { method: 'PUT', path: '/v1/machines/{machineId}', fn: 'replication-api', roles: ['source-core'], summary: 'Register a machine' },
  { method: 'GET', path: '/v1/machines', fn: 'replication-api', roles: ['source-core'], summary: 'List machines' },
  { method: 'GET', path: '/v1/machines/{machineId}/recovery-points', fn: 'replication-api', roles: ['source-core'], summary: 'List recovery points' },
  { method: 'GET', path: '/v1/machines/{machineId}/recovery-points/{rpId}', fn: 'replication-api', roles: ['source-core'], summary: 'Recovery point detail' },
  { method: 'POST', path: '/v1/machines/{machineId}/recovery-points/{rpId}/missing', fn: 'replication-api', roles: ['source-core'], summary: 'Which chunks the server lacks' },
  { method: 'PUT', path: '/v1/machines/{machineId}/recovery-points/{rpId}/packs/{packId}', fn: 'replication-api', roles: ['source-core'], binary: true, summary: 'Upload a pack (≤ 4 MiB)' },
  { method: 'POST', path: '/v1/machines/{machineId}/recovery-points/{rpId}/commit', fn: 'replication-api', roles: ['source-core'], summary: 'Commit' },
  { method: 'GET', path: '/v1/chunks/{sha256}', fn: 'replication-api', roles: ['source-core'], binary: true, summary: 'Read a chunk back' },
];

/** Names of the non-HTTP functions (functions/<name>.ts). */
export const WORKER_FUNCTIONS = ['authorizer', 'workflow-worker', 'projector', 'ca-bootstrap'] as const;

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
