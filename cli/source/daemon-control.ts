/**
 * `drcore source pause | resume | force --machine ID`: this source's own control of its outgoing
 * replication (issue 13), through the daemon's files (source/daemon/daemon-files.ts): a pause
 * with a reason (the daemon skips the machine; a run in progress finishes), its resume, and a
 * run now. Each is a line in STATE/daemon/journal.jsonl.
 */
import { isValidId } from '../../shared/ids.js';
import { DaemonFiles } from '../../source/daemon/daemon-files.js';
import { stateDir } from '../../source/pairing-state.js';
import { CliError, UsageError } from '../args.js';
import { define } from '../command.js';
import { SOURCE } from '../options.js';

const MACHINE = { machine: { type: 'string', value: 'ID', description: 'The machine', required: true } } as const;
const STATE_ONLY = { state: SOURCE.state } as const;

function machineOf(id: string): string {
  if (!isValidId(id)) throw new UsageError(`--machine must match [A-Za-z0-9._-]{1,64}, not ${id}`);
  return id;
}

export const pause = define({
  name: 'source pause', summary: "Pause this source's replication of a machine (the daemon skips it until resumed).",
  options: { ...MACHINE, reason: { type: 'string', value: 'TEXT', description: 'Why (shown by drcore source status)', required: true }, ...STATE_ONLY },
  run: async ({ values }, io) => {
    const files = new DaemonFiles(stateDir(values.state));
    const m = machineOf(values.machine);
    if (files.pausedReason(m) !== undefined) throw new CliError(`machine ${m} is already paused (${files.pausedReason(m)})`, `drcore source resume --machine ${m}`);
    files.pause(m, values.reason, new Date());
    io.out(`machine ${m}: paused on this source (${values.reason})`);
    return 0;
  },
});

export const resume = define({
  name: 'source resume', summary: "Resume this source's replication of a paused machine.",
  options: { ...MACHINE, ...STATE_ONLY },
  run: async ({ values }, io) => {
    const m = machineOf(values.machine);
    if (!new DaemonFiles(stateDir(values.state)).resume(m, new Date())) throw new CliError(`machine ${m} is not paused on this source`, 'drcore source status shows each machine');
    io.out(`machine ${m}: resumed`);
    return 0;
  },
});

export const force = define({
  name: 'source force', summary: 'Replicate a machine now, whatever its schedule (the daemon starts it within a second).',
  options: { ...MACHINE, ...STATE_ONLY },
  run: async ({ values }, io) => {
    const files = new DaemonFiles(stateDir(values.state));
    const m = machineOf(values.machine);
    if (files.pausedReason(m) !== undefined) throw new CliError(`machine ${m} is paused on this source`, `drcore source resume --machine ${m} first`);
    files.force(m, new Date());
    io.out(`machine ${m}: a run is asked for now`);
    return 0;
  },
});
