/**
 * The source daemon (issue 13, `drcore source run`): replicates each configured machine on its
 * schedule with the one-shot replicate (source/replicate.ts), at most maxConcurrentMachines at
 * once. A run cut short by a crash, a reboot or a SIGKILL is resumed at its next start where it
 * stopped (replicate's saved plan and the target's upload listing). A failed run is retried with
 * a backoff (1 min, doubling, at most 1 h, never later than the schedule). A machine paused
 * here (`drcore source pause`) is skipped; one the service provider paused waits inside its run
 * (423) and goes on once resumed. `drcore source force` runs a machine now. Its state goes to
 * STATE/daemon/status.json for `drcore source status`. stop() (SIGTERM) starts nothing new and
 * waits for the runs in progress, up to a grace period; a run still going then resumes at the
 * next start.
 */
import type { ReplicationApi } from '../api.js';
import { replicate, type ReplicateResult } from '../replicate.js';
import { MachineStateDir } from '../replication-state.js';
import { consistentReplicate } from '../snapshot/consistent-replicate.js';
import type { DaemonConfig, MachineConfig } from './config.js';
import { DaemonFiles, type DaemonStatus, type MachineStatus } from './daemon-files.js';
import type { DaemonLog } from './log.js';
import { nextRun } from './schedule.js';

export interface DaemonOptions {
  readonly config: DaemonConfig;
  readonly stateDir: string;
  /** The replication API for one run of a machine; `onPaused` is told the service provider's reason on a 423. */
  readonly api: (machineId: string, onPaused: (reason: string) => void) => ReplicationApi;
  readonly log: DaemonLog;
  readonly now?: () => Date;
  /** How often schedules, pauses and forced runs are looked at (default 1 s). */
  readonly tickMs?: number;
  /** A run: replicate by default (tests may wrap it). */
  readonly run?: typeof replicate;
}

const HEARTBEAT_MS = 5_000;
const MIN_BACKOFF_MS = 60_000;
const MAX_BACKOFF_MS = 3_600_000;

export class SourceDaemon {
  private readonly files: DaemonFiles;
  private readonly now: () => Date;
  private readonly status: DaemonStatus;
  private readonly running = new Map<string, Promise<void>>();
  private readonly forced = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  private lastHeartbeat = 0;

  constructor(private readonly o: DaemonOptions) {
    this.files = new DaemonFiles(o.stateDir);
    this.now = o.now ?? (() => new Date());
    const previous = this.files.readStatus();
    const at = this.now().toISOString();
    const machines: Record<string, MachineStatus> = {};
    for (const m of o.config.machines) {
      const p = previous?.machines[m.id];
      machines[m.id] = {
        machineId: m.id, state: 'idle', consecutiveFailures: p?.consecutiveFailures ?? 0,
        ...(p?.lastRunStartedAt ? { lastRunStartedAt: p.lastRunStartedAt } : {}), ...(p?.lastRpId ? { lastRpId: p.lastRpId } : {}),
        ...(p?.lastCommittedAt ? { lastCommittedAt: p.lastCommittedAt } : {}), ...(p?.lastError ? { lastError: p.lastError } : {}),
        ...(p?.nextRunAt && p.consecutiveFailures > 0 ? { nextRunAt: p.nextRunAt } : {}),
      };
    }
    this.status = { pid: process.pid, startedAt: at, heartbeatAt: at, machines };
  }

  start(): void {
    this.o.log('info', 'source daemon started', { pid: process.pid, machines: this.o.config.machines.map((m) => m.id), maxConcurrentMachines: this.o.config.maxConcurrentMachines });
    for (const m of this.o.config.machines) {
      this.schedule(m);
      // A run cut short (crash, reboot, SIGKILL) left its plan: it goes on at once, where it stopped.
      const pending = new MachineStateDir(this.o.stateDir, m.id).run();
      if (pending) {
        this.forced.add(m.id);
        this.o.log('info', 'an interrupted run resumes now', { machineId: m.id, rpId: pending.rpId });
      }
    }
    this.save();
    this.tick();
  }

