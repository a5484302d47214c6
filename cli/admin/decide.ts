import type { PairingView } from '../../shared/app/pairing-service.js';
import { DEFAULT_RETENTION } from '../../shared/domain/retention-policy.js';
import { formatBytes, parseSize } from '../args.js';
import { define, type Io } from '../command.js';
import { withHints } from '../http-client.js';
import { ADMIN } from '../options.js';
import { withAdmin } from './connect.js';
import { parseBinDays, parseKeep } from './retention.js';
import { parseDuration, parseLeaseEnd } from '../duration.js';

const HINTS = {
  404: 'drcore admin requests --status all lists the pairing requests',
  409: 'it was decided already: drcore admin requests --status all shows its status',
};

function show(v: PairingView, io: Io): void {
  io.out(`${v.id}  ${v.status}${v.tenantId ? `  tenant ${v.tenantId}` : ''}${v.quotaBytes ? `  quota ${formatBytes(v.quotaBytes)}` : ''}`);
  for (const f of v.feedback) io.out(`  ${f.at}  ${f.message}`);
}

function decide(values: { url: string; data: string; json: boolean | undefined }, id: string, verb: string, body: Record<string, unknown>, io: Io): Promise<number> {
  return withAdmin(values, async (api) => {
    const view = await withHints(api.json<PairingView>('POST', `/v1/admin/pairing-requests/${encodeURIComponent(id)}/${verb}`, body), HINTS);
    if (values.json) io.out(JSON.stringify(view)); else show(view, io);
    return 0;
  });
}

export const approve = define({
  name: 'admin approve', args: 'ID', required: ['ID'],
  summary: "Approve a pairing request: creates the tenant with its quota and signs the source core's certificate.",
  options: {
    quota: { type: 'string', value: 'SIZE', description: 'Storage quota of the tenant: 500GiB, 2TB or bytes', required: true },
    'customer-id': { type: 'string', value: 'ID', description: "The customer's id in your records (default: the one the source sent)" },
    note: { type: 'string', value: 'TEXT', description: 'A note kept with the decision' },
    retention: { type: 'string', value: 'RULES', description: "The tenant's retention, e.g. keep-last=3,daily=2 (default: drcore's default policy; see drcore admin retention --help)" },
    'bin-days': { type: 'string', value: 'N', description: 'Days an expired or deleted RP stays in the recycle bin (default 14)' },
    rpo: { type: 'string', value: 'TARGET', description: "The tenant's RPO target (15m, 4h, 1d): drcore admin lag measures its machines against it" },
    lease: { type: 'string', value: 'WHEN', description: "The tenant's lease end (2027-06-30 or a UTC time): writes refused after it, reads kept" },
    ...ADMIN,
  },
  run: ({ values, positionals }, io) => decide(values, positionals[0]!, 'approve', {
    quotaBytes: parseSize(values.quota),
    ...(values['customer-id'] ? { customerId: values['customer-id'] } : {}), ...(values.note ? { note: values.note } : {}),
    ...(values.retention !== undefined || values['bin-days'] !== undefined ? {
      retention: {
        keep: values.retention !== undefined ? parseKeep(values.retention) : DEFAULT_RETENTION.keep,
        ...(values['bin-days'] !== undefined ? { binDays: parseBinDays(values['bin-days']) } : {}),
      },
    } : {}),
    ...(values.rpo !== undefined ? { rpoTargetSeconds: parseDuration(values.rpo, 'an RPO target') } : {}),
    ...(values.lease !== undefined ? { leaseEndsAt: parseLeaseEnd(values.lease) } : {}),
  }, io),
});

export const reject = define({
  name: 'admin reject', args: 'ID', required: ['ID'],
  summary: 'Reject a pairing request; the source core sees the reason.',
  options: {
    reason: { type: 'string', value: 'TEXT', description: 'Why, as the source core will read it', required: true },
    ...ADMIN,
  },
  run: ({ values, positionals }, io) => decide(values, positionals[0]!, 'reject', { reason: values.reason }, io),
});

export const ignore = define({
  name: 'admin ignore', args: 'ID', required: ['ID'],
  summary: 'Ignore a pairing request: it leaves the queue without an answer to the source core.',
  options: { ...ADMIN },
  run: ({ values, positionals }, io) => decide(values, positionals[0]!, 'ignore', {}, io),
});
