/**
 * The verify states as the operator (tenant detail, the verification report) and the tenant's
 * source core (`drcore source status`) see them, from the read models: each committed RP's
 * last verification, the damaged chunks not healed yet, and which RPs they break.
 */
import type { RecoveryPointKind } from '../../../domain/recovery-point.js';
import type { BadChunk, VerifyResult } from '../../../domain/verification.js';
import type { AppDeps } from '../../deps.js';
import { DAMAGED_CHUNKS, type DamagedChunkSummary } from '../../projections/damaged-chunks.js';
import { MACHINES, machineDocId, type MachineSummary } from '../../projections/machines.js';
import { RECOVERY_POINTS, rpDocId, tenantPrefix, type RecoveryPointSummary } from '../../projections/recovery-point-summaries.js';
import { RP_VERIFICATIONS, type RpVerificationSummary } from '../../projections/verifications.js';

export interface RpVerification {
  lastVerifiedAt: string; result: VerifyResult; chunks: number; bytes: number; badChunkCount: number; badChunks: BadChunk[]; runId: string; indexSha256: string;
}
export interface RpVerifyState {
  rpId: string; kind: RecoveryPointKind; parentRpId?: string; committedAt: string;
  /** Its last verification; null until the verify job has checked it. */
  verification: RpVerification | null;
  /** Damaged chunks (not healed) that its restore needs: empty when it restores. */
  brokenBy: string[];
}
export interface MachineVerifyState { machineId: string; name: string; recoveryPoints: RpVerifyState[] }
export interface DamagedChunkView { chunk: string; problem: DamagedChunkSummary['problem']; rps: string[]; detectedAt: string }
export interface VerifyStatus { machines: MachineVerifyState[]; damagedChunks: DamagedChunkView[] }

type Deps = Pick<AppDeps, 'readModels'>;

/** The tenant's damaged chunks not healed yet, oldest finding first. */
export async function openDamage(deps: Deps, tenantId: string): Promise<DamagedChunkSummary[]> {
  const all = await deps.readModels.list<DamagedChunkSummary>(DAMAGED_CHUNKS, { prefix: tenantPrefix(tenantId) });
  return all.filter((d) => d.status === 'damaged').sort((a, b) => a.detectedAt.localeCompare(b.detectedAt) || a.chunk.localeCompare(b.chunk));
}

const verificationOf = (v: RpVerificationSummary | undefined): RpVerification | null => (v
  ? { lastVerifiedAt: v.lastVerifiedAt, result: v.result, chunks: v.chunks, bytes: v.bytes, badChunkCount: v.badChunkCount, badChunks: v.badChunks, runId: v.runId, indexSha256: v.indexSha256 }
  : null);

/** Per machine, its RPs (oldest first) with their verify states; and the damaged chunks. */
export async function verifyStatus(deps: Deps, tenantId: string): Promise<VerifyStatus> {
  const rm = deps.readModels;
  const [machines, rps, verifications, damage] = await Promise.all([
    rm.list<MachineSummary>(MACHINES, { prefix: tenantPrefix(tenantId) }),
    rm.list<RecoveryPointSummary>(RECOVERY_POINTS, { prefix: tenantPrefix(tenantId) }),
    rm.list<RpVerificationSummary>(RP_VERIFICATIONS, { prefix: tenantPrefix(tenantId) }),
    openDamage(deps, tenantId),
  ]);
  const byRp = new Map(verifications.map((v) => [rpDocId(tenantId, v.machineId, v.rpId), v]));
  const names = new Map(machines.map((m) => [machineDocId(tenantId, m.machineId), m.name]));
  const out = new Map<string, MachineVerifyState>();
  for (const m of machines) out.set(m.machineId, { machineId: m.machineId, name: m.name, recoveryPoints: [] });
  const sorted = [...rps].sort((a, b) => a.committedAt.localeCompare(b.committedAt) || a.rpId.localeCompare(b.rpId));
  for (const rp of sorted) {
    const machine = out.get(rp.machineId) ?? out.set(rp.machineId, { machineId: rp.machineId, name: names.get(machineDocId(tenantId, rp.machineId)) ?? rp.machineId, recoveryPoints: [] }).get(rp.machineId)!;
    machine.recoveryPoints.push({
      rpId: rp.rpId, kind: rp.kind, ...(rp.parentRpId !== undefined ? { parentRpId: rp.parentRpId } : {}), committedAt: rp.committedAt,
      verification: verificationOf(byRp.get(rpDocId(tenantId, rp.machineId, rp.rpId))),
      brokenBy: damage.filter((d) => d.rps.includes(rp.rpId)).map((d) => d.chunk),
    });
  }
  return {
    machines: [...out.values()].sort((a, b) => a.machineId.localeCompare(b.machineId)),
    damagedChunks: damage.map((d) => ({ chunk: d.chunk, problem: d.problem, rps: d.rps, detectedAt: d.detectedAt })),
  };
}

export interface TenantVerification {
  rps: number; verified: number; ok: number; damaged: number;
  /** RPs that a damaged chunk (not healed) breaks. */
  broken: number;
  lastVerifiedAt: string | null;
  damagedChunks: (DamagedChunkView & { pack: string })[];
}

/** The operator's summary of a tenant's verify states (admin tenant detail). */
export async function tenantVerification(deps: Deps, tenantId: string): Promise<TenantVerification> {
  const [status, damage] = await Promise.all([verifyStatus(deps, tenantId), openDamage(deps, tenantId)]);
  const all = status.machines.flatMap((m) => m.recoveryPoints);
  const verified = all.filter((r) => r.verification !== null);
  const last = verified.map((r) => r.verification!.lastVerifiedAt).sort().at(-1) ?? null;
  return {
    rps: all.length, verified: verified.length, ok: verified.filter((r) => r.verification!.result === 'ok').length,
    damaged: verified.filter((r) => r.verification!.result === 'damaged').length, broken: all.filter((r) => r.brokenBy.length > 0).length,
    lastVerifiedAt: last, damagedChunks: damage.map((d) => ({ chunk: d.chunk, pack: d.pack, problem: d.problem, rps: d.rps, detectedAt: d.detectedAt })),
  };
}
