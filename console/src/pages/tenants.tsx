import { ErrorBox, Loading, Pill } from '../components/status.js';
import { listTenants, download, usageCsv } from '../data/tenants.js';
import { getJson } from '../api.js';
import { usageWindow } from '../data/overview.js';
import { bytes, pct, when } from '../format.js';
import type { UsageReport } from '../types.js';
import { useLoad } from '../use-load.js';
import { useState } from 'preact/hooks';

export function TenantsPage() {
  const list = useLoad(listTenants);
  const [exportError, setExportError] = useState<Error>();
  async function exportAll() {
    setExportError(undefined);
    try {
      const w = usageWindow();
      const report = await getJson<UsageReport>(`/v1/admin/usage?from=${w.from}&to=${w.to}`);
      download(`drcore-usage-${w.from}-${w.to}.csv`, usageCsv(report, new Map((list.data ?? []).map((t) => [t.tenantId, t.name]))));
    } catch (e) { setExportError(e as Error); }
  }
  return (
    <section aria-labelledby="tenants-h">
      <h1 id="tenants-h">Tenants</h1>
      <div class="toolbar"><button type="button" onClick={exportAll} data-action="export-all">Export usage (CSV, last 30 days)</button></div>
      <ErrorBox error={list.error} what="list the tenants" />
      <ErrorBox error={exportError} what="export the usage" />
      <Loading loading={list.loading && !list.data}>
        {list.data && list.data.length === 0 && <p class="muted">No tenants yet: approve a pairing request.</p>}
        {list.data && list.data.length > 0 && (
          <table>
            <thead><tr><th scope="col">Tenant</th><th scope="col">Status</th><th scope="col">Contact</th><th scope="col">Used</th><th scope="col">Quota</th><th scope="col">Share</th><th scope="col">Created</th></tr></thead>
            <tbody>{list.data.map((t) => {
              const used = t.usage?.storedBytes ?? 0;
              return (
                <tr key={t.tenantId} data-tenant={t.tenantId}>
                  <td><a href={`#/tenants/${encodeURIComponent(t.tenantId)}`}>{t.name}</a> <span class="muted">{t.tenantId}</span></td>
                  <td><Pill tone={t.status === 'active' ? 'ok' : 'bad'}>{t.status}</Pill></td>
                  <td>{t.email}</td><td>{bytes(used)}</td><td data-quota>{bytes(t.quotaBytes)}</td>
                  <td>{pct(used, t.quotaBytes)}</td><td>{when(t.createdAt)}</td>
                </tr>
              );
            })}</tbody>
          </table>
        )}
      </Loading>
    </section>
  );
}
