/**
 * `drcore admin pause | resume | lease | rpo | lag`: the operator's control of incoming
 * replication (issue 13). `resume` lifts a pause of replication, or else a suspension (the older
 * meaning of the command), so that one word resumes a tenant whatever stopped it.
 */
import type { ReplicationControlView } from '../../shared/app/replication-control-service.js';
import type { LagReport } from '../../shared/app/lifecycle/rpo-lag.js';
import type { TenantStatusView } from '../../shared/app/tenant-service.js';
import { isValidId } from '../../shared/ids.js';
import { UsageError } from '../args.js';
import { define, type Io } from '../command.js';
import { formatDuration, parseDuration, parseLeaseEnd } from '../duration.js';
import { ApiError, withHints } from '../http-client.js';
import { ADMIN } from '../options.js';
import { table } from '../table.js';
import { parseRate } from '../../source/bandwidth/bandwidth-limit.js';
import { withAdmin } from './connect.js';

const HINTS = { 404: 'drcore admin tenants lists the tenants; drcore admin tenant ID its machines', 409: 'drcore admin lag shows what is paused' };
const enc = encodeURIComponent;

function scopePath(tenantId: string, machine: string | undefined): string {
  if (machine !== undefined && !isValidId(machine)) throw new UsageError(`--machine must match [A-Za-z0-9._-]{1,64}, not ${machine}`);
  return machine === undefined ? `/v1/admin/tenants/${enc(tenantId)}/replication` : `/v1/admin/tenants/${enc(tenantId)}/machines/${enc(machine)}/replication`;
}

function show(v: ReplicationControlView, io: Io, json: boolean | undefined): void {
  if (json) return io.out(JSON.stringify(v));
  const who = v.machineId ? `machine ${v.machineId} of ${v.tenantId}` : `tenant ${v.tenantId}`;
  io.out(`${who}: replication ${v.paused ? `paused (${v.pausedReason})` : 'accepted'}`
    + `${v.leaseEndsAt ? `; lease ends ${v.leaseEndsAt}` : ''}${v.rpoTargetSeconds ? `; RPO target ${formatDuration(v.rpoTargetSeconds)}` : ''}`);
}

export const pause = define({
  name: 'admin pause', args: 'TENANT', required: ['TENANT'],
  summary: "Pause a tenant's (or one machine's) incoming replication: its source gets 423 with the reason, waits, and goes on once resumed.",
  options: {
    machine: { type: 'string', value: 'ID', description: 'Only this machine of the tenant' },
    reason: { type: 'string', value: 'TEXT', description: "Why, as the tenant's source core will read it", required: true },
    ...ADMIN,
  },
  run: ({ values, positionals }, io) => withAdmin(values, async (api) => {
    const v = await withHints(api.json<ReplicationControlView>('POST', `${scopePath(positionals[0]!, values.machine)}/pause`, { reason: values.reason }), HINTS);
    show(v, io, values.json);
    return 0;
  }),
});

export const resume = define({
  name: 'admin resume', args: 'TENANT', required: ['TENANT'],
  summary: "Resume a tenant's (or one machine's) paused replication; a tenant not paused but suspended is resumed from its suspension.",
  options: { machine: { type: 'string', value: 'ID', description: 'Only this machine of the tenant' }, ...ADMIN },
  run: ({ values, positionals }, io) => withAdmin(values, async (api) => {
    const tenantId = positionals[0]!;
    try {
      show(await api.json<ReplicationControlView>('POST', `${scopePath(tenantId, values.machine)}/resume`, {}), io, values.json);
      return 0;
    } catch (e) {
      if (values.machine !== undefined || !(e instanceof ApiError) || e.status !== 409) return withHints(Promise.reject(e), HINTS);
    }
    const v = await withHints(api.json<TenantStatusView>('POST', `/v1/admin/tenants/${enc(tenantId)}/resume`, {}), HINTS);
    if (values.json) io.out(JSON.stringify(v));
    else io.out(`tenant ${v.tenantId}: ${v.status} (its replication was not paused; its suspension is lifted)`);
    return 0;
  }),
});

