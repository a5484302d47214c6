/**
 * Egress metering for billing (issue 11 item 5): the chunk bytes each tenant's restores read,
 * per UTC day. OperationalStore `egress/<tenantId>/<day>` holds one record per serving process
 * (a Lambda instance, `drcore serve`): that process's running total for the tenant and day. No
 * process reads and rewrites another's record, so concurrent restores lose no bytes; the day's
 * egress is the sum of its records (usage-report.ts). A process that dies between a read and its
 * put under-counts that one read (at most READ_BODY_BYTES): metering never over-bills.
 */
import type { AppDeps } from '../deps.js';
import type { OperationalStore } from '../../ports/operational-store.js';
import { assertId } from '../../ids.js';

interface Meter { readonly instance: string; readonly totals: Map<string, number> }
const meters = new WeakMap<OperationalStore, Meter>();

export interface EgressRecord { tenantId: string; day: string; bytes: number }

export const egressCollection = (tenantId: string, day: string): string => `egress/${assertId('tenantId', tenantId)}/${day}`;

/** Adds `bytes` served to the tenant now, and stores this process's total of the day. */
export async function meterEgress(deps: Pick<AppDeps, 'operational' | 'clock' | 'newId'>, tenantId: string, bytes: number): Promise<void> {
  if (bytes <= 0) return;
  let meter = meters.get(deps.operational);
  if (!meter) meters.set(deps.operational, (meter = { instance: deps.newId('egress'), totals: new Map() }));
  const day = deps.clock().toISOString().slice(0, 10);
  const key = `${tenantId}/${day}`;
  const total = (meter.totals.get(key) ?? 0) + bytes;
  meter.totals.set(key, total);
  if (meter.totals.size > 4096) meter.totals.delete(meter.totals.keys().next().value as string); // old days of a long-lived process
  await deps.operational.put<EgressRecord>(egressCollection(tenantId, day), meter.instance, { tenantId, day, bytes: total });
}

/** The tenant's egress on `day` (YYYY-MM-DD): the sum of every process's record. */
export async function egressOn(deps: Pick<AppDeps, 'operational'>, tenantId: string, day: string): Promise<number> {
  return (await deps.operational.list<EgressRecord>(egressCollection(tenantId, day))).reduce((n, r) => n + r.bytes, 0);
}
