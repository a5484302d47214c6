/**
 * The modeled AWS cost of a bench phase, from what the counting wrappers and the handler
 * timers counted (shared/adapters/counting, local/request-metering.ts). Prices (us-east-1,
 * on demand) are the named constants below; storage per month and data transfer are not in
 * the model (a restore over the internet adds $0.09 per GB of egress).
 *
 * - API Gateway REST: every request that reached a handler.
 * - Lambda arm64: per invocation, plus GB-seconds = billed ms × the function's configured memory
 *   (LAMBDA_MEMORY_MB, as infra/drcore-stack.ts sets it). The local handler's wall time stands
 *   in for Lambda's duration. The authorizer's answer is cached per certificate serial for
 *   AUTHORIZER_CACHE_SECONDS (infra/constructs/api.ts), so it runs at most once per caller per
 *   TTL, not once per request as it does locally: its invocations, milliseconds and port calls
 *   are scaled down to that.
 * - S3: PUT-class (PUT, LIST) and GET-class (GET, HEAD) requests.
 * - DynamoDB on demand: write and read request units.
 * - SQS: requests.
 */
import { AWS_UNITS, type AwsUnits, type CounterSnapshot } from '../shared/adapters/counting/request-counter.js';

export const API_GATEWAY_REST_PER_MILLION = 3.5;
export const LAMBDA_ARM_PER_GB_SECOND = 0.0000133334;
export const LAMBDA_PER_MILLION_REQUESTS = 0.2;
export const S3_PUT_PER_THOUSAND = 0.005;
export const S3_GET_PER_THOUSAND = 0.0004;
export const DYNAMODB_PER_MILLION_WRITE_UNITS = 1.25;
export const DYNAMODB_PER_MILLION_READ_UNITS = 0.25;
export const SQS_PER_MILLION = 0.4;

/** MB per function, as infra/drcore-stack.ts configures them (DrcoreFunction's default: 512). */
export const LAMBDA_MEMORY_MB: Readonly<Record<string, number>> = {
  'whoami-api': 256,
  'pairing-api': 512,
  'admin-api': 512,
  'replication-api': 1769,
  authorizer: 256,
  'workflow-worker': 1024,
  projector: 512,
  'lifecycle-job': 1769,
};
export const DEFAULT_LAMBDA_MEMORY_MB = 512;
export const AUTHORIZER = 'authorizer';
export const AUTHORIZER_CACHE_SECONDS = 60;

/** A terabyte: 10^12 bytes. */
export const TB = 1e12;

export interface LambdaUsage { invocations: number; gbSeconds: number }

export interface Usage {
  apiRequests: number;
  lambda: Record<string, LambdaUsage>;
  units: Required<AwsUnits>;
}

export interface Cost { apiGateway: number; lambda: number; s3: number; dynamodb: number; sqs: number; total: number }

/** The AWS usage of a phase of `seconds` with `callers` distinct client certificates. */
export function modelUsage(counts: CounterSnapshot, seconds: number, callers = 1): Usage {
  // The share of the counted invocations that would run on AWS: all, but for the cached authorizer.
  const share = (fn: string): number => {
    const c = counts.functions[fn];
    if (fn !== AUTHORIZER || !c || c.invocations === 0) return 1;
    return Math.min(c.invocations, callers * Math.max(1, Math.ceil(seconds / AUTHORIZER_CACHE_SECONDS))) / c.invocations;
  };
  const units = Object.fromEntries(AWS_UNITS.map((u) => [u, 0])) as Required<AwsUnits>;
  for (const [fn, ports] of Object.entries(counts.byFunction)) {
    for (const methods of Object.values(ports)) {
      for (const c of Object.values(methods)) for (const u of AWS_UNITS) units[u] += (c.units[u] ?? 0) * share(fn);
    }
  }
  const lambda: Record<string, LambdaUsage> = {};
  for (const [fn, c] of Object.entries(counts.functions)) {
    const memoryGb = (LAMBDA_MEMORY_MB[fn] ?? DEFAULT_LAMBDA_MEMORY_MB) / 1024;
    lambda[fn] = { invocations: c.invocations * share(fn), gbSeconds: (c.billedMs * share(fn) / 1000) * memoryGb };
  }
  const apiRequests = Object.values(counts.routes).reduce((n, r) => n + r.invocations, 0);
  return { apiRequests, lambda, units };
}

export function costOf(u: Usage): Cost {
  const apiGateway = (u.apiRequests / 1e6) * API_GATEWAY_REST_PER_MILLION;
  let lambda = 0;
  for (const l of Object.values(u.lambda)) lambda += (l.invocations / 1e6) * LAMBDA_PER_MILLION_REQUESTS + l.gbSeconds * LAMBDA_ARM_PER_GB_SECOND;
  const s3 = (u.units.s3Put / 1000) * S3_PUT_PER_THOUSAND + (u.units.s3Get / 1000) * S3_GET_PER_THOUSAND;
  const dynamodb = (u.units.dynamoWrite / 1e6) * DYNAMODB_PER_MILLION_WRITE_UNITS + (u.units.dynamoRead / 1e6) * DYNAMODB_PER_MILLION_READ_UNITS;
  const sqs = (u.units.sqs / 1e6) * SQS_PER_MILLION;
  return { apiGateway, lambda, s3, dynamodb, sqs, total: apiGateway + lambda + s3 + dynamodb + sqs };
}

/** Dollars per TB of `bytes` (NaN for none). */
export const perTb = (dollars: number, bytes: number): number => (bytes > 0 ? dollars / (bytes / TB) : Number.NaN);

/** The goals of issue 10 for cost and metadata. */
export const COST_GOALS = {
  /** $ per TB of volume for the base, all services together. */
  basePerTb: 1.5,
  /** $ per TB changed for a 1 % incremental. */
  incrementalPerTbChanged: 3,
  /** Metadata as a fraction of stored bytes. */
  metadataShare: 0.02,
} as const;
