import { isValidId } from '../../shared/ids.js';
import { ProgressBar, humanBytes } from './progress.js';
import { consistencyOf, SNAPSHOT_OPTIONS } from './snapshot-options.js';
import { BANDWIDTH_OPTIONS, bandwidthOf } from './bandwidth-options.js';
import { consistentReplicate } from '../../source/snapshot/consistent-replicate.js';
import { parseVolumeSpec, type ReadPath, type VolumeSpec } from '../../source/volume.js';
import { UsageError } from '../args.js';
import { define } from '../command.js';
import { JSON_OUTPUT, PARALLEL, SOURCE } from '../options.js';
import { parallelOf, sourceApi } from './connect.js';

/** `drcore source replicate --machine ID --volume NAME=PATH [--volume …]` */
export const replicateCommand = define({
  name: 'source replicate',
  summary: "Replicate a machine's volumes (disk images or block devices, read-only) as a recovery point: a base first, then incrementals.",
  details: 'Progress goes to stderr (a bar on a terminal). Killed at any point, a rerun resumes and sends only what the target lacks.',
  options: {
    machine: { type: 'string', value: 'ID', description: 'The machine ([A-Za-z0-9._-]{1,64})', required: true },
    volume: { type: 'string', value: 'NAME=PATH', description: 'A volume: its name and the image or device to read', multiple: true, required: true },
    ...PARALLEL,
    threads: { type: 'string', value: 'N', description: 'Worker threads for hashing and compression, 1..64 (default: from the CPU count)' },
    ...SNAPSHOT_OPTIONS,
    ...BANDWIDTH_OPTIONS,
    ...SOURCE, ...JSON_OUTPUT,
  },
  run: async ({ values }, io) => {
    if (!isValidId(values.machine)) throw new UsageError(`--machine must match [A-Za-z0-9._-]{1,64}, not ${values.machine}`);
    if (!values.volume?.length) throw new UsageError('missing --volume NAME=PATH');
    let volumes: VolumeSpec[];
    try { volumes = values.volume.map(parseVolumeSpec); } catch (e) { throw new UsageError((e as Error).message); }
    const consistency = consistencyOf(values);
    const parallel = parallelOf(values.parallel);
    const threads = values.threads === undefined ? undefined : parallelOf(values.threads);
    const { api, client, dir } = sourceApi(values, parallel, bandwidthOf(values));
    const bar = new ProgressBar(process.stderr);
    try {
      const r = await consistentReplicate({
        api, stateDir: dir, machineId: values.machine, volumes, parallel, ...(threads ? { threads } : {}),
        log: (line) => { bar.done(); io.err(line); },
        progress: (p) => bar.update({ label: values.machine, done: p.done, total: p.total, note: `sent ${humanBytes(p.sent)}` }),
      }, consistency);
      bar.done();
      const summary = {
        rpId: r.rpId, kind: r.kind, bytesRead: r.bytesRead, bytesSent: r.bytesSent, bytesChanged: r.bytesChanged, seconds: Number(r.seconds.toFixed(3)), reads: r.reads,
        ...(r.waitingForSeed ? { waitingForSeed: r.waitingForSeed } : {}),
      };
      if (values.json) io.out(JSON.stringify(summary));
      else {
        const rate = r.seconds > 0 ? humanBytes(r.bytesRead / r.seconds) : '-';
        io.out(r.waitingForSeed
          ? `Stored ${r.kind} recovery point ${r.rpId} of ${values.machine} on the target; it is committed once seed ${r.waitingForSeed} (with its parent) is imported — run again then`
          : `${r.recovered ? 'Recorded' : 'Committed'} ${r.kind} recovery point ${r.rpId} of ${values.machine}`);
        io.out(`  read ${humanBytes(r.bytesRead)} in ${r.seconds.toFixed(1)} s (${rate}/s); changed ${humanBytes(r.bytesChanged)}; sent ${humanBytes(r.bytesSent)} in ${r.packs} packs`);
        const how: Record<ReadPath, string> = { buffered: 'buffered (disk image)', direct: 'from the device with O_DIRECT', flushed: 'after flushing its buffer cache' };
        for (const [name, path] of Object.entries(r.reads)) io.out(`  read ${name} ${how[path]}`);
        io.out(`  extents: ${r.extents.full} full, ${r.extents.delta} delta, ${r.extents.zero} zero, ${r.extents.unchanged} unchanged or empty`);
      }
      return 0;
    } finally {
      bar.done();
      client.close();
    }
  },
});
