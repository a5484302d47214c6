import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { isValidId } from '../../shared/ids.js';
import { ReplicationApiError } from '../../source/client.js';
import { ProgressBar, humanBytes } from './progress.js';
import { RecoveryPointNotFoundError, restore, RestoreRefusedError } from '../../source/restore.js';
import { CliError, UsageError } from '../args.js';
import { define } from '../command.js';
import { JSON_OUTPUT, PARALLEL, SOURCE } from '../options.js';
import { parallelOf, sourceApi } from './connect.js';

const MACHINE = { machine: { type: 'string', value: 'ID', description: 'The machine, as replicated ([A-Za-z0-9._-]{1,64})', required: true } } as const;

function machineOf(id: string): string {
  if (!isValidId(id)) throw new UsageError(`--machine must match [A-Za-z0-9._-]{1,64}, not ${id}`);
  return id;
}

/** Restore failures the CLI says in one line: an unknown machine or RP (and where to look), a refusal to write. */
function cliErrorOf(err: unknown, machineId: string): unknown {
  if (err instanceof RecoveryPointNotFoundError || (err instanceof ReplicationApiError && err.status === 404)) {
    return new CliError((err as Error).message, `drcore source list --machine ${machineId} lists its recovery points`, { cause: err });
  }
  // A refusal's message already says what to do (e.g. pass --force): one line, no hint.
  if (err instanceof RestoreRefusedError) return new CliError(err.message, undefined, { cause: err });
  return err;
}

/** `drcore source restore --machine ID [--rp RPID|latest] --out DIR` */
export const restoreCommand = define({
  name: 'source restore',
  summary: 'Restore a recovery point as DIR/NAME.img per volume (sparse), verifying every chunk.',
  options: {
    ...MACHINE,
    rp: { type: 'string', value: 'RPID', description: 'The recovery point, or latest', default: 'latest' },
    out: { type: 'string', value: 'DIR', description: 'Where to write the volume images', required: true },
    force: { type: 'boolean', description: 'Replace DIR/NAME.img if it exists (never without this flag)' },
    ...PARALLEL, ...SOURCE, ...JSON_OUTPUT,
  },
  run: async ({ values }, io) => {
    const machineId = machineOf(values.machine);
    if (values.rp !== 'latest' && !isValidId(values.rp)) throw new UsageError(`--rp takes an RP id or latest, not ${values.rp}`);
    const outDir = resolve(values.out);
    mkdirSync(outDir, { recursive: true });
    const parallel = parallelOf(values.parallel);
    const { api, client } = sourceApi(values, parallel);
    const bar = new ProgressBar(process.stderr);
    try {
      const r = await restore({
        api, machineId, rp: values.rp, outDir, parallel, force: values.force === true,
        progress: (p) => bar.update({ label: `restore ${machineId}`, done: p.done, total: p.total }),
      }).catch((e: unknown) => { throw cliErrorOf(e, machineId); });
      bar.done();
      if (values.json) {
        io.out(JSON.stringify({ rpId: r.rpId, kind: r.kind, chain: r.chain, bytesRestored: r.bytesRestored, bytesWritten: r.bytesWritten, bytesFetched: r.bytesFetched, seconds: Number(r.seconds.toFixed(3)), files: r.files }));
      } else {
        io.out(`Restored ${r.kind} recovery point ${r.rpId} (chain of ${r.chain.length}) in ${r.seconds.toFixed(1)} s; every chunk verified`);
        for (const f of r.files) io.out(`  ${f.file}  ${humanBytes(f.sizeBytes)}`);
        io.out(`  fetched ${humanBytes(r.bytesFetched)}, wrote ${humanBytes(r.bytesWritten)} (the rest left sparse)`);
      }
      return 0;
    } finally {
      bar.done();
      client.close();
    }
  },
});

/** `drcore source list --machine ID` */
export const listCommand = define({
  name: 'source list',
  summary: "List a machine's committed recovery points, oldest first.",
  options: { ...MACHINE, ...SOURCE, ...JSON_OUTPUT },
  run: async ({ values }, io) => {
    const machineId = machineOf(values.machine);
    const { api, client } = sourceApi(values, 1);
    try {
      const items = await api.recoveryPoints(machineId).catch((e: unknown) => {
        if (e instanceof ReplicationApiError && e.status === 404) {
          throw new CliError(e.message, `replicate it first: drcore source replicate --machine ${machineId} --volume NAME=PATH`, { cause: e });
        }
        throw e;
      });
      if (values.json) { io.out(JSON.stringify({ items })); return 0; }
      if (!items.length) { io.out(`No recovery point of ${machineId} yet.`); return 0; }
      io.out(['RP'.padEnd(34), 'KIND'.padEnd(11), 'COMMITTED'.padEnd(24), 'SIZE'.padEnd(10), 'PARENT'].join(' '));
      for (const rp of items) {
        const size = humanBytes(rp.volumes.reduce((n, v) => n + v.sizeBytes, 0));
        io.out([rp.rpId.padEnd(34), rp.kind.padEnd(11), rp.committedAt.padEnd(24), size.padEnd(10), rp.parentRpId ?? '-'].join(' '));
      }
      return 0;
    } finally { client.close(); }
  },
});
