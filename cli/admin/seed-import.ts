import type { SeedImportView } from '../../shared/app/seed/seed-import-job.js';
import { CliError, UsageError } from '../args.js';
import { define, type Io } from '../command.js';
import { withHints } from '../http-client.js';
import { ADMIN } from '../options.js';
import { table } from '../table.js';
import { humanBytes } from '../source/progress.js';
import { withAdmin } from './connect.js';

const pct = (v: Pick<SeedImportView, 'bytesDone' | 'bytesTotal'>): string => (v.bytesTotal ? `${Math.floor(((v.bytesDone ?? 0) / v.bytesTotal) * 100)}%` : '-');

function showOne(v: SeedImportView, io: Io): void {
  io.out(`Seed import ${v.importId} of ${v.prefix} for ${v.tenantId}: ${v.status}${v.phase ? ` (${v.phase} ${v.filesDone ?? 0}/${v.filesTotal ?? 0} files, ${pct(v)})` : ''}`);
  if (v.status === 'completed') io.out(`  seed ${v.seedId}: committed ${v.rpIds?.join(', ')} of machine ${v.machineId}; ${humanBytes(v.storedBytes ?? 0)} added to the tenant's usage`);
  if (v.status === 'failed') {
    io.out(`  failed: ${v.reason ?? ''} — nothing of the seed is visible`);
    if (v.problems.length > 0) io.out(table([['FILE', 'PROBLEM'], ...v.problems.map((p) => [p.file, p.problem])]));
  }
}

/** `drcore admin seed import --tenant T --from DIR`: imports a seed from the seed inbox, a queued job with feedback at each step. */
export const seedImport = define({
  name: 'admin seed', args: 'import', required: ['ACTION'],
  summary: 'Import a seed (recovery points shipped on external media) from the seed inbox for a tenant.',
  details: 'The server reads only from its seed inbox (drcore serve --seed-inbox, default DATA/seed-inbox; on AWS the seed-inbox/ prefix of the data bucket): '
    + 'copy the media folders (medium-01, …) into one folder there and name it with --from (relative to the inbox, or an absolute path inside it). '
    + 'The workflow worker verifies every file and chunk, stores the packs and commits the recovery points; nothing is visible until it is complete. '
    + 'This follows the import until it ends (--no-wait: just start it); a failure names each bad file.',
  options: {
    tenant: { type: 'string', value: 'TENANT', description: 'The tenant the seed is for', required: true },
    from: { type: 'string', value: 'DIR', description: 'The seed\'s folder in the seed inbox', required: true },
    'no-wait': { type: 'boolean', description: 'Start the import and print its id without following it' },
    wait: { type: 'string', value: 'SECONDS', description: 'How long to follow it at most', default: '3600' },
    ...ADMIN,
  },
  run: ({ values, positionals }, io) => withAdmin(values, async (api) => {
    if (positionals[0] !== 'import') throw new UsageError(`drcore admin seed import …: the action is import, not ${positionals[0]}`);
    const waitSeconds = Number(values.wait);
    if (!(Number.isFinite(waitSeconds) && waitSeconds > 0)) throw new UsageError(`--wait must be a number of seconds, not ${values.wait}`);
    let v = await withHints(api.json<SeedImportView>('POST', '/v1/admin/seed-imports', { tenantId: values.tenant, prefix: values.from }), {
      404: 'drcore admin tenants lists the tenants', 400: 'copy the media into the seed inbox (drcore serve --seed-inbox) and name the folder relative to it',
    });
    const path = `/v1/admin/seed-imports/${encodeURIComponent(v.importId)}`;
    if (!values['no-wait']) {
      const end = Date.now() + waitSeconds * 1000;
      let shown = '';
      while (v.status === 'running') {
        if (Date.now() > end) throw new CliError(`seed import ${v.importId} still runs after ${waitSeconds} s`, `follow it with drcore admin seed-imports ${v.importId}`);
        const line = `${v.phase ?? 'queued'} ${v.filesDone ?? 0}/${v.filesTotal ?? '?'} files ${pct(v)}`;
        if (line !== shown && !values.json) { io.err(`  ${line}`); shown = line; }
        await new Promise((ok) => setTimeout(ok, 250));
        v = await api.json<SeedImportView>('GET', path);
      }
    }
    if (values.json) io.out(JSON.stringify(v));
    else showOne(v, io);
    return v.status === 'failed' ? 1 : 0;
  }),
});

/** `drcore admin seed-imports [IMPORT]`: the seed imports with their status and failures. */
export const seedImports = define({
  name: 'admin seed-imports', args: '[IMPORT]',
  summary: 'List seed imports with status, progress and failures; with an import id, that import and each bad file.',
  options: { tenant: { type: 'string', value: 'TENANT', description: 'Only this tenant\'s imports' }, ...ADMIN },
  run: ({ values, positionals }, io) => withAdmin(values, async (api) => {
    if (positionals[0]) {
      const v = await api.json<SeedImportView>('GET', `/v1/admin/seed-imports/${encodeURIComponent(positionals[0])}`);
      if (values.json) io.out(JSON.stringify(v));
      else showOne(v, io);
      return 0;
    }
    const q = values.tenant ? `?tenantId=${encodeURIComponent(values.tenant)}` : '';
    const { items } = await api.json<{ items: SeedImportView[] }>('GET', `/v1/admin/seed-imports${q}`);
    if (values.json) { io.out(JSON.stringify({ items })); return 0; }
    if (items.length === 0) { io.out('No seed imports.'); return 0; }
    io.out(table([['IMPORT', 'TENANT', 'STATUS', 'PHASE', 'PROGRESS', 'SEED', 'RECOVERY POINTS', 'REQUESTED', 'REASON'], ...items.map((v) => [
      v.importId, v.tenantId, v.status, v.phase ?? '-', pct(v), v.seedId ?? '-', v.rpIds?.join(' ') ?? '-', v.requestedAt, v.reason ?? '',
    ])]));
    return 0;
  }),
});
