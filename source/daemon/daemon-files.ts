/**
 * The source daemon's files under STATE/daemon/ (issue 13):
 *  - status.json     the daemon's heartbeat and each machine's state (written by the daemon only);
 *  - paused/<m>.json  a source-side pause of machine m with its reason (`drcore source pause`);
 *  - force/<m>        a run of machine m asked for now (`drcore source force`; the daemon takes it);
 *  - journal.jsonl    what happened, one JSON event a line: pauses, resumes, forced runs, runs
 *                     started, committed and failed (appended by whoever acts).
 * One writer per file, each replaced atomically, so the CLI and the daemon never interleave.
 */
import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { assertId } from '../../shared/ids.js';

export type MachineRunState = 'idle' | 'running' | 'paused' | 'error';

export interface MachineStatus {
  machineId: string;
  state: MachineRunState;
  /** Why it is paused: by this source (`source`) or by the service provider (`target`, the 423's reason). */
  paused?: { by: 'source' | 'target'; reason: string };
  lastRunStartedAt?: string;
  lastRpId?: string;
  lastCommittedAt?: string;
  nextRunAt?: string;
  lastError?: string;
  consecutiveFailures: number;
}

export interface DaemonStatus { pid: number; startedAt: string; heartbeatAt: string; stoppedAt?: string; machines: Record<string, MachineStatus> }

export interface JournalEvent { type: string; at: string; machineId?: string; [k: string]: unknown }

export class DaemonFiles {
  readonly dir: string;
  constructor(stateDir: string) {
    this.dir = join(stateDir, 'daemon');
  }

  private ensure(sub?: string): string {
    const d = sub ? join(this.dir, sub) : this.dir;
    mkdirSync(d, { recursive: true, mode: 0o700 });
    return d;
  }

  readStatus(): DaemonStatus | undefined {
    const f = join(this.dir, 'status.json');
    return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as DaemonStatus) : undefined;
  }

  writeStatus(s: DaemonStatus): void {
    const d = this.ensure();
    const tmp = join(d, '.status.json.tmp');
    const fd = openSync(tmp, 'w', 0o600);
    try { writeSync(fd, `${JSON.stringify(s, null, 2)}\n`); fsyncSync(fd); } finally { closeSync(fd); }
    renameSync(tmp, join(d, 'status.json'));
  }

  pause(machineId: string, reason: string, at: Date): void {
    const d = this.ensure('paused');
    const tmp = join(d, `.${assertId('machine id', machineId)}.tmp`);
    const fd = openSync(tmp, 'w', 0o600);
    try { writeSync(fd, JSON.stringify({ reason, at: at.toISOString() })); fsyncSync(fd); } finally { closeSync(fd); }
    renameSync(tmp, join(d, `${machineId}.json`));
    this.journal({ type: 'SourceReplicationPaused', at: at.toISOString(), machineId, reason });
  }

  /** Whether there was a pause to lift. */
  resume(machineId: string, at: Date): boolean {
    const f = join(this.dir, 'paused', `${assertId('machine id', machineId)}.json`);
    if (!existsSync(f)) return false;
    rmSync(f, { force: true });
    this.journal({ type: 'SourceReplicationResumed', at: at.toISOString(), machineId });
    return true;
  }

  pausedReason(machineId: string): string | undefined {
    const f = join(this.dir, 'paused', `${machineId}.json`);
    if (!existsSync(f)) return undefined;
    try { return (JSON.parse(readFileSync(f, 'utf8')) as { reason: string }).reason; } catch { return 'paused'; }
  }

  force(machineId: string, at: Date): void {
    const d = this.ensure('force');
    const fd = openSync(join(d, assertId('machine id', machineId)), 'w', 0o600);
    closeSync(fd);
    this.journal({ type: 'RunForced', at: at.toISOString(), machineId });
  }

  /** The machines a run was forced for, each taken (removed) as it is returned. */
  takeForced(): string[] {
    const d = join(this.dir, 'force');
    if (!existsSync(d)) return [];
    const out: string[] = [];
    for (const name of readdirSync(d)) {
      if (name.startsWith('.')) continue;
      rmSync(join(d, name), { force: true });
      out.push(name);
    }
    return out;
  }

  journal(e: JournalEvent): void {
    appendFileSync(join(this.ensure(), 'journal.jsonl'), `${JSON.stringify(e)}\n`, { mode: 0o600 });
  }

  readJournal(): JournalEvent[] {
    const f = join(this.dir, 'journal.jsonl');
    if (!existsSync(f)) return [];
    return readFileSync(f, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as JournalEvent);
  }
}
