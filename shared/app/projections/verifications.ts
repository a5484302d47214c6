import type { StoredEvent } from '../../events/envelope.js';
import type { BadChunk, VerificationEvent, VerifyResult } from '../../domain/verification.js';
import type { ReadModels } from '../../ports/read-models.js';
import { rpDocId } from './recovery-point-summaries.js';

/** Read model: each committed RP's verify state — its last verification (`RecoveryPointVerified`), doc id `tenant/machine/rp`. */
export interface RpVerificationSummary {
  tenantId: string; machineId: string; rpId: string; runId: string;
  lastVerifiedAt: string; result: VerifyResult; chunks: number; bytes: number;
  badChunkCount: number; badChunks: BadChunk[]; indexSha256: string; indexProblem?: string;
  /** Verifications on record, and the version of the verification stream last applied. */
  verifications: number; version: number;
}
export const RP_VERIFICATIONS = 'rp-verifications';

export async function projectVerification(rm: ReadModels, stored: StoredEvent): Promise<void> {
  const e = stored as unknown as VerificationEvent & StoredEvent;
  switch (e.type) {
    case 'RecoveryPointVerified': {
      const d = e.data;
      const id = rpDocId(d.tenantId, d.machineId, d.rpId);
      const doc = await rm.get<RpVerificationSummary>(RP_VERIFICATIONS, id);
      if (doc && doc.version >= stored.version) return;
      await rm.put<RpVerificationSummary>(RP_VERIFICATIONS, id, {
        tenantId: d.tenantId, machineId: d.machineId, rpId: d.rpId, runId: d.runId, lastVerifiedAt: d.at, result: d.result, chunks: d.chunks, bytes: d.bytes,
        badChunkCount: d.badChunkCount, badChunks: d.badChunks, indexSha256: d.indexSha256, ...(d.indexProblem !== undefined ? { indexProblem: d.indexProblem } : {}),
        verifications: stored.version, version: stored.version,
      });
      return;
    }
    default: { const never: never = e.type; throw new Error(`unknown verification event ${JSON.stringify(never)}`); }
  }
}
