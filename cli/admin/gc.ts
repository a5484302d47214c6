import type { GcStatus } from '../../shared/app/lifecycle/gc/gc-service.js';
import { formatBytes, UsageError } from '../args.js';
import { define, type Io } from '../command.js';
import { withHints, type ApiClient } from '../http-client.js';
import { ADMIN } from '../options.js';
import { table } from '../table.js';
import { withAdmin } from './connect.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (name: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new UsageError(`--${name} is a whole number of seconds`);
  return Number(text);
};

/** Starts the tenant's run and follows it to its end; its status at the end. */
async function collect(api: ApiClient, tenantId: string, body: Record<string, unknown>, io: Io, quiet: boolean): Promise<GcStatus> {
  const path = `/v1/admin/tenants/${encodeURIComponent(tenantId)}/gc`;
  const { runId } = await withHints(api.json<{ runId: string }>('POST', path, body), {
    404: 'drcore admin tenants lists the tenants', 409: `a run is under way: drcore admin gc --tenant ${tenantId} --follow, or cancel it with --cancel`,
  });
  return follow(api, tenantId, runId, io, quiet);
}

async function follow(api: ApiClient, tenantId: string, runId: string, io: Io, quiet: boolean): Promise<GcStatus> {
  const path = `/v1/admin/tenants/${encodeURIComponent(tenantId)}/gc`;
  let shown = '';
  for (;;) {
    const s = await api.json<GcStatus>('GET', path);
    if (s.status === 'idle' || s.runId !== runId) return s;
    const line = `${tenantId}: ${s.phase}${s.notBefore ? ` (settling until ${s.notBefore})` : ''}`;
    if (!quiet && line !== shown) { io.err(line); shown = line; }
    await sleep(500);
  }
}

const n = (c: Record<string, number> | undefined, k: string) => c?.[k] ?? 0;

export const gc = define({
  name: 'admin gc',
  summary: "Collect garbage: free the packs no live recovery point or upload in flight references, repack mostly dead ones; report the bytes freed per tenant.",
  details: 'A run marks every chunk of every live RP (committed and not purged; an expired RP in the recycle bin is live) and of every upload within the grace period, '
    + 'then deletes the packs nothing marks that are older than the grace period, after a settle that outlasts any upload in flight; the storage counter follows exactly. '
    + 'The runs take bounded steps on the workflow queue (on AWS: the workflow worker); this command starts one per tenant and follows it. Memory does not grow with the number of chunks.',
  options: {
    ...ADMIN,
    tenant: { type: 'string', value: 'ID', description: 'Only this tenant (default: every tenant, one after the other)' },
    'dry-run': { type: 'boolean', description: 'Report what would be freed and repacked; change nothing' },
    grace: { type: 'string', value: 'SECONDS', description: 'Keep packs and uploads younger than this (default 88,500: 24 h 5 min)' },
    settle: { type: 'string', value: 'SECONDS', description: 'Wait between condemning packs and deleting them (default 120)' },
    'repack-below': { type: 'string', value: 'PERCENT', description: 'Repack packs with less than this share of live bytes (default 50; 0: never)' },
    follow: { type: 'boolean', description: 'Follow the run under way of --tenant instead of starting one' },
    cancel: { type: 'string', value: 'REASON', description: 'Cancel the run under way of --tenant' },
  },
  run: ({ values }, io) => withAdmin(values, async (api) => {
    const one = values.tenant;
    if ((values.follow || values.cancel !== undefined) && one === undefined) throw new UsageError('--follow and --cancel need --tenant');
    if (values.cancel !== undefined) {
      const s = await api.json<GcStatus>('GET', `/v1/admin/tenants/${encodeURIComponent(one!)}/gc`);
      if (s.status !== 'running') { io.out(`no GC run of ${one} is under way`); return 1; }
      await api.json('POST', `/v1/admin/tenants/${encodeURIComponent(one!)}/gc/cancel`, { runId: s.runId, reason: values.cancel });
      io.out(`cancelled ${s.runId}`);
      return 0;
    }
    const repack = values['repack-below'];
    if (repack !== undefined && !(/^\d+(\.\d+)?$/.test(repack) && Number(repack) <= 100)) throw new UsageError('--repack-below is a percentage, 0..100');
    const body = {
      ...(values['dry-run'] ? { dryRun: true } : {}),
      ...(values.grace !== undefined ? { graceSeconds: seconds('grace', values.grace) } : {}),
      ...(values.settle !== undefined ? { settleSeconds: seconds('settle', values.settle) } : {}),
      ...(repack !== undefined ? { repackBelowPercent: Number(repack) } : {}),
    };
    const tenants = one !== undefined ? [one] : (await api.json<{ items: { tenantId: string }[] }>('GET', '/v1/admin/tenants')).items.map((t) => t.tenantId);
    const results: GcStatus[] = [];
    for (const t of tenants) {
      if (values.follow) {
        const s = await api.json<GcStatus>('GET', `/v1/admin/tenants/${encodeURIComponent(t)}/gc`);
        results.push(s.status === 'running' && s.runId ? await follow(api, t, s.runId, io, values.json === true) : s);
      } else results.push(await collect(api, t, body, io, values.json === true));
    }
    if (values.json) { io.out(JSON.stringify(results.map((r) => ({ tenantId: r.tenantId, ...r.last })))); return 0; }
    const dry = values['dry-run'] === true;
    io.out(table([
      ['TENANT', dry ? 'WOULD FREE' : 'FREED', 'PACKS', 'REPACKED', 'WRITTEN', 'NET', 'KEPT (GRACE)', 'LIVE RPS', 'PURGED RPS', 'ABANDONED'],
      ...results.map((r) => {
        const c = r.last?.counters;
        const freed = dry ? n(c, 'deadBytes') : n(c, 'freedBytes');
        return [r.tenantId, formatBytes(freed), String(dry ? n(c, 'deadPacks') : n(c, 'freedPacks')),
          dry ? `${n(c, 'repackCandidates')} (would)` : String(n(c, 'repackedPacks')), formatBytes(n(c, 'repackWrittenBytes')),
          formatBytes(freed - n(c, 'repackWrittenBytes')), formatBytes(n(c, 'youngBytes')), String(n(c, 'liveRps')), String(n(c, 'purgedRps')), String(n(c, 'abandonedRps'))];
      }),
    ]));
    return 0;
  }),
});
