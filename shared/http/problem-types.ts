import type { DomainError, DomainErrorCode, DomainErrorReason } from '../domain/errors.js';
import { HttpProblem } from './problem.js';
import type { ErrorStatus } from './routes.js';

/** How one kind of DomainError leaves the API; the problem's type is the title's slug (HttpProblem.type). */
export interface ProblemType {
  readonly status: ErrorStatus;
  readonly title: string;
  /** Response headers the refusal carries, from its details. */
  readonly headers?: (details: Readonly<Record<string, unknown>>) => Record<string, string>;
}

/**
 * The one table from the domain's refusals to problems: a `reason` has its own problem type;
 * an error without one gets its `code`'s. The error's `details` become members of the problem.
 */
export const PROBLEM_TYPES: Readonly<Record<DomainErrorCode | DomainErrorReason, ProblemType>> = {
  invalid: { status: 422, title: 'Unprocessable Content' },
  'not-found': { status: 404, title: 'Not Found' },
  conflict: { status: 409, title: 'Conflict' },
  forbidden: { status: 403, title: 'Forbidden' },
  /** Retry-After: whole seconds, also in the body as `retryAfterSeconds`. */
  'rate-limited': {
    status: 429, title: 'Too Many Requests',
    headers: ({ retryAfterSeconds }): Record<string, string> => (typeof retryAfterSeconds === 'number' ? { 'retry-after': String(retryAfterSeconds) } : {}),
  },
  // Replication (docs/replication-protocol.md).
  'invalid-parent': { status: 422, title: 'Invalid Parent' },
  'quota-exceeded': { status: 422, title: 'Quota Exceeded' },
  'invalid-manifest': { status: 422, title: 'Invalid Manifest' },
  'missing-chunks': { status: 422, title: 'Missing Chunks' },
  'tenant-suspended': { status: 403, title: 'Tenant Suspended' },
  'invalid-pack': { status: 422, title: 'Invalid Pack' },
  // The operator's control of incoming replication (issue 13, replication/write-gate.ts): paused (the source waits), the lease over.
  'replication-paused': { status: 423, title: 'Replication Paused', headers: ({ retryAfterSeconds }): Record<string, string> => (typeof retryAfterSeconds === 'number' ? { 'retry-after': String(retryAfterSeconds) } : {}) },
  'lease-ended': { status: 403, title: 'Lease Ended' },
  // The tenant's uploads in flight are at the core's limit (replication/upload-concurrency.ts): the source waits the Retry-After plus jitter.
  'too-many-uploads': { status: 429, title: 'Too Many Uploads', headers: ({ retryAfterSeconds }): Record<string, string> => (typeof retryAfterSeconds === 'number' ? { 'retry-after': String(retryAfterSeconds) } : {}) },
  // The stored bytes of a chunk do not hash to its id: the store gave back other bytes than it took.
  'stored-chunk-corrupt': { status: 502, title: 'Stored Chunk Corrupt' },
  // Data written in storage layout 1 before its migration: never misread, the operator migrates it.
  'storage-migration-required': { status: 409, title: 'Storage Migration Required' },
  // Pairing: a key or signature algorithm we do not accept is the client's choice (400).
  'csr-key-not-accepted': { status: 400, title: 'CSR Key Not Accepted' },
  'csr-signature-algorithm-not-accepted': { status: 400, title: 'CSR Signature Algorithm Not Accepted' },
  // The lifecycle (docs/lifecycle.md): a deletion's typed confirmation that is not the RP's id; an RP gone from the recycle bin.
  'confirmation-mismatch': { status: 422, title: 'Confirmation Mismatch' },
  'bin-period-over': { status: 410, title: 'Bin Period Over' },
  // Seed imports (docs/seeding.md): the server reads only from its seed inbox.
  'outside-seed-inbox': { status: 400, title: 'Outside Seed Inbox' },
  'no-seed': { status: 422, title: 'No Seed' },
};

export function domainProblem(error: DomainError): HttpProblem {
  const { status, title, headers } = PROBLEM_TYPES[error.reason ?? error.code];
  return new HttpProblem(status, title, error.message, { ...error.details }, headers?.(error.details) ?? {});
}
