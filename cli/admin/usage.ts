import type { UsageReport } from '../../shared/app/usage-report.js';
import { formatBytes } from '../args.js';
import { define } from '../command.js';
import { ADMIN } from '../options.js';
import { table } from '../table.js';
import { withAdmin } from './connect.js';

const today = (): string => new Date().toISOString().slice(0, 10);
const monthStart = (): string => `${today().slice(0, 8)}01`;

/** RFC 4180 fields: quoted when they hold a comma, a quote or a line break. */
const csvField = (v: string | number): string => {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

export const usage = define({
  name: 'admin usage',
  summary: "Daily high-water marks of each tenant's stored, logical and recycle-bin bytes and its daily egress, with quotas and estimated-full dates (for billing).",
  details: 'Days are UTC, at most 367 per report. --csv writes one row per tenant and day: '
    + 'tenant,day,stored_bytes,logical_bytes,bin_bytes,egress_bytes,quota_bytes. Stored: the packs kept (what the object store bills); '
    + "logical: the kept RPs' volume sizes, before dedup and compression; bin: what the recycle bin holds; egress: what restores read.",
  options: {
    ...ADMIN,
    from: { type: 'string', value: 'YYYY-MM-DD', description: 'First day, inclusive (default: the first of this month)' },
    to: { type: 'string', value: 'YYYY-MM-DD', description: 'Last day, inclusive (default: today)' },
    tenant: { type: 'string', value: 'ID', description: 'One tenant only' },
    csv: { type: 'boolean', description: 'CSV for a billing system instead of a table' },
  },
  run: ({ values }, io) => withAdmin(values, async (api) => {
    const q = new URLSearchParams({ from: values.from ?? monthStart(), to: values.to ?? today(), ...(values.tenant ? { tenant: values.tenant } : {}) });
    const r = await api.json<UsageReport>('GET', `/v1/admin/usage?${q}`);
    if (values.json) io.out(JSON.stringify(r));
    else if (values.csv) {
      io.out(['tenant,day,stored_bytes,logical_bytes,bin_bytes,egress_bytes,quota_bytes',
        ...r.days.map((d) => [d.tenantId, d.day, d.storedBytes, d.logicalBytes, d.binBytes, d.egressBytes, d.quotaBytes].map(csvField).join(','))].join('\n'));
    } else {
      io.out(table([['TENANT', 'STORED', 'LOGICAL', 'BIN', 'QUOTA', 'ESTIMATED FULL'],
        ...r.tenants.map((t) => [t.tenantId, formatBytes(t.storedBytes), formatBytes(t.logicalBytes), formatBytes(t.binBytes), formatBytes(t.quotaBytes), t.estimatedFullAt ?? '-'])]));
      if (r.days.length) {
        io.out('');
        io.out(table([['DAY', 'TENANT', 'STORED', 'LOGICAL', 'BIN', 'EGRESS'],
          ...r.days.map((d) => [d.day, d.tenantId, formatBytes(d.storedBytes), formatBytes(d.logicalBytes), formatBytes(d.binBytes), formatBytes(d.egressBytes)])]));
      }
    }
    return 0;
  }),
});
