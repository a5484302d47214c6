import { isValidId } from '../../shared/ids.js';
import { ProgressBar, humanBytes } from './progress.js';
import { replicate } from '../../source/replicate.js';
import { parseVolumeSpec, type ReadPath, type VolumeSpec } from '../../source/volume.js';
import { parse, UsageError } from '../args.js';
import { parallelOf, sourceApi } from './connect.js';

type Out = (line: string) => void;
const err = (line: string) => process.stderr.write(`${line}\n`);

/**
 * `drcore source replicate --machine ID --volume NAME=PATH [--volume …] [--parallel N]
 * [--threads N] [--state DIR] [--target URL] [--json]`
 */
export async function replicateCommand(argv: string[], out: Out): Promise<number> {
  const { values } = parse(argv, {
    machine: { type: 'string' }, volume: { type: 'string', multiple: true }, parallel: { type: 'string' },
    threads: { type: 'string' }, state: { type: 'string' }, target: { type: 'string' }, json: { type: 'boolean' },
  });
  if (!values.machine || !isValidId(values.machine)) throw new UsageError('--machine ID is required ([A-Za-z0-9._-]{1,64})');
  if (!values.volume?.length) throw new UsageError('at least one --volume NAME=PATH is required');
  let volumes: VolumeSpec[];
  try { volumes = values.volume.map(parseVolumeSpec); } catch (e) { throw new UsageError((e as Error).message); }
  const parallel = parallelOf(values.parallel);
  const threads = values.threads === undefined ? undefined : parallelOf(values.threads);
  const { api, client, dir } = sourceApi(values, parallel);
  const bar = new ProgressBar(process.stderr);
  try {
    const r = await replicate({
      api, stateDir: dir, machineId: values.machine, volumes, parallel, ...(threads ? { threads } : {}),
      log: (line) => { bar.done(); err(line); },
      progress: (p) => bar.update({ label: values.machine!, done: p.done, total: p.total, note: `sent ${humanBytes(p.sent)}` }),
    });
    bar.done();
    const summary = { rpId: r.rpId, kind: r.kind, bytesRead: r.bytesRead, bytesSent: r.bytesSent, bytesChanged: r.bytesChanged, seconds: Number(r.seconds.toFixed(3)), reads: r.reads };
    if (values.json) out(JSON.stringify(summary));
    else {
      const rate = r.seconds > 0 ? humanBytes(r.bytesRead / r.seconds) : '-';
      out(`${r.recovered ? 'Recorded' : 'Committed'} ${r.kind} recovery point ${r.rpId} of ${values.machine}`);
      out(`  read ${humanBytes(r.bytesRead)} in ${r.seconds.toFixed(1)} s (${rate}/s); changed ${humanBytes(r.bytesChanged)}; sent ${humanBytes(r.bytesSent)} in ${r.packs} packs`);
      const how: Record<ReadPath, string> = { buffered: 'buffered (disk image)', direct: 'from the device with O_DIRECT', flushed: 'after flushing its buffer cache' };
      for (const [name, path] of Object.entries(r.reads)) out(`  read ${name} ${how[path]}`);
      out(`  extents: ${r.extents.full} full, ${r.extents.delta} delta, ${r.extents.zero} zero, ${r.extents.unchanged} unchanged or empty`);
    }
    return 0;
  } finally {
    bar.done();
    client.close();
  }
}
