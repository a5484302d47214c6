/**
 * Why a command or a request is refused, in the domain's words. The application throws these
 * (never an HTTP type); the HTTP edge turns each into its problem in one table
 * (shared/http/problem-types.ts): `code` is the coarse class that gives the status, `reason` a
 * specific refusal with its own problem type, `details` the facts the requester needs (they
 * become members of the problem).
 */
export const DOMAIN_ERROR_CODES = ['invalid', 'not-found', 'conflict', 'forbidden', 'rate-limited'] as const;
export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

/** Refusals of replication (docs/replication-protocol.md). */
export const REPLICATION_REFUSAL_REASONS = ['invalid-parent', 'quota-exceeded', 'invalid-manifest', 'missing-chunks', 'tenant-suspended', 'invalid-pack', 'replication-paused', 'lease-ended', 'too-many-uploads'] as const;
/** A CSR whose key or signature algorithm is not one we accept: the requester's choice, so its own problem type. */
/**
 * Faults of stored data the core finds itself (not the requester's doing): a chunk whose stored
 * bytes do not hash to its id. Raised with code 'not-found' (the chunk's bytes are no longer
 * stored: it counts as missing from then on); the problem is a 5xx.
 */
export const STORAGE_FAULT_REASONS = ['stored-chunk-corrupt', 'storage-migration-required'] as const;
export const CSR_REFUSAL_REASONS = ['csr-key-not-accepted', 'csr-signature-algorithm-not-accepted'] as const;
/**
 * Refusals of an RP's lifecycle (docs/lifecycle.md): an operator deletion whose typed
 * confirmation is not the RP's id (code 'invalid'); a restore from the recycle bin after the bin
 * period ended, or of a purged RP (code 'not-found': it is gone for good).
 */
export const LIFECYCLE_REFUSAL_REASONS = ['confirmation-mismatch', 'bin-period-over'] as const;

/** Refusals of a seed import request (docs/seeding.md): a folder outside the server's seed inbox, no seed there. */
export const SEED_REFUSAL_REASONS = ['outside-seed-inbox', 'no-seed'] as const;

export const DOMAIN_ERROR_REASONS = [...REPLICATION_REFUSAL_REASONS, ...STORAGE_FAULT_REASONS, ...CSR_REFUSAL_REASONS, ...LIFECYCLE_REFUSAL_REASONS, ...SEED_REFUSAL_REASONS] as const;
export type DomainErrorReason = (typeof DOMAIN_ERROR_REASONS)[number];

export interface DomainErrorOptions {
  readonly reason?: DomainErrorReason | undefined;
  readonly details?: Readonly<Record<string, unknown>> | undefined;
  readonly cause?: unknown;
}

export class DomainError extends Error {
  override readonly name = 'DomainError';
  readonly reason: DomainErrorReason | undefined;
  readonly details: Readonly<Record<string, unknown>>;
  constructor(readonly code: DomainErrorCode, message: string, options: DomainErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.reason = options.reason;
    this.details = options.details ?? {};
  }
}
