import { formatBytes, UsageError } from '../args.js';
import { define, type Io } from '../command.js';
import { withHints } from '../http-client.js';
import { ADMIN } from '../options.js';
import { table } from '../table.js';
import { withAdmin } from './connect.js';

const RULES = ['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const;
type Keep = Record<(typeof RULES)[number], number>;
interface Retention { keep: Keep; binDays: number }
interface MachinePlan {
  machineId: string; kept: { rpId: string; committedAt: string; by: string }[]; expired: string[];
  rolledUp: { rpId: string; onto: string | null; folded: string[] }[]; purged: string[]; failed: { rpId: string; step: string; reason: string }[];
}
interface RetentionView { tenantId: string; retention: Retention; policy: string; next?: { at: string; machines: MachinePlan[] } }

/**
 * `keep-last=3,daily=2` → the counts (the rules left out are 0); `keep-all` → every count 0.
 * Each rule as PBS writes it (keep-daily) or short (daily).
 */
export function parseKeep(text: string): Partial<Keep> {
  if (text.trim() === 'keep-all') return {};
  const keep: Partial<Keep> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(?:keep-)?([a-z]+)=(\d{1,6})$/.exec(part);
    const rule = m?.[1] as (typeof RULES)[number] | undefined;
    if (!m || !rule || !(RULES as readonly string[]).includes(rule)) {
      throw new UsageError(`not a retention rule: ${part} (try keep-last=3,daily=2: rules ${RULES.join(', ')}; or keep-all)`);
    }
    if (keep[rule] !== undefined) throw new UsageError(`keep-${rule} given twice`);
    keep[rule] = Number(m[2]);
  }
  if (Object.keys(keep).length === 0) throw new UsageError('--set needs at least one rule, e.g. keep-last=3,daily=2 (or keep-all)');
  return keep;
}

export function parseBinDays(text: string): number {
  if (!/^\d{1,4}$/.test(text)) throw new UsageError(`--bin-days takes a number of days, not ${text}`);
  return Number(text);
}

function show(v: RetentionView, io: Io): void {
  io.out(`Tenant ${v.tenantId}: ${v.policy}; the recycle bin keeps an RP ${v.retention.binDays} days`);
  if (!v.next) return;
  io.out(`The next run (as of ${v.next.at}) would:`);
  if (v.next.machines.length === 0) io.out('  nothing: no recovery points yet');
  for (const m of v.next.machines) {
    io.out(`Machine ${m.machineId}:`);
    const kept = new Map(m.kept.map((k) => [k.rpId, k.by]));
    const rows = [...m.kept.map((k) => [k.rpId, k.committedAt, `keep (${k.by})`]), ...m.expired.map((id) => [id, '', 'expire → recycle bin'])];
    if (rows.length) io.out(table([['RP', 'COMMITTED', 'ACTION'], ...rows]).split('\n').map((l) => `  ${l}`).join('\n'));
    for (const r of m.rolledUp) io.out(`  roll up ${r.rpId} ${r.onto ? `onto ${r.onto}` : 'into a base'}, folding ${r.folded.join(', ')}`);
    for (const p of m.purged) io.out(`  purge ${p} (its bin period is over)`);
    if (!m.expired.length && !m.rolledUp.length && !m.purged.length) io.out(`  nothing to do (${kept.size} kept)`);
  }
}

/** `drcore admin retention TENANT [--set RULES] [--bin-days N] [--dry-run]` */
export const retention = define({
  name: 'admin retention', args: 'TENANT', required: ['TENANT'],
  summary: "Show or change a tenant's retention; --dry-run shows what the next run would expire, roll up and purge.",
  details: [
    "Rules are Proxmox Backup Server's, per machine: keep-last, keep-hourly, keep-daily, keep-weekly, keep-monthly, keep-yearly;",
    'each keeps the newest RP of each of its last N periods, in that order, an RP kept by one rule not counted by the next.',
    'Expired RPs go to the recycle bin for --bin-days, restorable by the tenant (drcore source bin), then are purged.',
    'The retention job runs every hour; a change applies from its next run.',
  ].join('\n'),
  options: {
    set: { type: 'string', value: 'RULES', description: 'The new policy, exactly: keep-last=3,daily=2 (rules left out are 0), or keep-all' },
    'bin-days': { type: 'string', value: 'N', description: 'Days an expired or deleted RP stays in the recycle bin (1..3650)' },
    'dry-run': { type: 'boolean', description: 'Show what the next retention run would do (changes nothing)' },
    ...ADMIN,
  },
  run: ({ values, positionals }, io) => withAdmin(values, async (api) => {
    const tenantId = positionals[0]!;
    const path = `/v1/admin/tenants/${encodeURIComponent(tenantId)}/retention`;
    const hints = { 404: 'drcore admin tenants lists the tenants' };
    const keep = values.set !== undefined ? parseKeep(values.set) : undefined;
    const binDays = values['bin-days'] !== undefined ? parseBinDays(values['bin-days']) : undefined;
    if (keep !== undefined || binDays !== undefined) {
      const current = await withHints(api.json<RetentionView>('GET', path), hints);
      await withHints(api.json<RetentionView>('PUT', path, { keep: keep ?? current.retention.keep, binDays: binDays ?? current.retention.binDays }), hints);
    }
    const v = await withHints(api.json<RetentionView>('GET', `${path}${values['dry-run'] ? '?dryRun=true' : ''}`), hints);
    if (values.json) io.out(JSON.stringify(v)); else show(v, io);
    return 0;
  }),
});

interface DeletedRp { rpId: string; machineId: string; kind: string; committedAt: string; addedBytes: number; bin?: { purgeAfter: string } }

/** `drcore admin delete-rp TENANT RPID --reason TEXT --confirm RPID` */
export const deleteRp = define({
  name: 'admin delete-rp', args: 'TENANT RPID', required: ['TENANT', 'RPID'],
  summary: "Delete a tenant's recovery point into its recycle bin (a second step: --confirm with the RP id typed again).",
  details: 'The RP stays in the recycle bin for the tenant\'s bin days, restorable by the tenant (drcore source bin restore), then is purged. Nothing empties the bin sooner.',
  options: {
    reason: { type: 'string', value: 'TEXT', description: 'Why (kept in the event log)', required: true },
    confirm: { type: 'string', value: 'RPID', description: 'The RP id again: without it nothing is deleted' },
    ...ADMIN,
  },
  run: async ({ values, positionals }, io) => {
    const [tenantId, rpId] = positionals as [string, string];
    if (values.confirm === undefined) {
      throw new UsageError(`deleting ${rpId} of tenant ${tenantId} needs a second step: nothing was deleted`, `repeat with --confirm ${rpId}`);
    }
    return withAdmin(values, async (api) => {
      const r = await withHints(api.json<DeletedRp>('POST', `/v1/admin/tenants/${encodeURIComponent(tenantId)}/recovery-points/${encodeURIComponent(rpId)}/delete`,
        { confirmRpId: values.confirm, reason: values.reason }), {
        404: `drcore admin tenant ${tenantId} lists its machines`,
        422: `--confirm must be the RP id itself: --confirm ${rpId}`,
      });
      if (values.json) io.out(JSON.stringify(r));
      else io.out(`Deleted ${r.rpId} (${r.kind}, ${formatBytes(r.addedBytes)}, machine ${r.machineId}) into the recycle bin of ${tenantId}: restorable by the tenant until ${r.bin?.purgeAfter ?? '?'}.`);
      return 0;
    });
  },
});
