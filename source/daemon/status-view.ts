/**
 * What `drcore source status` shows of the daemon (issue 13): per machine its last RP, the next
 * run, the lag (time since its last committed RP) and a state with Rapid Recovery's colours:
 * online (green: idle or running), paused (yellow: here or by the service provider), error (red:
 * the last run failed; it is retried), offline (grey: the daemon is not running). Pure.
 */
import type { DaemonStatus, MachineStatus } from './daemon-files.js';

export type MachineHealth = 'online' | 'paused' | 'error' | 'offline';
export const HEALTH_COLOUR: Record<MachineHealth, 'green' | 'yellow' | 'red' | 'grey'> = { online: 'green', paused: 'yellow', error: 'red', offline: 'grey' };

/** A daemon whose heartbeat is older than this is offline (it writes one every few seconds). */
export const OFFLINE_AFTER_MS = 30_000;

export interface MachineStatusRow {
  machineId: string; health: MachineHealth; colour: (typeof HEALTH_COLOUR)[MachineHealth]; detail: string;
  lastRpId: string | null; lastCommittedAt: string | null; nextRunAt: string | null; lagSeconds: number | null;
}

export function daemonAlive(s: DaemonStatus, now: Date, pidAlive: (pid: number) => boolean): boolean {
  return s.stoppedAt === undefined && now.getTime() - Date.parse(s.heartbeatAt) < OFFLINE_AFTER_MS && pidAlive(s.pid);
}

function health(m: MachineStatus, alive: boolean): { health: MachineHealth; detail: string } {
  if (!alive) return { health: 'offline', detail: 'the daemon is not running' };
  switch (m.state) {
    case 'paused': return { health: 'paused', detail: m.paused ? `paused by ${m.paused.by === 'source' ? 'this source' : 'the service provider'}: ${m.paused.reason}` : 'paused' };
    case 'error': return { health: 'error', detail: `last run failed (${m.consecutiveFailures}×): ${m.lastError ?? 'unknown error'}` };
    case 'running': return { health: 'online', detail: 'running' };
    case 'idle': return { health: 'online', detail: 'idle' };
    default: { const never: never = m.state; throw new Error(`unknown state ${String(never)}`); }
  }
}

export function statusRows(s: DaemonStatus, now: Date, pidAlive: (pid: number) => boolean): MachineStatusRow[] {
  const alive = daemonAlive(s, now, pidAlive);
  return Object.values(s.machines).map((m) => {
    const h = health(m, alive);
    return {
      machineId: m.machineId, ...h, colour: HEALTH_COLOUR[h.health],
      lastRpId: m.lastRpId ?? null, lastCommittedAt: m.lastCommittedAt ?? null, nextRunAt: alive ? m.nextRunAt ?? null : null,
      lagSeconds: m.lastCommittedAt ? Math.max(0, Math.floor((now.getTime() - Date.parse(m.lastCommittedAt)) / 1000)) : null,
    };
  });
}

export function pidAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}
