import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * drcore's business metrics, as CloudWatch EMF (Powertools Metrics): namespace
 * POWERTOOLS_METRICS_NAMESPACE (`drcore`, set by the CDK app), dimension `service` = the
 * function. Ingested = newly stored: a pack or a recovery point sent again counts once.
 */
const UNITS = {
  /** Recovery points committed (a repeated commit of the same RP is not counted). */
  RecoveryPointsCommitted: MetricUnit.Count,
  /** Pack bytes newly stored. */
  BytesIngested: MetricUnit.Bytes,
  /** Packs newly stored. */
  PacksIngested: MetricUnit.Count,
  /** Requests the authorizer refused (no, an unknown, or a revoked client certificate). */
  AuthorizerDenials: MetricUnit.Count,
} as const;

/** Per-tenant metrics (dimension `tenantId`), put by the RPO job (shared/app/lifecycle/rpo-job.ts): machines past their RPO target. */
const TENANT_UNITS = { MachinesPastRpo: MetricUnit.Count } as const;
export type TenantMetric = keyof typeof TENANT_UNITS;

export type DrcoreMetric = keyof typeof UNITS;

/**
 * EMF is a log line that CloudWatch turns into metrics: it is written only on Lambda (the
 * runtime sets AWS_LAMBDA_FUNCTION_NAME). The local runtime keeps stdout for its own lines, so
 * there metrics are not recorded at all.
 */
const onLambda = (): boolean => process.env['AWS_LAMBDA_FUNCTION_NAME'] !== undefined;

let metrics: Metrics | undefined;

/** Adds `value` to a metric of the current invocation (published when it ends: withMetrics). */
export function recordMetric(name: DrcoreMetric, value = 1): void {
  if (!onLambda()) return;
  metrics ??= new Metrics({ namespace: process.env['POWERTOOLS_METRICS_NAMESPACE'] || 'drcore' });
  metrics.addMetric(name, UNITS[name], value);
}

/** A metric with the tenant as its dimension (one EMF line of its own, so each tenant is its own series). */
export function recordTenantMetric(name: TenantMetric, tenantId: string, value: number): void {
  if (!onLambda()) return;
  metrics ??= new Metrics({ namespace: process.env['POWERTOOLS_METRICS_NAMESPACE'] || 'drcore' });
  const single = metrics.singleMetric();
  single.addDimension('tenantId', tenantId);
  single.addMetric(name, TENANT_UNITS[name], value);
}

/** Runs one invocation, then publishes what it recorded as one EMF line (nothing if it recorded nothing). */
export async function withMetrics<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } finally {
    if (metrics?.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
}
