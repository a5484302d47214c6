import { getJson } from '../api.js';
import type { DeadLetter, PairingRequest, SeedImport, StoredEvent } from '../types.js';
import { readLog } from './events.js';
import { seedImports } from './replication.js';

/** The jobs the core runs, by the events they append (there is no job table of their own). */
export const JOB_EVENTS: Record<string, { job: string; failure?: boolean }> = {
  RecoveryPointExpired: { job: 'Retention' }, RecoveryPointRolledUp: { job: 'Retention' }, RecoveryPointPurged: { job: 'Retention' },
  RecoveryPointVerified: { job: 'Verify' }, ChunkCorrupted: { job: 'Verify', failure: true }, ChunkHealed: { job: 'Verify' },
  VerificationReportSigned: { job: 'Verification report' }, VerificationReportFailed: { job: 'Verification report', failure: true },
  RecoveryPointIndexed: { job: 'Storage migration / indexing' },
  PairingCertificateDelivered: { job: 'Pairing certificate' }, PairingCertificateFailed: { job: 'Pairing certificate', failure: true },
  CertificateRenewed: { job: 'Certificate renewal' }, CertificateRenewalFailed: { job: 'Certificate renewal', failure: true },
  GcRunStarted: { job: 'Garbage collection' }, GcStepCompleted: { job: 'Garbage collection' }, GcRunFinished: { job: 'Garbage collection' },
  GcRunCancelled: { job: 'Garbage collection', failure: true },
  SeedImportRequested: { job: 'Seed import' }, SeedImportProgressed: { job: 'Seed import' }, SeedImportCompleted: { job: 'Seed import' },
  SeedImportFailed: { job: 'Seed import', failure: true },
  MachineRpoExceeded: { job: 'RPO', failure: true }, MachineRpoRestored: { job: 'RPO' },
};

/** One GC run of a tenant, from its GcRun* events on gc:<tenant>. */
export interface GcRun {
  tenantId: string; runId: string; startedAt: string; endedAt?: string; dryRun: boolean; steps: number;
  outcome: 'running' | 'finished' | 'cancelled'; counters?: Record<string, number>; reason?: string;
}

export function gcRuns(events: readonly StoredEvent[]): GcRun[] {
  const runs = new Map<string, GcRun>();
  for (const e of events) {
    if (!e.type.startsWith('Gc')) continue;
    const d = e.data as { tenantId: string; runId: string; options?: { dryRun?: boolean }; dryRun?: boolean; counters?: Record<string, number>; reason?: string };
    const key = `${d.tenantId}/${d.runId}`;
    if (e.type === 'GcRunStarted') { runs.set(key, { tenantId: d.tenantId, runId: d.runId, startedAt: e.at, dryRun: d.options?.dryRun ?? false, steps: 0, outcome: 'running' }); continue; }
    const r = runs.get(key);
    if (!r) continue;
    if (e.type === 'GcStepCompleted') { r.steps++; r.counters = d.counters; }
    if (e.type === 'GcRunFinished') { r.outcome = 'finished'; r.endedAt = e.at; r.counters = d.counters; r.dryRun = d.dryRun ?? r.dryRun; }
    if (e.type === 'GcRunCancelled') { r.outcome = 'cancelled'; r.endedAt = e.at; r.reason = d.reason; }
  }
  return [...runs.values()].reverse();
}

/** The RPO job's findings: each machine's last change of compliance (MachineRpoExceeded / MachineRpoRestored). */
export function rpoEvents(events: readonly StoredEvent[]): StoredEvent[] {
  return events.filter((e) => e.type === 'MachineRpoExceeded' || e.type === 'MachineRpoRestored').reverse().slice(0, 100);
}

export interface JobSummary { job: string; runs: number; failures: number; first: string; last: string; lastFailure?: StoredEvent }

export interface Jobs {
  jobs: JobSummary[]; failures: StoredEvent[]; deadLetters: DeadLetter[]; failedPairings: PairingRequest[]; capped: boolean;
  gcRuns: GcRun[]; seedImports: SeedImport[]; rpo: StoredEvent[];
}

export async function loadJobs(): Promise<Jobs> {
  const [log, dl, failed, seeds] = await Promise.all([
    readLog(),
    getJson<{ items: DeadLetter[] }>('/v1/admin/projection-dead-letters'),
    getJson<{ items: PairingRequest[] }>('/v1/admin/pairing-requests?status=failed'),
    seedImports(),
  ]);
  const jobs = new Map<string, JobSummary>();
  const failures: StoredEvent[] = [];
  for (const e of log.events) {
    const kind = JOB_EVENTS[e.type];
    if (!kind) continue;
    const j = jobs.get(kind.job) ?? { job: kind.job, runs: 0, failures: 0, first: e.at, last: e.at };
    j.runs++;
    j.last = e.at;
    if (kind.failure) { j.failures++; j.lastFailure = e; failures.push(e); }
    jobs.set(kind.job, j);
  }
  return { jobs: [...jobs.values()], failures: failures.reverse().slice(0, 100), deadLetters: dl.items, failedPairings: failed.items, capped: log.capped,
    gcRuns: gcRuns(log.events), seedImports: seeds, rpo: rpoEvents(log.events) };
}
