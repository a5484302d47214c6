import type { CertificateSummary } from '../../shared/app/projections/certificates.js';
import type { MachineSummary } from '../../shared/app/projections/machines.js';
import type { TenantSummary } from '../../shared/app/projections/tenants.js';
import type { TenantVerification } from '../../shared/app/lifecycle/verify/verify-views.js';
import { describeKeep } from '../../shared/domain/retention-policy.js';
import { formatBytes } from '../args.js';
import { define, type Io } from '../command.js';
import { withHints } from '../http-client.js';
import { ADMIN } from '../options.js';
import { table } from '../table.js';
import { withAdmin } from './connect.js';

type TenantDetail = TenantSummary & { machines: Omit<MachineSummary, 'version' | 'tenantId'>[]; certificates: CertificateSummary[]; verification?: TenantVerification };

const percent = (used: number, quota: number) => (quota > 0 ? `${((100 * used) / quota).toFixed(1)} %` : '-');
const indent = (text: string) => text.split('\n').map((l) => `  ${l}`).join('\n');

export const tenants = define({
  name: 'admin tenants',
  summary: 'List tenants with their usage against quota.',
  options: { ...ADMIN },
  run: ({ values }, io) => withAdmin(values, async (api) => {
    const { items } = await api.json<{ items: TenantSummary[] }>('GET', '/v1/admin/tenants');
    if (values.json) io.out(JSON.stringify(items));
    else if (items.length === 0) io.out('no tenants yet (approve a pairing request: drcore admin approve ID --quota SIZE)');
    else {
      io.out(table([['TENANT', 'NAME', 'STATUS', 'USED', 'QUOTA', 'USE', 'E-MAIL'], ...items.map((t) => {
        const used = t.usage?.storedBytes ?? 0;
        return [t.tenantId, t.name, t.status, formatBytes(used), formatBytes(t.quotaBytes), percent(used, t.quotaBytes), t.email];
      })]));
    }
    return 0;
  }),
});

function show(t: TenantDetail, io: Io): void {
  const used = t.usage?.storedBytes ?? 0;
  io.out(`Tenant ${t.tenantId}  ${t.name}  ${t.status}`);
  io.out(indent(table([
    ['e-mail', t.email], ['customer', t.customerId ?? '-'], ['core', `${t.coreId} (pairing request ${t.pairingRequestId})`],
    ['quota', formatBytes(t.quotaBytes)], ['used', `${formatBytes(used)} (${percent(used, t.quotaBytes)})`],
    ['recycle bin', `${t.usage?.binCount ?? 0} RPs, ${formatBytes(t.usage?.binBytes ?? 0)} (not counted in used)`],
    ['retention', t.retention ? `${describeKeep(t.retention.keep)}; ${t.retention.binDays} days in the bin` : '-'], ['created', t.createdAt],
    ...(t.usage?.logicalBytes !== undefined ? [['logical', `${formatBytes(t.usage.logicalBytes)} (kept RPs before dedup and compression)`]] : []),
    ...(t.deleted ? [['deleted', `${t.deleted.deletedAt}: ${t.deleted.reason} (its RPs go through the recycle bin; \`drcore admin resume\` undoes it)`]] : []),
  ])));
  io.out('Machines:');
  if (t.machines.length === 0) io.out('  none yet');
  else {
    io.out(indent(table([['MACHINE', 'NAME', 'VOLUMES', 'RPS', 'STORED', 'LATEST RP', 'COMMITTED'], ...t.machines.map((m) => [
      m.machineId, m.name, `${m.volumes.length} (${formatBytes(m.volumes.reduce((n, v) => n + v.sizeBytes, 0))})`, String(m.rpCount),
      formatBytes(t.usage?.byMachine[m.machineId] ?? m.storedBytes), m.latestRp?.rpId ?? '-', m.latestRp?.committedAt ?? '-',
    ])])));
  }
  io.out('Certificates:');
  io.out(indent(table([['SERIAL', 'ROLE', 'STATUS', 'NOT AFTER', 'SUBJECT'], ...t.certificates.map((c) => [c.serial, c.role, c.status, c.notAfter, c.subject])])));
  const v = t.verification;
  if (v) {
    io.out(`Verification: ${v.verified} of ${v.rps} RPs verified (${v.ok} ok, ${v.damaged} damaged), last ${v.lastVerifiedAt ?? 'never'}; ${v.broken} RP(s) broken by damaged chunks`);
    for (const d of v.damagedChunks) io.out(`  DAMAGED ${d.problem} chunk ${d.chunk} (pack ${d.pack}) since ${d.detectedAt}, breaks ${d.rps.join(', ') || '(found by a read)'}`);
  }
}

export const tenant = define({
  name: 'admin tenant', args: 'ID', required: ['ID'],
  summary: 'One tenant: quota and usage, its machines with their latest recovery point, its certificates.',
  options: { ...ADMIN },
  run: ({ values, positionals }, io) => withAdmin(values, async (api) => {
    const t = await withHints(api.json<TenantDetail>('GET', `/v1/admin/tenants/${encodeURIComponent(positionals[0]!)}`), { 404: 'drcore admin tenants lists the tenants' });
    if (values.json) io.out(JSON.stringify(t)); else show(t, io);
    return 0;
  }),
});
