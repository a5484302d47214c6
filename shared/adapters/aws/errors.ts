/**
 * The one place that reads AWS SDK errors (by `name` and `$metadata.httpStatusCode`)
 * and turns them into the ports' own errors, keeping the SDK error as `cause`. The
 * adapters add the context only they know (which stream, which key).
 */
import { NotFoundError, PortError, UnavailableError } from '../../ports/errors.js';

interface AwsErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
  readonly $retryable?: unknown;
  readonly CancellationReasons?: unknown;
}

function shape(err: unknown): AwsErrorShape {
  return err !== null && typeof err === 'object' ? (err as AwsErrorShape) : {};
}

export function awsErrorName(err: unknown): string | undefined {
  const { name } = shape(err);
  return typeof name === 'string' ? name : undefined;
}

export function awsHttpStatus(err: unknown): number | undefined {
  const status = shape(err).$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

/** Reasons of a TransactionCanceledException, in TransactItems order ('None' for items that passed). */
export function cancellationReasonCodes(err: unknown): string[] {
  const reasons = shape(err).CancellationReasons;
  if (!Array.isArray(reasons)) return [];
  return reasons.map((r: unknown) => {
    const code = r !== null && typeof r === 'object' ? (r as { Code?: unknown }).Code : undefined;
    return typeof code === 'string' ? code : 'None';
  });
}

const NOT_FOUND = new Set(['NoSuchKey', 'NotFound']);

/** The object or item is not there (S3 NoSuchKey on GET, NotFound on HEAD). */
export function isNotFound(err: unknown): boolean {
  const name = awsErrorName(err);
  return (name !== undefined && NOT_FOUND.has(name)) || (awsHttpStatus(err) === 404 && name !== 'NoSuchBucket' && name !== 'ResourceNotFoundException');
}

/** S3 ranged GET: the range starts at or after the end of the object (416 InvalidRange). */
export function isInvalidRange(err: unknown): boolean {
  return awsErrorName(err) === 'InvalidRange' || awsHttpStatus(err) === 416;
}

/** S3 conditional write: `If-None-Match: *` found an object (412). */
export function isPreconditionFailed(err: unknown): boolean {
  return awsErrorName(err) === 'PreconditionFailed' || awsHttpStatus(err) === 412;
}

/** S3: a concurrent conditional write on the same key is in progress (409): retry. */
export function isConditionalRequestConflict(err: unknown): boolean {
  return awsErrorName(err) === 'ConditionalRequestConflict';
}

const TRANSIENT_NAMES = new Set([
  'ThrottlingException', 'Throttling', 'ThrottledException', 'TooManyRequestsException',
  'ProvisionedThroughputExceededException', 'RequestLimitExceeded', 'RequestThrottled',
  'RequestThrottledException', 'SlowDown', 'LimitExceededException',
  'InternalServerError', 'InternalError', 'InternalFailure', 'ServiceUnavailable',
  'ServiceUnavailableException', 'RequestTimeout', 'RequestTimeoutException', 'TimeoutError',
  'TransactionInProgressException', 'KMS.ThrottlingException',
]);
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH']);

/** Throttling, a 5xx, a timeout or a dropped connection: the caller may retry. */
export function isTransient(err: unknown): boolean {
  const name = awsErrorName(err);
  if (name !== undefined && TRANSIENT_NAMES.has(name)) return true;
  const status = awsHttpStatus(err);
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  const code = shape(err).code;
  return typeof code === 'string' && TRANSIENT_CODES.has(code);
}

/**
 * Any other SDK error of `operation` as a port error: NotFoundError, UnavailableError,
 * or a plain PortError. A PortError passes through unchanged.
 */
export function translateAwsError(err: unknown, operation: string): PortError {
  if (err instanceof PortError) return err;
  const name = awsErrorName(err) ?? 'Error';
  const message = err instanceof Error ? err.message : String(err);
  const text = `${operation}: ${name}: ${message}`;
  if (isTransient(err)) return new UnavailableError(text, { cause: err });
  if (isNotFound(err)) return new NotFoundError(text, { cause: err });
  return new PortError(text, { cause: err });
}
