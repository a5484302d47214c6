import { enc, getJson, send } from '../api.js';
import type { PairingRequest, PairingView } from '../types.js';
import { GIB } from '../format.js';
import { leaseEnd, rpoSeconds } from './replication.js';

export type PairingFilter = 'pending' | 'approved' | 'rejected' | 'ignored' | 'failed' | 'all';

export const listPairing = (status: PairingFilter) => getJson<{ items: PairingRequest[] }>(`/v1/admin/pairing-requests?status=${status}`).then((r) => r.items);
/** What the source core sees (its feedback), GET /v1/pairing-requests/{id}. */
export const sourceView = (id: string) => getJson<PairingView>(`/v1/pairing-requests/${enc(id)}`);

const KEEP = ['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const;

/** Approve with a quota in GiB and, when given, a retention (keep-* counts and recycle-bin days). */
export function approve(id: string, v: Record<string, string>) {
  const keep: Record<string, number> = {};
  for (const k of KEEP) if (v[`keep-${k}`]) keep[k] = Number(v[`keep-${k}`]);
  const retention = Object.keys(keep).length || v['binDays'] ? { keep, ...(v['binDays'] ? { binDays: Number(v['binDays']) } : {}) } : undefined;
  return send<PairingView>('POST', `/v1/admin/pairing-requests/${enc(id)}/approve`, {
    quotaBytes: Math.round(Number(v['quotaGiB']) * GIB),
    ...(v['customerId'] ? { customerId: v['customerId'] } : {}),
    ...(v['note'] ? { note: v['note'] } : {}),
    ...(retention ? { retention } : {}),
    ...(v['rpoMinutes'] ? { rpoTargetSeconds: rpoSeconds(v['rpoMinutes']) } : {}),
    ...(v['lease'] ? { leaseEndsAt: leaseEnd(v['lease']) } : {}),
  });
}
export const reject = (id: string, reason: string) => send<PairingView>('POST', `/v1/admin/pairing-requests/${enc(id)}/reject`, { reason });
export const ignore = (id: string) => send<PairingView>('POST', `/v1/admin/pairing-requests/${enc(id)}/ignore`, {});
export const KEEP_RULES = KEEP;
