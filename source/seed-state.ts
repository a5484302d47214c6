/**
 * What the source core remembers of its seeds (issue 12, docs/seeding.md), per machine under
 * STATE/machines/<machineId>/:
 *  - seeds.json      every seed exported: its id, medium set, RPs and their dates, where it was
 *                    written, and its status — exporting, outstanding (shipped, not yet on the
 *                    target), consumed (its RPs are on the target) or abandoned (they go over the
 *                    network instead). RR's "Seed Drives".
 *  - seed-export.json  the export in progress (its plan), so a rerun resumes it;
 *  - seed-<id>.key   its data key (0600) until the export is done: the media hold it only wrapped
 *                    to the target's CA key, which the source cannot unwrap;
 *  - seed-<id>.files the files written so far (one JSON line each, appended and fsynced).
 */
import { appendFileSync, closeSync, existsSync, fsyncSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { assertId } from '../shared/ids.js';
import type { SeedFile } from '../shared/format/seed.js';
import type { RecoveryPointKind } from '../shared/http/schemas/replication.js';
import { writeJsonAtomic, type MachineStateDir, type RunVolume } from './replication-state.js';

export type SeedStatus = 'exporting' | 'outstanding' | 'consumed' | 'abandoned';

export interface SeedRp { readonly rpId: string; readonly kind: RecoveryPointKind; readonly parentRpId?: string; readonly createdAt: string; readonly manifest?: string }

export interface SeedRecord {
  readonly seedId: string;
  readonly mediumSetId: string;
  readonly machineId: string;
  readonly tenantId: string;
  /** The target core the seed is for (its URL, and the SHA-256 of the CA it is wrapped to). */
  readonly target: string;
  readonly caSha256: string;
  readonly out: string;
  readonly rps: readonly SeedRp[];
  readonly status: SeedStatus;
  readonly createdAt: string;
  readonly media?: number;
  readonly files?: number;
  readonly bytes?: number;
  readonly exportedAt?: string;
  readonly consumedAt?: string;
  readonly abandonedAt?: string;
}

export interface SeedExportPlan {
  readonly seedId: string;
  readonly mediumSetId: string;
  readonly out: string;
  readonly maxSize: number;
  readonly rpId: string;
  readonly kind: RecoveryPointKind;
  readonly parentRpId?: string;
  readonly createdAt: string;
  readonly volumes: readonly RunVolume[];
}

export class SeedStateDir {
  constructor(private readonly machine: MachineStateDir) {}

  private get dir(): string { return this.machine.dir; }

  seeds(): SeedRecord[] {
    const file = join(this.dir, 'seeds.json');
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { seeds: SeedRecord[] }).seeds : [];
  }

  private saveSeeds(seeds: readonly SeedRecord[]): void {
    writeJsonAtomic(this.dir, 'seeds.json', { seeds });
  }

  /** Adds or replaces a seed's record. */
  upsert(record: SeedRecord): void {
    const seeds = this.seeds().filter((s) => s.seedId !== record.seedId);
    this.saveSeeds([...seeds, record]);
  }

  update(seedId: string, change: Partial<SeedRecord>): SeedRecord | undefined {
    const seeds = this.seeds();
    const i = seeds.findIndex((s) => s.seedId === seedId);
    if (i < 0) return undefined;
    const next = { ...seeds[i]!, ...change } as SeedRecord;
    seeds[i] = next;
    this.saveSeeds(seeds);
    return next;
  }

  /** The outstanding seed that carries `rpId`, if any. */
  outstandingWith(rpId: string): SeedRecord | undefined {
    return this.seeds().find((s) => s.status === 'outstanding' && s.rps.some((r) => r.rpId === rpId));
  }

  plan(): SeedExportPlan | undefined {
    const file = join(this.dir, 'seed-export.json');
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SeedExportPlan) : undefined;
  }

  savePlan(plan: SeedExportPlan): void {
    writeJsonAtomic(this.dir, 'seed-export.json', plan);
  }

  keyFile(seedId: string): string { return join(this.dir, `seed-${assertId('seedId', seedId)}.key`); }
  journalFile(seedId: string): string { return join(this.dir, `seed-${assertId('seedId', seedId)}.files`); }

  /** The export is over (done, or given up): its plan, key and journal go. */
  clearPlan(seedId: string): void {
    rmSync(join(this.dir, 'seed-export.json'), { force: true });
    rmSync(this.keyFile(seedId), { force: true });
    rmSync(this.journalFile(seedId), { force: true });
  }
}

/** One line of the journal: a file written, with the chunk ids of its pack (for a resume's "what is written"). */
export interface JournalEntry extends SeedFile { readonly chunks: readonly string[] }

export function appendJournal(file: string, entry: JournalEntry): void {
  const fd = openSync(file, 'a', 0o600);
  try {
    appendFileSync(fd, `${JSON.stringify(entry)}\n`);
    fsyncSync(fd);
  } finally { closeSync(fd); }
}

export function readJournal(file: string): JournalEntry[] {
  if (!existsSync(file)) return [];
  const out: JournalEntry[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try { out.push(JSON.parse(line) as JournalEntry); } catch { break; } // a line cut by a crash ends the journal
  }
  return out;
}
