import { getJson } from '../api.js';
import type { DeadLetter, PairingRequest, StoredEvent } from '../types.js';
import { readLog } from './events.js';

/** The jobs the core runs, by the events they append (there is no job table of their own). */
export const JOB_EVENTS: Record<string, { job: string; failure?: boolean }> = {
  RecoveryPointExpired: { job: 'Retention' }, RecoveryPointRolledUp: { job: 'Retention' }, RecoveryPointPurged: { job: 'Retention' },
  RecoveryPointVerified: { job: 'Verify' }, ChunkCorrupted: { job: 'Verify', failure: true }, ChunkHealed: { job: 'Verify' },
  VerificationReportSigned: { job: 'Verification report' }, VerificationReportFailed: { job: 'Verification report', failure: true },
  RecoveryPointIndexed: { job: 'Storage migration / indexing' },
  PairingCertificateDelivered: { job: 'Pairing certificate' }, PairingCertificateFailed: { job: 'Pairing certificate', failure: true },
  CertificateRenewed: { job: 'Certificate renewal' }, CertificateRenewalFailed: { job: 'Certificate renewal', failure: true },
};

export interface JobSummary { job: string; runs: number; failures: number; first: string; last: string; lastFailure?: StoredEvent }

export async function loadJobs(): Promise<{ jobs: JobSummary[]; failures: StoredEvent[]; deadLetters: DeadLetter[]; failedPairings: PairingRequest[]; capped: boolean }> {
  const [log, dl, failed] = await Promise.all([
    readLog(),
    getJson<{ items: DeadLetter[] }>('/v1/admin/projection-dead-letters'),
    getJson<{ items: PairingRequest[] }>('/v1/admin/pairing-requests?status=failed'),
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
  return { jobs: [...jobs.values()], failures: failures.reverse().slice(0, 100), deadLetters: dl.items, failedPairings: failed.items, capped: log.capped };
}
