/**
 * A tenant's retention as the operator sees and changes it (`drcore admin retention`, the admin
 * API): the settings from the tenant's stream, and with `dryRun` what the next retention run would
 * do (retention-job.ts, changing nothing). A change is `TenantRetentionChanged`; it applies from
 * the next run on (RPs already in the bin keep the purge date they were given).
 */
import { DomainError } from '../../domain/errors.js';
import { checkRetention, describeKeep, retentionOf, type RetentionInput, type RetentionSettings } from '../../domain/retention-policy.js';
import type { AppDeps } from '../deps.js';
import { tenantHandler } from '../handlers.js';
import { runRetention, type RetentionReport } from './retention-job.js';

export interface RetentionView {
  tenantId: string;
  retention: RetentionSettings;
  policy: string;
  /** What the next run would do (a dry run at the time of the request), when asked for. */
  next?: RetentionReport;
}

async function settingsOf(deps: AppDeps, tenantId: string): Promise<RetentionSettings> {
  const { state } = await tenantHandler.load(deps, tenantId);
  if (state.status === 'none') throw new DomainError('not-found', `tenant ${tenantId} does not exist`);
  return state.retention;
}

export async function getRetention(deps: AppDeps, tenantId: string, options: { dryRun?: boolean } = {}): Promise<RetentionView> {
  const retention = await settingsOf(deps, tenantId);
  const view: RetentionView = { tenantId, retention, policy: describeKeep(retention.keep) };
  if (options.dryRun) view.next = await runRetention(deps, tenantId, { dryRun: true });
  return view;
}

export async function changeRetention(deps: AppDeps, tenantId: string, input: RetentionInput, adminSerial: string, actor: string): Promise<RetentionView> {
  const retention = checkRetention(retentionOf(input));
  const result = await tenantHandler(deps, tenantId, { type: 'ChangeRetention', data: { tenantId, retention, adminSerial } }, actor);
  if (result.state.status === 'none') throw new Error('changing the retention left no tenant');
  return { tenantId, retention: result.state.retention, policy: describeKeep(result.state.retention.keep) };
}
