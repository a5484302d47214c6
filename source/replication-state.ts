/**
 * What the source core remembers per machine, under STATE/machines/<machineId>/:
 *
 *  - state.json  the last committed RP and, per volume, its signature file (the "last
 *                replicated state" incrementals are detected against);
 *  - run.json    the replication in progress: its rpId, kind, parent and volumes (the plan), so
 *                a rerun after a kill resumes the same RP; its signature files are written
 *                beside as sig-<volume>-<rpId>.sig and adopted only once the commit is known.
 *
 * Every JSON file is replaced atomically (write, fsync, rename, fsync the directory).
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { assertId } from '../shared/ids.js';
import type { RecoveryPointKind } from '../shared/http/schemas/replication.js';

export interface VolumeState { readonly sizeBytes: number; readonly signatures: string }

export interface MachineState {
  readonly machineId: string;
  readonly lastRpId: string;
  readonly kind: RecoveryPointKind;
  readonly committedAt: string;
  readonly volumes: Readonly<Record<string, VolumeState>>;
}

export interface RunVolume { readonly name: string; readonly path: string; readonly sizeBytes: number }

export interface RunPlan {
  readonly rpId: string;
  readonly kind: RecoveryPointKind;
  readonly parentRpId?: string;
  readonly createdAt: string;
  readonly volumes: readonly RunVolume[];
  /** Set once everything is uploaded and the commit is about to be sent. */
  readonly manifest?: string;
  /** Everything is uploaded; the commit waits for this seed (with the parent) to be imported at the target (issue 12). */
  readonly waitingForSeed?: string;
}

/** Replaced atomically: written (0600), fsynced, renamed over the old one, the directory fsynced. */
export function writeJsonAtomic(dir: string, name: string, value: unknown): void {
  const tmp = join(dir, `.${name}.tmp`);
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(value, null, 2)}\n`);
    fsyncSync(fd);
  } finally { closeSync(fd); }
  renameSync(tmp, join(dir, name));
  const d = openSync(dir, 'r');
  try { fsyncSync(d); } finally { closeSync(d); }
}

function readJson<T>(file: string): T | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : undefined;
}

export class MachineStateDir {
  readonly dir: string;

  constructor(stateDir: string, readonly machineId: string) {
    this.dir = join(stateDir, 'machines', assertId('machineId', machineId));
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  state(): MachineState | undefined {
    return readJson<MachineState>(join(this.dir, 'state.json'));
  }

  run(): RunPlan | undefined {
    return readJson<RunPlan>(join(this.dir, 'run.json'));
  }

  saveRun(plan: RunPlan): void {
    writeJsonAtomic(this.dir, 'run.json', plan);
  }

  /** The signature file name of a volume in an RP (inside this directory). */
  signatureName(volume: string, rpId: string): string {
    return `sig-${assertId('volume', volume)}-${assertId('rpId', rpId)}.sig`;
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  /** True when every volume of the plan has its complete signature file. */
  hasSignatures(plan: RunPlan): boolean {
    return plan.volumes.every((v) => existsSync(this.path(this.signatureName(v.name, plan.rpId))));
  }

  /**
   * The run's RP is committed: it becomes the last replicated state, the run is over, and
   * signature files of older states are removed.
   */
  adopt(plan: RunPlan, committedAt: string): MachineState {
    const volumes: Record<string, VolumeState> = {};
    for (const v of plan.volumes) volumes[v.name] = { sizeBytes: v.sizeBytes, signatures: this.signatureName(v.name, plan.rpId) };
    const state: MachineState = { machineId: this.machineId, lastRpId: plan.rpId, kind: plan.kind, committedAt, volumes };
    writeJsonAtomic(this.dir, 'state.json', state);
    this.clearRun(plan.rpId);
    return state;
  }

  /** Forgets the run in progress and every signature file not of `keepRpId`'s state. */
  clearRun(keepRpId?: string): void {
    rmSync(join(this.dir, 'run.json'), { force: true });
    const keep = new Set(Object.values(this.state()?.volumes ?? {}).map((v) => v.signatures));
    for (const f of readdirSync(this.dir)) {
      if (!f.startsWith('sig-') || keep.has(f)) continue;
      if (keepRpId && f.endsWith(`-${keepRpId}.sig`)) continue;
      rmSync(join(this.dir, f), { force: true });
    }
  }

  /** Forgets the last replicated state (the next run sends a base). */
  forgetState(): void {
    rmSync(join(this.dir, 'state.json'), { force: true });
  }
}
