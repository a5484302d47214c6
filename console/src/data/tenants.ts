import { enc, getJson, send } from '../api.js';
import type { BinItem, RecoveryPoint, Tenant, TenantDetail, TenantStatus, UsageReport } from '../types.js';
import { GIB } from '../format.js';
import { KEEP_RULES } from './pairing.js';
import { usageWindow } from './overview.js';

const t = (id: string) => `/v1/admin/tenants/${enc(id)}`;

export const listTenants = () => getJson<{ items: Tenant[] }>('/v1/admin/tenants').then((r) => r.items);
export const tenantDetail = (id: string) => getJson<TenantDetail>(t(id));
export const recoveryPoints = (id: string, machineId: string) => getJson<{ items: RecoveryPoint[] }>(`${t(id)}/machines/${enc(machineId)}/recovery-points`).then((r) => r.items);
export const recycleBin = (id: string) => getJson<{ items: BinItem[] }>(`${t(id)}/recycle-bin`).then((r) => r.items);
export const usage = (id: string, days = 30) => {
  const w = usageWindow(new Date(), days);
  return getJson<UsageReport>(`/v1/admin/usage?from=${w.from}&to=${w.to}&tenant=${enc(id)}`);
};

export const suspend = (id: string, reason: string) => send<TenantStatus>('POST', `${t(id)}/suspend`, { reason });
export const resume = (id: string) => send<TenantStatus>('POST', `${t(id)}/resume`, {});
export const changeQuota = (id: string, gib: string) => send<TenantStatus>('POST', `${t(id)}/quota`, { quotaBytes: Math.round(Number(gib) * GIB) });
export const revoke = (id: string, serial: string, reason: string) => send<unknown>('POST', `${t(id)}/certificates/${enc(serial)}/revoke`, { reason });
export const deleteRp = (id: string, rpId: string, confirmRpId: string, reason: string) =>
  send<RecoveryPoint>('POST', `${t(id)}/recovery-points/${enc(rpId)}/delete`, { confirmRpId, reason });
export function changeRetention(id: string, v: Record<string, string>) {
  const keep: Record<string, number> = {};
  for (const k of KEEP_RULES) keep[k] = Number(v[`keep-${k}`] || 0);
  return send<unknown>('PUT', `${t(id)}/retention`, { keep, ...(v['binDays'] ? { binDays: Number(v['binDays']) } : {}) });
}

/** The usage report as CSV for billing: one row per tenant and day (RFC 4180 quoting). */
export function usageCsv(report: UsageReport, names: ReadonlyMap<string, string>): string {
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const rows = [['tenant_id', 'tenant_name', 'day', 'stored_bytes', 'quota_bytes']];
  for (const d of report.days) rows.push([d.tenantId, names.get(d.tenantId) ?? '', d.day, String(d.storedBytes), String(d.quotaBytes)]);
  return rows.map((r) => r.map(q).join(',')).join('\r\n') + '\r\n';
}

/** Offers `text` as a file download (a blob URL: no inline script, allowed by the CSP). */
export function download(name: string, text: string, type = 'text/csv'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
