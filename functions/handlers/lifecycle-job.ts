import type { Context } from 'aws-lambda';
import { LifecycleJobEvent } from '../../shared/app/lifecycle/jobs.js';
import { runRetentionJob, type RetentionJobResult } from '../../shared/app/lifecycle/retention-job.js';
import { runRpoJob, type RpoJobResult } from '../../shared/app/lifecycle/rpo-job.js';
import type { AppDeps } from '../../shared/app/deps.js';
import { lambdaHandler } from '../../shared/runtime/lambda-handler.js';
import { logger } from '../../shared/runtime/logger.js';
import { recordTenantMetric } from '../../shared/runtime/metrics.js';

/** Time left to the function when a job stops taking new tenants (the one in hand finishes; the next run goes on). */
export const STOP_MARGIN_MS = 120_000;

/**
 * The scheduled lifecycle jobs (docs/lifecycle.md): EventBridge invokes it with the rule's input
 * `{ job }` on AWS; `drcore serve`'s scheduler calls it with the same. A malformed event fails
 * (nothing runs). The job stops taking tenants when the invocation nears its timeout; the next
 * tick starts where it stopped.
 */
export const makeHandler = (deps: AppDeps) => lambdaHandler(async (event: unknown, context: Context): Promise<RetentionJobResult | RpoJobResult> => {
  const { job } = LifecycleJobEvent.parse(event);
  switch (job) {
    case 'retention': {
      const result = await runRetentionJob(deps, { stopBefore: () => context.getRemainingTimeInMillis() < STOP_MARGIN_MS });
      const summary = result.tenants.reduce((s, t) => {
        for (const m of t.machines) { s.expired += m.expired.length; s.rolledUp += m.rolledUp.length; s.purged += m.purged.length; s.failed += m.failed.length; }
        return s;
      }, { expired: 0, rolledUp: 0, purged: 0, failed: 0 });
      logger.info('retention job', { tenants: result.tenants.length, unfinished: result.unfinished.length, failedTenants: result.failed.length, ...summary });
      for (const t of result.failed) logger.error('retention of a tenant failed; the next run tries again', { tenantId: t.tenantId, reason: t.reason });
      for (const t of result.tenants) {
        for (const m of t.machines) for (const f of m.failed) logger.warn('a retention step failed; the next run tries again', { tenantId: t.tenantId, machineId: m.machineId, ...f });
      }
      return result;
    }
    case 'rpo': {
      const result = await runRpoJob(deps);
      for (const [tenantId, n] of Object.entries(result.pastRpoByTenant)) recordTenantMetric('MachinesPastRpo', tenantId, n);
      logger.info('rpo job', { machines: result.machines, pastRpo: result.pastRpo, changed: result.changed.length, failed: result.failed.length });
      for (const f of result.failed) logger.error('recording a machine\'s RPO compliance failed; the next run tries again', f);
      return result;
    }
    default: {
      const never: never = job;
      throw new Error(`unknown lifecycle job ${String(never)}`);
    }
  }
});
