/** The daemon's part of `drcore source status` (source/daemon/status-view.ts), coloured on a terminal. */
import { DaemonFiles } from '../../source/daemon/daemon-files.js';
import { daemonAlive, pidAlive, statusRows, type MachineStatusRow } from '../../source/daemon/status-view.js';
import { formatDuration } from '../duration.js';
import type { Io } from '../command.js';
import { table } from '../table.js';

const ANSI = { green: '\u001b[32m', yellow: '\u001b[33m', red: '\u001b[31m', grey: '\u001b[90m' } as const;

export interface DaemonView { running: boolean; pid: number; heartbeatAt: string; machines: MachineStatusRow[] }

export function daemonView(dir: string, now = new Date()): DaemonView | undefined {
  const s = new DaemonFiles(dir).readStatus();
  if (!s) return undefined;
  return { running: daemonAlive(s, now, pidAlive), pid: s.pid, heartbeatAt: s.heartbeatAt, machines: statusRows(s, now, pidAlive) };
}

export function showDaemon(v: DaemonView, out: Io['out'], colour: boolean): void {
  out(`Daemon: ${v.running ? `running (pid ${v.pid})` : `not running (last seen ${v.heartbeatAt})`}`);
  const paint = (r: MachineStatusRow) => (colour ? `${ANSI[r.colour]}● ${r.health}\u001b[0m` : `${r.health} (${r.colour})`);
  out(table([['  MACHINE', 'STATE', 'LAST RP', 'LAG', 'NEXT RUN', 'DETAIL'], ...v.machines.map((r) => [
    `  ${r.machineId}`, paint(r), r.lastRpId ?? '-', r.lagSeconds === null ? '-' : formatDuration(r.lagSeconds), r.nextRunAt ?? '-', r.detail,
  ])]));
}
