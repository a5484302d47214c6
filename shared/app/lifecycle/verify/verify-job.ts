/**
 * The verify job (issue 11 item 3, DESIGN §5): re-reads the stored packs by range and re-hashes
 * every chunk of every committed RP through its index — all RPs, or only those not verified for
 * `olderThanDays` — at most `rateBytesPerSecond`, and records each RP's result
 * (`RecoveryPointVerified`) and each bad chunk (`ChunkCorrupted`, naming the RPs it breaks, plus
 * the damaged record that makes the next replication re-send it).
 *
 * It runs in resumable steps: a step works until `budgetMs` has passed (checked after each pack
 * of at most 4 MiB), then returns the cursor to continue from — one call of `drcore admin
 * verify` (the admin API), one message of the workflow worker on AWS (each within Lambda's
 * limits), one turn of the local timer. A step repeated (a redelivered message) records nothing
 * twice: results are once per run and RP, findings once per copy.
 * Order: tenants by id, a tenant's RPs by machine and RP id (the read models: an RP committed a
 * moment ago is verified by the next run).
 */
import type { RecoveryPointCommittedData } from '../../../domain/recovery-point.js';
import { DomainError } from '../../../domain/errors.js';
import type { RecoveryPointVerifiedData } from '../../../domain/verification.js';
import { commandMeta } from '../../command-handler.js';
import type { AppDeps } from '../../deps.js';
import { recoveryPointHandler, verificationHandler } from '../../handlers.js';
import { RECOVERY_POINTS, tenantPrefix, type RecoveryPointSummary } from '../../projections/recovery-point-summaries.js';
import { TENANTS, type TenantSummary } from '../../projections/tenants.js';
import { ReadRate, realSleep } from './read-rate.js';
import { decodeCursor, encodeCursor, type RpProgress, type VerifyCursor } from './verify-cursor.js';
import { continueRp, indexSha256, type DamageNote } from './verify-rp.js';

const DAY_MS = 86_400_000;

export interface VerifyRequest {
  /** One run's id: the same in every step of it ([A-Za-z0-9._-]). */
  readonly runId: string;
  /** Only this tenant; all tenants when absent. */
  readonly tenantId?: string | undefined;
  /** Skip RPs verified less than this many days ago (all RPs when absent). */
  readonly olderThanDays?: number | undefined;
  /** Read at most this many bytes per second (no limit when absent or 0; else at least MIN_READ_RATE). */
  readonly rateBytesPerSecond?: number | undefined;
  /** Stop and return a cursor once this much time has passed. */
  readonly budgetMs: number;
  /** The `next` of the previous step. */
  readonly cursor?: string | undefined;
}

export interface VerifiedRp {
  tenantId: string; machineId: string; rpId: string; result: RecoveryPointVerifiedData['result']; chunks: number; bytes: number; badChunkCount: number;
}

export interface VerifyStep {
  runId: string;
  verified: VerifiedRp[];
  damaged: DamageNote[];
  /** RPs passed over: verified within olderThanDays (or already in this run), stored before RP indexes (layout 1), or gone (purged). */
  skipped: { fresh: number; unindexed: number; gone: number };
  chunksChecked: number;
  bytesRead: number;
  /** Time spent waiting for the read rate. */
  waitedMs: number;
  next?: string;
  done: boolean;
}

const rpKey = (rp: { machineId: string; rpId: string }): string => `${rp.machineId}/${rp.rpId}`;

async function tenantIds(deps: AppDeps, only: string | undefined): Promise<string[]> {
  if (only !== undefined) {
    if (!(await deps.readModels.get<TenantSummary>(TENANTS, only))) throw new DomainError('not-found', `tenant ${only} does not exist`);
    return [only];
  }
  return (await deps.readModels.list<TenantSummary>(TENANTS)).map((t) => t.tenantId).sort();
}

async function rpsOf(deps: AppDeps, tenantId: string): Promise<RecoveryPointSummary[]> {
  const rps = await deps.readModels.list<RecoveryPointSummary>(RECOVERY_POINTS, { prefix: tenantPrefix(tenantId) });
  return rps.sort((a, b) => (rpKey(a) < rpKey(b) ? -1 : rpKey(a) > rpKey(b) ? 1 : 0));
}

type Start = { rp: RecoveryPointCommittedData } | { skip: keyof VerifyStep['skipped'] };

/** Whether to verify this RP in this run, read from the log. */
async function startOf(deps: AppDeps, tenantId: string, rpId: string, request: VerifyRequest, nowMs: number): Promise<Start> {
  const { state, events } = await recoveryPointHandler.load(deps, { tenantId, rpId });
  // RecoveryPointPurged (the recycle bin's end): from then on nothing references the RP's data.
  if (state.status !== 'committed' || events.some((e) => e.type === 'RecoveryPointPurged')) return { skip: 'gone' };
  if (!state.rp.index) return { skip: 'unindexed' };
  const { state: v } = await verificationHandler.load(deps, { tenantId, rpId });
  if (v.last?.runId === request.runId) return { skip: 'fresh' };
  if (request.olderThanDays !== undefined && v.last && Date.parse(v.last.at) > nowMs - request.olderThanDays * DAY_MS) return { skip: 'fresh' };
  return { rp: state.rp };
}

