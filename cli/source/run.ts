/**
 * `drcore source run --config FILE` (or `--machine ID --volume NAME=PATH --every 15m …`): the
 * source daemon (source/daemon/daemon.ts) until SIGTERM or SIGINT, which stop it cleanly (exit
 * 0). Logs go to stderr, JSON when it is not a terminal. README "Continuous replication" has a
 * systemd unit.
 */
import { DEFAULT_RETRY } from '../../source/client.js';
import { ReplicationApi } from '../../source/api.js';
import { checkConfig, readConfig, type DaemonConfig } from '../../source/daemon/config.js';
import { SourceDaemon } from '../../source/daemon/daemon.js';
import { daemonLog } from '../../source/daemon/log.js';
import { parseVolumeSpec } from '../../source/volume.js';
import { UsageError } from '../args.js';
import { define } from '../command.js';
import { SOURCE } from '../options.js';
import { sourceApi } from './connect.js';
import { BANDWIDTH_OPTIONS } from './bandwidth-options.js';

function configOf(values: { bandwidth?: string | undefined; 'bandwidth-window'?: string[] | undefined; config?: string | undefined; machine?: string | undefined; volume?: string[] | undefined; every?: string | undefined; at?: string[] | undefined; window?: string[] | undefined; 'max-concurrent'?: string | undefined; parallel?: string | undefined }): DaemonConfig {
  try {
    if (values.config !== undefined) {
      if (values.machine !== undefined || values.volume !== undefined || values.bandwidth !== undefined) throw new UsageError('give --config FILE or --machine/--volume/--every/--bandwidth, not both');
      return readConfig(values.config);
    }
    if (values.machine === undefined || !values.volume?.length) throw new UsageError('give --config FILE, or --machine ID --volume NAME=PATH with --every or --at');
    const volumes = Object.fromEntries(values.volume.map(parseVolumeSpec).map((v) => [v.name, v.path]));
    return checkConfig({
      ...(values['max-concurrent'] !== undefined ? { maxConcurrentMachines: Number(values['max-concurrent']) } : {}),
      ...(values.parallel !== undefined ? { parallel: Number(values.parallel) } : {}),
      ...(values.bandwidth !== undefined || values['bandwidth-window'] ? { bandwidth: { ...(values.bandwidth ? { limit: values.bandwidth } : {}), ...(values['bandwidth-window'] ? { windows: values['bandwidth-window'] } : {}) } } : {}),
      machines: [{ id: values.machine, volumes, schedule: { ...(values.every ? { every: values.every } : {}), ...(values.at ? { at: values.at } : {}), ...(values.window ? { windows: values.window } : {}) } }],
    });
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError((e as Error).message);
  }
}

export const run = define({
  name: 'source run',
  summary: 'Run the source daemon: replicate each configured machine on its schedule, resume after a crash, stop cleanly on SIGTERM.',
  details: 'Config file: { "maxConcurrentMachines": 2, "parallel": 4, "machines": [ { "id": "web-1", "volumes": { "sda": "/dev/vg0/web" }, '
    + '"schedule": { "every": "15m", "at": ["02:00"], "windows": ["mon-fri 06:00-22:00"] } } ] }. Times are host local time. '
    + 'drcore source status shows each machine; drcore source pause|resume|force control it.',
  options: {
    config: { type: 'string', value: 'FILE', description: 'The daemon configuration (JSON)' },
    machine: { type: 'string', value: 'ID', description: 'One machine (instead of --config)' },
    volume: { type: 'string', value: 'NAME=PATH', description: "A volume of --machine", multiple: true },
    every: { type: 'string', value: 'INTERVAL', description: 'Run every INTERVAL (30s, 15m, 4h, 1d)' },
    at: { type: 'string', value: 'HH:MM', description: 'Run at this time of day (repeatable)', multiple: true },
    window: { type: 'string', value: 'WINDOW', description: 'Start runs only inside it, e.g. "mon-fri 08:00-18:00" (repeatable)', multiple: true },
    'max-concurrent': { type: 'string', value: 'N', description: 'Machines replicated at once (default 1)' },
    parallel: { type: 'string', value: 'N', description: 'Parallel uploads per machine, 1..64 (default 4)' },
    ...BANDWIDTH_OPTIONS,
    'stop-timeout': { type: 'string', value: 'SECONDS', description: 'On SIGTERM, wait this long for runs in progress (default 30)', default: '30' },
    ...SOURCE,
  },
  run: async ({ values }) => {
    const config = configOf(values);
    const grace = Number(values['stop-timeout']);
    if (!Number.isFinite(grace) || grace < 0) throw new UsageError(`--stop-timeout must be seconds ≥ 0, not ${values['stop-timeout']}`);
    const { client, transport, dir } = sourceApi(values, config.parallel * config.maxConcurrentMachines, config.bandwidth);
    const log = daemonLog(process.stderr);
    const daemon = new SourceDaemon({
      config, stateDir: dir, log,
      api: (_machineId, onPaused) => new ReplicationApi(transport, { ...DEFAULT_RETRY, onPaused }),
    });
    const stopped = new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        log('info', `${signal}: stopping`);
        void daemon.stop(grace * 1000).finally(resolve);
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    daemon.start();
    await stopped;
    client.close();
    return 0;
  },
});
