/**
 * The signed verification report (issue 11 item 3): a tenant's committed RPs with the chunks
 * the verify job checked and what it found, as JSON, signed by the core's CA key — a detached
 * CMS SignedData and a bare RSA-SHA256 signature (CertificateAuthority.signDocument), both
 * checkable with openssl and the CA certificate alone.
 *
 * The CA key is the workflow worker's only (on AWS only it may read the CA secret): the admin
 * API asks (`requestReport`: `VerificationReportRequested`, which the projector's outbox turns
 * into a workflow message), the worker builds and signs it (`produceReport`), stores report and
 * signatures create-once under the tenant (`tenants/<T>/reports/<reportId>/…`) and appends
 * `VerificationReportSigned`; the admin API hands them out once signed (`reportStatus`).
 * The results are read from the log (each RP's verification stream), the RP list and damaged
 * chunks from the read models.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { DomainError } from '../../../domain/errors.js';
import type { RecoveryPointVerifiedData } from '../../../domain/verification.js';
import { assertId } from '../../../ids.js';
import { NotFoundError } from '../../../ports/errors.js';
import type { AppDeps } from '../../deps.js';
import { tenantHandler, verificationHandler, verificationReportHandler } from '../../handlers.js';
import { RECOVERY_POINTS, tenantPrefix, type RecoveryPointSummary } from '../../projections/recovery-point-summaries.js';
import { openDamage } from './verify-views.js';

export const REPORT_FORMAT = 'drcore-verification-report/1';
export const reportKey = (tenantId: string, reportId: string, file: 'report.json' | 'report.json.p7s' | 'report.json.sig'): string =>
  `tenants/${assertId('tenantId', tenantId)}/reports/${assertId('reportId', reportId)}/${file}`;

export interface ReportStatus {
  reportId: string; tenantId: string; status: 'pending' | 'ready' | 'failed'; requestedAt: string;
  generatedAt?: string; error?: string;
  /** ready: the report's bytes (exactly what was signed), its CMS (PEM) and its bare signature (base64). */
  report?: string; cms?: string; signature?: string;
}

/** Admin API: asks for a report (`VerificationReportRequested`; the outbox hands it to the worker). */
export async function requestReport(deps: AppDeps, tenantId: string, actor: string): Promise<ReportStatus> {
  const { state } = await tenantHandler.load(deps, tenantId);
  if (state.status === 'none') throw new DomainError('not-found', `tenant ${tenantId} does not exist`);
  const reportId = deps.newId('vr');
  const result = await verificationReportHandler(deps, { tenantId, reportId }, { type: 'RequestReport', data: { tenantId, reportId, requestedBy: actor } }, actor);
  return { reportId, tenantId, status: 'pending', requestedAt: result.events[0]?.at ?? deps.clock().toISOString() };
}

/** Admin API: the report's state, from its stream, with its bytes and signatures once signed. */
export async function reportStatus(deps: AppDeps, tenantId: string, reportId: string): Promise<ReportStatus> {
  const { state, events } = await verificationReportHandler.load(deps, { tenantId, reportId: assertId('reportId', reportId) });
  if (state.status === 'none') throw new DomainError('not-found', `tenant ${tenantId} has no verification report ${reportId}`);
  const base: ReportStatus = { reportId, tenantId, status: state.status, requestedAt: events[0]?.at ?? '' };
  if (state.status === 'failed') return { ...base, error: state.reason };
  if (state.status !== 'ready') return base;
  const [report, cms, signature] = await Promise.all((['report.json', 'report.json.p7s', 'report.json.sig'] as const).map(async (f) => (await deps.blobs.get(reportKey(tenantId, reportId, f))).toString('utf8')));
  return { ...base, generatedAt: events.at(-1)?.at ?? '', report: report!, cms: cms!, signature: signature! };
}

interface ReportRp {
  machineId: string; rpId: string; kind: RecoveryPointSummary['kind']; parentRpId?: string; committedAt: string; chunkCount: number;
  verification: Omit<RecoveryPointVerifiedData, 'tenantId' | 'machineId' | 'rpId'> | null;
  /** Damaged chunks (not healed) that its restore needs. */
  brokenBy: string[];
}

