import type { TenantStatusView } from '../../shared/app/tenant-service.js';
import { formatBytes, parseSize } from '../args.js';
import { define, type Io } from '../command.js';
import { withHints } from '../http-client.js';
import { ADMIN } from '../options.js';
import { withAdmin } from './connect.js';

const HINTS = {
  404: 'drcore admin tenants lists the tenants',
  409: 'drcore admin tenant ID shows its status',
};

function command(values: { url: string; data: string; json: boolean | undefined }, tenantId: string, verb: string, body: Record<string, unknown>, io: Io): Promise<number> {
  return withAdmin(values, async (api) => {
    const v = await withHints(api.json<TenantStatusView>('POST', `/v1/admin/tenants/${encodeURIComponent(tenantId)}/${verb}`, body), HINTS);
    if (values.json) io.out(JSON.stringify(v));
    else io.out(`${v.tenantId}  ${v.status}${v.suspendedReason ? ` (${v.suspendedReason})` : ''}  quota ${formatBytes(v.quotaBytes)}`);
    return 0;
  });
}

export const suspend = define({
  name: 'admin suspend', args: 'TENANT', required: ['TENANT'],
  summary: "Suspend a tenant: its replication is refused (403 Tenant Suspended, with the reason), its restores keep working.",
  options: { reason: { type: 'string', value: 'TEXT', description: "Why, as the tenant's source core will read it", required: true }, ...ADMIN },
  run: ({ values, positionals }, io) => command(values, positionals[0]!, 'suspend', { reason: values.reason }, io),
});

// `admin resume` is in ./replication-control.ts: it lifts a pause of replication, else a suspension.

export const quota = define({
  name: 'admin quota', args: 'TENANT SIZE', required: ['TENANT', 'SIZE'],
  summary: "Change a tenant's storage quota (500GiB, 2TB or bytes).",
  options: { ...ADMIN },
  run: ({ values, positionals }, io) => command(values, positionals[0]!, 'quota', { quotaBytes: parseSize(positionals[1]!) }, io),
});