export const lease = define({
  name: 'admin lease', args: 'TENANT', required: ['TENANT'],
  summary: "Set (--ends DAY|TIME) or clear (--none) a tenant's lease end: after it, writes are refused and reads keep working.",
  options: {
    ends: { type: 'string', value: 'WHEN', description: 'A day (2027-06-30, its start in UTC) or a UTC time (2027-06-30T18:00:00Z)' },
    none: { type: 'boolean', description: 'No lease end' },
    ...ADMIN,
  },
  run: ({ values, positionals }, io) => withAdmin(values, async (api) => {
    if ((values.ends === undefined) === !values.none) throw new UsageError('give either --ends WHEN or --none');
    const leaseEndsAt = values.none ? null : parseLeaseEnd(values.ends!);
    show(await withHints(api.json<ReplicationControlView>('PUT', `/v1/admin/tenants/${enc(positionals[0]!)}/lease`, { leaseEndsAt }), HINTS), io, values.json);
    return 0;
  }),
});

export const rpo = define({
  name: 'admin rpo', args: 'TENANT TARGET', required: ['TENANT', 'TARGET'],
  summary: "Set a tenant's RPO target (15m, 4h, 1d; 'none' clears it): drcore admin lag measures each machine against it.",
  options: { ...ADMIN },
  run: ({ values, positionals }, io) => withAdmin(values, async (api) => {
    const target = positionals[1]!;
    const rpoTargetSeconds = target === 'none' ? null : parseDuration(target, 'an RPO target');
    show(await withHints(api.json<ReplicationControlView>('PUT', `/v1/admin/tenants/${enc(positionals[0]!)}/rpo`, { rpoTargetSeconds }), HINTS), io, values.json);
    return 0;
  }),
});

export const bandwidth = define({
  name: 'admin bandwidth', args: 'TENANT RATE', required: ['TENANT', 'RATE'],
  summary: "Set a tenant's upload limit (20Mbit, 5MiB per second; 'none' clears it): its source cores are told in every pack answer and obey.",
  options: { ...ADMIN },
  run: ({ values, positionals }, io) => withAdmin(values, async (api) => {
    let bytesPerSecond: number | null;
    try {
      const rate = parseRate(positionals[1]!);
      bytesPerSecond = rate === Infinity ? null : Math.round(rate);
    } catch (e) { throw new UsageError((e as Error).message); }
    const v = await withHints(api.json<ReplicationControlView>('PUT', `/v1/admin/tenants/${enc(positionals[0]!)}/bandwidth`, { bytesPerSecond }), HINTS);
    if (values.json) io.out(JSON.stringify(v));
    else io.out(`tenant ${v.tenantId}: upload limit ${v.bandwidthLimitBytesPerSecond ? `${(v.bandwidthLimitBytesPerSecond * 8 / 1e6).toFixed(1)} Mbit/s` : 'none'}`);
    return 0;
  }),
});

const COMPLIANCE: Record<string, string> = { within: 'within', exceeded: 'EXCEEDED', 'severely-exceeded': 'SEVERELY EXCEEDED', critical: 'CRITICAL' };

export const lag = define({
  name: 'admin lag',
  summary: 'Per machine: the time since its last committed RP against its RPO target, and the compliance (within, exceeded ≤ 2×, severely exceeded ≤ 4×, critical).',
  options: { tenant: { type: 'string', value: 'ID', description: 'One tenant only' }, ...ADMIN },
  run: ({ values }, io) => withAdmin(values, async (api) => {
    const query = values.tenant !== undefined ? `?tenant=${enc(values.tenant)}` : '';
    const r = await withHints(api.json<LagReport>('GET', `/v1/admin/lag${query}`), HINTS);
    if (values.json) io.out(JSON.stringify(r));
    else if (r.items.length === 0) io.out('no machines yet');
    else {
      io.out(table([['TENANT', 'MACHINE', 'LAST RP', 'LAG', 'RPO', 'COMPLIANCE', 'PAUSED'], ...r.items.map((i) => [
        i.tenantId, i.machineId, i.lastCommittedAt ?? 'never', formatDuration(i.lagSeconds), i.rpoTargetSeconds === null ? '-' : formatDuration(i.rpoTargetSeconds),
        i.compliance === null ? '-' : COMPLIANCE[i.compliance] ?? i.compliance, i.paused ?? '-',
      ])]));
    }
    return 0;
  }),
});
