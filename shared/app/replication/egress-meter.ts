/**
 * Egress metering for billing (issue 11 item 5): the chunk bytes each tenant's restores read,
 * per UTC day. OperationalStore `egress/<tenantId>/<day>` holds one record per serving process
 * (a Lambda instance, `drcore serve`): that process's running total for the tenant and day. No
 * process reads and rewrites another's record, so concurrent restores lose no bytes; the day's
 * egress is the sum of its records (usage-report.ts), plus what the reporting process itself has
 * not stored yet. A process stores its total at its first read of a tenant's day, then once at
 * least FLUSH_BYTES or FLUSH_MS have passed — not at every read: one DynamoDB write per 4 MiB read
 * cost about $0.66 per TB restored. A process that ends before storing under-counts by at most
 * that much: metering never over-bills.
 */
import type { AppDeps } from '../deps.js';
import type { OperationalStore } from '../../ports/operational-store.js';
import { assertId } from '../../ids.js';

/** A process stores its running total when this much is unstored, or this long after its last store. */
export const FLUSH_BYTES = 64 * 1024 * 1024;
export const FLUSH_MS = 10_000;

interface Day { total: number; stored: number; storedAt: number }
interface Meter { readonly instance: string; readonly totals: Map<string, Day> }
const meters = new WeakMap<OperationalStore, Meter>();

export interface EgressRecord { tenantId: string; day: string; bytes: number }

export const egressCollection = (tenantId: string, day: string): string => `egress/${assertId('tenantId', tenantId)}/${day}`;

/** Adds `bytes` served to the tenant now, and stores this process's total of the day. */
export async function meterEgress(deps: Pick<AppDeps, 'operational' | 'clock' | 'newId'>, tenantId: string, bytes: number): Promise<void> {
  if (bytes <= 0) return;
  let meter = meters.get(deps.operational);
  if (!meter) meters.set(deps.operational, (meter = { instance: deps.newId('egress'), totals: new Map() }));
  const now = deps.clock();
  const day = now.toISOString().slice(0, 10);
  const key = `${tenantId}/${day}`;
  let d = meter.totals.get(key);
  const first = d === undefined;
  if (!d) meter.totals.set(key, (d = { total: 0, stored: 0, storedAt: 0 }));
  d.total += bytes;
  if (meter.totals.size > 4096) meter.totals.delete(meter.totals.keys().next().value as string); // old days of a long-lived process
  if (!first && d.total - d.stored < FLUSH_BYTES && now.getTime() - d.storedAt < FLUSH_MS) return;
  const total = d.total;
  await deps.operational.put<EgressRecord>(egressCollection(tenantId, day), meter.instance, { tenantId, day, bytes: total });
  d.stored = Math.max(d.stored, total);
  d.storedAt = now.getTime();
}

/** What this process served the tenant on `day` and has not stored yet. */
function unstored(deps: Pick<AppDeps, 'operational'>, tenantId: string, day: string): number {
  const d = meters.get(deps.operational)?.totals.get(`${tenantId}/${day}`);
  return d ? d.total - d.stored : 0;
}

/** The tenant's egress on `day` (YYYY-MM-DD): the sum of every process's record, and what this process has not stored yet. */
export async function egressOn(deps: Pick<AppDeps, 'operational'>, tenantId: string, day: string): Promise<number> {
  const stored = (await deps.operational.list<EgressRecord>(egressCollection(tenantId, day))).reduce((n, r) => n + r.bytes, 0);
  return stored + unstored(deps, tenantId, day);
}