/**
 * The slowest read rate a run may ask for: a step reads a pack (≤ 4 MiB) once begun, so within a
 * step the rate can make it wait at most about 4 s past its budget (Lambda's limits hold).
 */
export const MIN_READ_RATE = 1024 * 1024;

export async function verifyStep(deps: AppDeps, request: VerifyRequest, actor: string, sleep: (ms: number) => Promise<void> = realSleep): Promise<VerifyStep> {
  const r = request.rateBytesPerSecond;
  if (r !== undefined && r !== 0 && !(Number.isFinite(r) && r >= MIN_READ_RATE)) throw new DomainError('invalid', `a read rate is 0 (no limit) or at least ${MIN_READ_RATE} bytes per second, not ${r}`);
  const now = () => deps.clock().getTime();
  const started = now();
  const pastDeadline = () => now() - started >= request.budgetMs;
  const cursor = request.cursor !== undefined ? decodeCursor(request.cursor) : undefined;
  const rate = new ReadRate(request.rateBytesPerSecond, { now, sleep }, cursor?.paceAt);
  const stats = { chunks: 0, bytesRead: 0, damaged: [] as DamageNote[] };
  const step: VerifyStep = { runId: request.runId, verified: [], damaged: stats.damaged, skipped: { fresh: 0, unindexed: 0, gone: 0 }, chunksChecked: 0, bytesRead: 0, waitedMs: 0, done: false };
  const finish = (next: VerifyCursor | undefined): VerifyStep => Object.assign(step, {
    chunksChecked: stats.chunks, bytesRead: stats.bytesRead, waitedMs: Math.round(rate.waitedMs),
    ...(next ? { next: encodeCursor({ ...next, ...(rate.resumeAt() !== undefined ? { paceAt: rate.resumeAt() } : {}) }) } : {}), done: next === undefined,
  });
  if (cursor && request.tenantId !== undefined && cursor.tenantId !== request.tenantId) throw new DomainError('invalid', 'the cursor belongs to a run over another tenant');

  for (const tenantId of await tenantIds(deps, request.tenantId)) {
    if (cursor && tenantId < cursor.tenantId) continue;
    const resume = cursor && tenantId === cursor.tenantId ? cursor : undefined;
    let doneThrough = resume?.doneThrough;
    for (const summary of await rpsOf(deps, tenantId)) {
      const key = rpKey(summary);
      if (doneThrough !== undefined && key <= doneThrough) continue;
      let progress: RpProgress | undefined = resume?.current && rpKey(resume.current) === key ? resume.current : undefined;
      const start = await startOf(deps, tenantId, summary.rpId, progress ? { ...request, olderThanDays: undefined } : request, now());
      if ('skip' in start) {
        step.skipped[start.skip]++;
      } else {
        const meta = commandMeta(deps, actor);
        progress ??= { machineId: summary.machineId, rpId: summary.rpId, startedAt: meta.at, part: 0, chunks: 0, bytes: 0, badChunkCount: 0, badChunks: [], partSums: [] };
        const ctx = { deps, tenantId, runId: request.runId, meta, rate, pastDeadline, deadline: started + request.budgetMs, stats };
        if (!(await continueRp(ctx, start.rp, progress))) return finish({ tenantId, ...(doneThrough !== undefined ? { doneThrough } : {}), current: progress });
        const data: RecoveryPointVerifiedData = {
          tenantId, machineId: summary.machineId, rpId: summary.rpId, runId: request.runId, startedAt: progress.startedAt, at: commandMeta(deps, actor).at,
          chunks: progress.chunks, bytes: progress.bytes, result: progress.badChunkCount > 0 || progress.indexProblem !== undefined ? 'damaged' : 'ok',
          badChunks: progress.badChunks, badChunkCount: progress.badChunkCount, indexSha256: indexSha256(progress),
          ...(progress.indexProblem !== undefined ? { indexProblem: progress.indexProblem } : {}),
        };
        await verificationHandler(deps, { tenantId, rpId: summary.rpId }, { type: 'RecordVerification', data }, actor);
        step.verified.push({ tenantId, machineId: data.machineId, rpId: data.rpId, result: data.result, chunks: data.chunks, bytes: data.bytes, badChunkCount: data.badChunkCount });
      }
      doneThrough = key;
      if (pastDeadline()) return finish({ tenantId, doneThrough });
    }
  }
  return finish(undefined);
}

/** Every step of a run, one after the other, until done or `cancelled()` (the local timer, tests). */
export async function verifyRun(
  deps: AppDeps, request: Omit<VerifyRequest, 'cursor'>, actor: string, sleep?: (ms: number) => Promise<void>, cancelled: () => boolean = () => false,
): Promise<VerifyStep[]> {
  const steps: VerifyStep[] = [];
  let cursor: string | undefined;
  do {
    const step = await verifyStep(deps, { ...request, cursor }, actor, sleep);
    steps.push(step);
    cursor = step.next;
  } while (cursor !== undefined && !cancelled());
  return steps;
}
