import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { isValidId } from '../../shared/ids.js';
import { ProgressBar, humanBytes } from './progress.js';
import { restore, RestoreRefusedError } from '../../source/restore.js';
import { parse, UsageError } from '../args.js';
import { parallelOf, sourceApi } from './connect.js';

type Out = (line: string) => void;

/** `drcore source restore --machine ID [--rp RPID|latest] --out DIR [--force] [--parallel N] [--state DIR] [--json]` */
export async function restoreCommand(argv: string[], out: Out): Promise<number> {
  const { values } = parse(argv, {
    machine: { type: 'string' }, rp: { type: 'string', default: 'latest' }, out: { type: 'string' }, parallel: { type: 'string' },
    state: { type: 'string' }, target: { type: 'string' }, json: { type: 'boolean' }, force: { type: 'boolean' },
  });
  if (!values.machine || !isValidId(values.machine)) throw new UsageError('--machine ID is required');
  if (values.rp !== 'latest' && !isValidId(values.rp)) throw new UsageError('--rp takes an RP id or latest');
  if (!values.out) throw new UsageError('--out DIR is required');
  const outDir = resolve(values.out);
  mkdirSync(outDir, { recursive: true });
  const parallel = parallelOf(values.parallel);
  const { api, client } = sourceApi(values, parallel);
  const bar = new ProgressBar(process.stderr);
  try {
    const r = await restore({
      api, machineId: values.machine, rp: values.rp, outDir, parallel, force: values.force === true,
      progress: (p) => bar.update({ label: `restore ${values.machine}`, done: p.done, total: p.total }),
    });
    bar.done();
    if (values.json) {
      out(JSON.stringify({ rpId: r.rpId, kind: r.kind, chain: r.chain, bytesRestored: r.bytesRestored, bytesWritten: r.bytesWritten, bytesFetched: r.bytesFetched, seconds: Number(r.seconds.toFixed(3)), files: r.files }));
    } else {
      out(`Restored ${r.kind} recovery point ${r.rpId} (chain of ${r.chain.length}) in ${r.seconds.toFixed(1)} s; every chunk verified`);
      for (const f of r.files) out(`  ${f.file}  ${humanBytes(f.sizeBytes)}`);
      out(`  fetched ${humanBytes(r.bytesFetched)}, wrote ${humanBytes(r.bytesWritten)} (the rest left sparse)`);
    }
    return 0;
  } catch (err) {
    if (!(err instanceof RestoreRefusedError)) throw err;
    bar.done();
    process.stderr.write(`drcore: ${err.message}\n`);
    return 1;
  } finally {
    bar.done();
    client.close();
  }
}

/** `drcore source list --machine ID [--json]` */
export async function listCommand(argv: string[], out: Out): Promise<number> {
  const { values } = parse(argv, { machine: { type: 'string' }, state: { type: 'string' }, target: { type: 'string' }, json: { type: 'boolean' } });
  if (!values.machine || !isValidId(values.machine)) throw new UsageError('--machine ID is required');
  const { api, client } = sourceApi(values, 1);
  try {
    const items = await api.recoveryPoints(values.machine);
    if (values.json) { out(JSON.stringify({ items })); return 0; }
    if (!items.length) { out(`No recovery point of ${values.machine} yet.`); return 0; }
    out(['RP'.padEnd(34), 'KIND'.padEnd(11), 'COMMITTED'.padEnd(24), 'PARENT'].join(' '));
    for (const rp of items) out([rp.rpId.padEnd(34), rp.kind.padEnd(11), rp.committedAt.padEnd(24), rp.parentRpId ?? '-'].join(' '));
    return 0;
  } finally { client.close(); }
}