  /** Starts nothing new, waits for the runs in progress (at most graceMs), records the stop. */
  async stop(graceMs = 30_000): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    const inFlight = [...this.running.keys()];
    if (inFlight.length) this.o.log('info', 'stopping: waiting for the runs in progress', { machines: inFlight, graceMs });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      Promise.all(this.running.values()).then(() => false),
      new Promise<boolean>((r) => { timer = setTimeout(() => r(true), graceMs); }),
    ]);
    clearTimeout(timer);
    if (timedOut) this.o.log('warn', 'stopping with runs in progress: they resume at the next start', { machines: [...this.running.keys()] });
    this.status.stoppedAt = this.now().toISOString();
    this.save();
    this.o.log('info', 'source daemon stopped');
  }

  /** Resolves once every run in progress has ended (tests). */
  async idle(): Promise<void> {
    await Promise.all(this.running.values());
  }

  private schedule(m: MachineConfig): void {
    const s = this.status.machines[m.id]!;
    if (s.consecutiveFailures > 0 && s.nextRunAt) return; // a backoff set by a failure stands
    const last = s.lastRunStartedAt ? new Date(s.lastRunStartedAt) : undefined;
    const next = nextRun(m.schedule, last, this.now());
    if (next) s.nextRunAt = next.toISOString();
    else delete s.nextRunAt;
  }

  private tick(): void {
    if (this.stopping) return;
    try {
      this.step();
    } catch (err) {
      this.o.log('error', 'daemon step failed', { error: (err as Error).message });
    }
    this.timer = setTimeout(() => this.tick(), this.o.tickMs ?? 1000);
  }

  private step(): void {
    const now = this.now();
    for (const id of this.files.takeForced()) {
      if (this.status.machines[id]) this.forced.add(id);
      else this.o.log('warn', 'a run was forced for a machine not in the configuration', { machineId: id });
    }
    let changed = false;
    for (const m of this.o.config.machines) {
      const s = this.status.machines[m.id]!;
      const pausedHere = this.files.pausedReason(m.id);
      if (pausedHere !== undefined && !this.running.has(m.id)) {
        if (s.state !== 'paused' || s.paused?.reason !== pausedHere) {
          s.state = 'paused';
          s.paused = { by: 'source', reason: pausedHere };
          changed = true;
          this.o.log('info', 'machine paused on this source', { machineId: m.id, reason: pausedHere });
        }
        this.forced.delete(m.id);
        continue;
      }
      if (s.state === 'paused' && s.paused?.by === 'source') {
        s.state = s.consecutiveFailures > 0 ? 'error' : 'idle';
        delete s.paused;
        changed = true;
        this.o.log('info', 'machine resumed on this source', { machineId: m.id });
      }
      if (this.running.has(m.id) || this.running.size >= this.o.config.maxConcurrentMachines) continue;
      const due = this.forced.has(m.id) || (s.nextRunAt !== undefined && new Date(s.nextRunAt) <= now);
      if (!due) continue;
      const forced = this.forced.delete(m.id);
      this.launch(m, forced);
      changed = true;
    }
    if (changed || Date.now() - this.lastHeartbeat >= HEARTBEAT_MS) this.save();
  }

  private launch(m: MachineConfig, forced: boolean): void {
    const s = this.status.machines[m.id]!;
    const started = this.now();
    s.state = 'running';
    s.lastRunStartedAt = started.toISOString();
    delete s.paused;
    this.files.journal({ type: 'RunStarted', at: s.lastRunStartedAt, machineId: m.id, forced });
    this.o.log('info', 'run started', { machineId: m.id, forced });
    const onPaused = (reason: string) => {
      s.state = 'paused';
      s.paused = { by: 'target', reason };
      this.o.log('warn', 'the service provider paused replication: waiting', { machineId: m.id, reason });
      this.save();
    };
    const run = consistentReplicate({
      api: this.o.api(m.id, onPaused), stateDir: this.o.stateDir, machineId: m.id, volumes: m.volumes, parallel: this.o.config.parallel,
      ...(this.o.config.threads ? { threads: this.o.config.threads } : {}),
      log: (line) => this.o.log('info', line, { machineId: m.id }),
    }, m.consistency, this.o.run ?? replicate).then((r) => this.succeeded(m, r), (err: unknown) => this.failed(m, err)).finally(() => {
      this.running.delete(m.id);
      this.save();
    });
    this.running.set(m.id, run);
  }

  private succeeded(m: MachineConfig, r: ReplicateResult): void {
    const s = this.status.machines[m.id]!;
    const at = this.now().toISOString();
    Object.assign(s, { state: 'idle', lastRpId: r.rpId, lastCommittedAt: at, consecutiveFailures: 0 });
    delete s.lastError;
    delete s.paused;
    delete s.nextRunAt;
    this.schedule(m);
    this.files.journal({ type: 'RunCommitted', at, machineId: m.id, rpId: r.rpId, kind: r.kind, bytesRead: r.bytesRead, bytesSent: r.bytesSent, recovered: r.recovered });
    this.o.log('info', 'run committed', {
      machineId: m.id, rpId: r.rpId, kind: r.kind, bytesRead: r.bytesRead, bytesSent: r.bytesSent, seconds: Number(r.seconds.toFixed(3)), nextRunAt: s.nextRunAt ?? null,
    });
  }

  private failed(m: MachineConfig, err: unknown): void {
    const s = this.status.machines[m.id]!;
    const message = err instanceof Error ? err.message : String(err);
    s.state = 'error';
    s.lastError = message;
    s.consecutiveFailures++;
    delete s.paused;
    const backoff = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** (s.consecutiveFailures - 1));
    const retryAt = new Date(this.now().getTime() + backoff);
    delete s.nextRunAt;
    const last = s.lastRunStartedAt ? new Date(s.lastRunStartedAt) : undefined;
    const scheduled = nextRun(m.schedule, last, this.now());
    const next = scheduled && scheduled < retryAt && scheduled > this.now() ? scheduled : retryAt;
    s.nextRunAt = next.toISOString();
    this.files.journal({ type: 'RunFailed', at: this.now().toISOString(), machineId: m.id, error: message, retryAt: s.nextRunAt });
    this.o.log('error', 'run failed: it is retried', { machineId: m.id, error: message, consecutiveFailures: s.consecutiveFailures, nextRunAt: s.nextRunAt });
  }

  private save(): void {
    this.lastHeartbeat = Date.now();
    this.status.heartbeatAt = this.now().toISOString();
    this.files.writeStatus(this.status);
  }
}
