/**
 * Which recovery points uploaded packs on which day (garbage collection, issue 11 item 2): the
 * OperationalStore cannot list its collections, so GC could not find the upload records of an RP
 * that was never committed. Before an upload writes its record, it registers its rpId in the
 * tenant's collection of the day (`uploads/<tenantId>/by-day/<yyyy-mm-dd>`, the deps clock's UTC
 * day): GC lists the days of its grace window to find the uploads in flight, and the older days to
 * find the abandoned ones. A process registers an (rpId, day) once (a bounded memo), so an upload
 * costs one more small write per RP and day, not per pack. GC deletes a day only once it is older
 * than the grace window and every RP in it is resolved, so no upload still writes to it.
 *
 * The collection lives under `uploads/<tenantId>/`, whose writes the replication API is granted;
 * an RP's own upload collections are `uploads/<tenantId>/<rpId>/<one hex digit>`, never a day.
 */
import { assertId } from '../../../ids.js';
import type { AppDeps } from '../../deps.js';

export interface UploadRegistration { readonly machineId: string; readonly at: string }

export const registryCollection = (tenantId: string, day: string): string => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`registry day ${JSON.stringify(day)} is not yyyy-mm-dd`);
  return `uploads/${assertId('tenantId', tenantId)}/by-day/${day}`;
};

/** The UTC day of a time, yyyy-mm-dd. */
export const dayOf = (at: Date): string => at.toISOString().slice(0, 10);

/** The day after `day` (yyyy-mm-dd). */
export const nextDay = (day: string): string => dayOf(new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000));

const MEMO_ENTRIES = 4096;
const memos = new WeakMap<object, Map<string, true>>();

/** Registers `rpId` as uploading today (the deps clock), unless this process did so already today. */
export async function registerUpload(deps: Pick<AppDeps, 'operational' | 'clock'>, tenantId: string, rpId: string, machineId: string): Promise<void> {
  const now = deps.clock();
  const day = dayOf(now);
  let memo = memos.get(deps.operational);
  if (!memo) memos.set(deps.operational, (memo = new Map()));
  const key = `${tenantId}/${day}/${rpId}`;
  if (memo.has(key)) return;
  await deps.operational.put<UploadRegistration>(registryCollection(tenantId, day), assertId('rpId', rpId), { machineId, at: now.toISOString() });
  memo.set(key, true);
  if (memo.size > MEMO_ENTRIES) memo.delete(memo.keys().next().value as string);
}
