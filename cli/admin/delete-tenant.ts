import { UsageError } from '../args.js';
import { define } from '../command.js';
import { withHints } from '../http-client.js';
import { ADMIN } from '../options.js';
import { withAdmin } from './connect.js';

interface DeletedTenant { tenantId: string; status: string; suspendedReason?: string; deletedAt?: string }

/** `drcore admin delete-tenant TENANT --reason TEXT --confirm TENANT` */
export const deleteTenant = define({
  name: 'admin delete-tenant', args: 'TENANT', required: ['TENANT'],
  summary: 'Delete a tenant (a second step: --confirm with the tenant id typed again): writes refused, every RP into the recycle bin, purged after the bin days.',
  details: 'Its source core can still restore (the customer takes its data home) until the RPs leave the bin; GC then frees their packs. '
    + '`drcore admin resume TENANT` before that undoes the deletion (the RPs stay in the bin, restorable by the tenant).',
  options: {
    reason: { type: 'string', value: 'TEXT', description: 'Why (kept in the event log, shown to the source core)', required: true },
    confirm: { type: 'string', value: 'TENANT', description: 'The tenant id again: without it nothing is deleted' },
    ...ADMIN,
  },
  run: async ({ values, positionals }, io) => {
    const [tenantId] = positionals as [string];
    if (values.confirm === undefined) {
      throw new UsageError(`deleting tenant ${tenantId} needs a second step: nothing was deleted`, `repeat with --confirm ${tenantId}`);
    }
    return withAdmin(values, async (api) => {
      const r = await withHints(api.json<DeletedTenant>('POST', `/v1/admin/tenants/${encodeURIComponent(tenantId)}/delete`, { confirmTenantId: values.confirm, reason: values.reason }), {
        404: 'drcore admin tenants lists the tenants',
        409: `drcore admin tenant ${tenantId} shows when it was deleted`,
        422: `--confirm must be the tenant id itself: --confirm ${tenantId}`,
      });
      if (values.json) io.out(JSON.stringify(r));
      else io.out(`Deleted tenant ${r.tenantId} at ${r.deletedAt ?? '?'}: its writes are refused; the next retention run moves every RP into the recycle bin.`);
      return 0;
    });
  },
});