/** The report's content (built by the worker, from the log and the read models). */
export async function buildReport(deps: AppDeps, tenantId: string, reportId: string, generatedAt: string): Promise<Record<string, unknown>> {
  const { state } = await tenantHandler.load(deps, tenantId);
  if (state.status === 'none') throw new DomainError('not-found', `tenant ${tenantId} does not exist`);
  const caPem = await deps.ca.caCertificatePem();
  const ca = new X509Certificate(caPem);
  const summaries = (await deps.readModels.list<RecoveryPointSummary>(RECOVERY_POINTS, { prefix: tenantPrefix(tenantId) }))
    .sort((a, b) => a.machineId.localeCompare(b.machineId) || a.committedAt.localeCompare(b.committedAt) || a.rpId.localeCompare(b.rpId));
  const damage = await openDamage(deps, tenantId);
  const rps: ReportRp[] = [];
  for (const s of summaries) {
    const { state: v } = await verificationHandler.load(deps, { tenantId, rpId: s.rpId });
    const { tenantId: _t, machineId: _m, rpId: _r, ...verification } = v.last ?? ({} as RecoveryPointVerifiedData);
    rps.push({
      machineId: s.machineId, rpId: s.rpId, kind: s.kind, ...(s.parentRpId !== undefined ? { parentRpId: s.parentRpId } : {}), committedAt: s.committedAt, chunkCount: s.chunkCount,
      verification: v.last ? verification : null, brokenBy: damage.filter((d) => d.rps.includes(s.rpId)).map((d) => d.chunk),
    });
  }
  const verified = rps.filter((r) => r.verification !== null);
  const times = verified.map((r) => r.verification!.at).sort();
  return {
    format: REPORT_FORMAT, reportId, tenantId, tenantName: state.tenant.name, generatedAt,
    signer: { subject: ca.subject.replace(/\n/g, ', '), sha256Fingerprint: ca.fingerprint256, note: 'signed by the core CA key: report.json.p7s (CMS, detached) and report.json.sig (RSA-SHA256, base64)' },
    summary: {
      recoveryPoints: rps.length, verified: verified.length, unverified: rps.length - verified.length,
      ok: verified.filter((r) => r.verification!.result === 'ok').length, damaged: verified.filter((r) => r.verification!.result === 'damaged').length,
      broken: rps.filter((r) => r.brokenBy.length > 0).length,
      chunksChecked: verified.reduce((n, r) => n + r.verification!.chunks, 0), bytesChecked: verified.reduce((n, r) => n + r.verification!.bytes, 0),
      oldestVerification: times[0] ?? null, newestVerification: times.at(-1) ?? null,
    },
    recoveryPoints: rps,
    damagedChunks: damage.map((d) => ({ chunk: d.chunk, pack: d.pack, problem: d.problem, rps: d.rps, detectedAt: d.detectedAt })),
  };
}

/** Worker: builds, signs and stores the report, then records it signed; a redelivered message changes nothing. */
export async function produceReport(deps: AppDeps, tenantId: string, reportId: string, actor: string): Promise<void> {
  const key = { tenantId, reportId: assertId('reportId', reportId) };
  const { state } = await verificationReportHandler.load(deps, key);
  if (state.status === 'none') throw new DomainError('not-found', `no verification report ${reportId} of ${tenantId} was asked for`);
  if (state.status !== 'pending') return;
  const now = deps.clock();
  // Bytes stored by an earlier try are signed as they are (create-once keys keep the first).
  let bytes: Buffer;
  try {
    bytes = await deps.blobs.get(reportKey(tenantId, reportId, 'report.json'));
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
    bytes = Buffer.from(`${JSON.stringify(await buildReport(deps, tenantId, reportId, now.toISOString()), null, 2)}\n`);
  }
  const signed = await deps.ca.signDocument(bytes, { now });
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  await deps.blobs.put(reportKey(tenantId, reportId, 'report.json'), bytes, { sha256, contentType: 'application/json' });
  await deps.blobs.put(reportKey(tenantId, reportId, 'report.json.sig'), Buffer.from(signed.rsaSha256), { contentType: 'text/plain' });
  await deps.blobs.put(reportKey(tenantId, reportId, 'report.json.p7s'), Buffer.from(signed.cmsPem), { contentType: 'application/pkcs7-signature' });
  const summary = (JSON.parse(bytes.toString('utf8')) as { summary?: { recoveryPoints?: number; verified?: number; damaged?: number } }).summary ?? {};
  await verificationReportHandler(deps, key, {
    type: 'RecordReportSigned',
    data: { tenantId, reportId, sha256, bytes: bytes.length, recoveryPoints: summary.recoveryPoints ?? 0, verified: summary.verified ?? 0, damaged: summary.damaged ?? 0 },
  }, actor);
}

/** Worker: a report that cannot be made (its tenant is gone) is recorded failed, with why. */
export async function failReport(deps: AppDeps, tenantId: string, reportId: string, reason: string, actor: string): Promise<void> {
  await verificationReportHandler(deps, { tenantId, reportId }, { type: 'RecordReportFailed', data: { tenantId, reportId, reason } }, actor);
}
