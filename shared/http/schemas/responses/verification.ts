import { z } from 'zod';

/** Response bodies of the verify job's routes (shared/app/lifecycle/verify; ./pairing.ts explains the strictness). */
const kind = z.enum(['base', 'incremental']);
const problem = z.enum(['corrupt', 'missing']);
const BadChunk = z.strictObject({ chunk: z.string(), problem: z.enum(['corrupt', 'missing', 'index']) });

export const VerifyStep = z.strictObject({
  runId: z.string().describe('Pass it with `cursor` to the next step of this run'),
  verified: z.array(z.strictObject({
    tenantId: z.string(), machineId: z.string(), rpId: z.string(), result: z.enum(['ok', 'damaged']),
    chunks: z.number().int(), bytes: z.number().int(), badChunkCount: z.number().int(),
  })).describe('RPs this step finished verifying'),
  damaged: z.array(z.strictObject({
    tenantId: z.string(), machineId: z.string(), rpId: z.string(), chunk: z.string(), problem, rps: z.array(z.string()).describe('The RPs it breaks'),
  })).describe('Bad chunks this step found'),
  skipped: z.strictObject({ fresh: z.number().int(), unindexed: z.number().int(), gone: z.number().int() }),
  chunksChecked: z.number().int(), bytesRead: z.number().int(), waitedMs: z.number().int().describe('Time spent keeping to the read rate'),
  next: z.string().optional().describe('Pass as `cursor` to the next step; absent when the run is done'),
  done: z.boolean(),
});

const RpVerification = z.strictObject({
  lastVerifiedAt: z.string(), result: z.enum(['ok', 'damaged']), chunks: z.number().int(), bytes: z.number().int(),
  badChunkCount: z.number().int(), badChunks: z.array(BadChunk), runId: z.string(), indexSha256: z.string(),
});
const DamagedChunk = z.strictObject({
  chunk: z.string(), problem, rps: z.array(z.string()).describe('Committed RPs whose restore needs it'), detectedAt: z.string(),
});

export const VerifyStatus = z.strictObject({
  machines: z.array(z.strictObject({
    machineId: z.string(), name: z.string(),
    recoveryPoints: z.array(z.strictObject({
      rpId: z.string(), kind, parentRpId: z.string().optional(), committedAt: z.string(),
      verification: RpVerification.nullable().describe('Its last verification; null until verified'),
      brokenBy: z.array(z.string()).describe('Damaged chunks (not healed yet) its restore needs; the next replication re-sends their extents'),
    })),
  })),
  damagedChunks: z.array(DamagedChunk),
});

export const TenantVerification = z.strictObject({
  rps: z.number().int(), verified: z.number().int(), ok: z.number().int(), damaged: z.number().int(),
  broken: z.number().int().describe('RPs a damaged chunk (not healed yet) breaks'), lastVerifiedAt: z.string().nullable(),
  damagedChunks: z.array(DamagedChunk.extend({ pack: z.string() })),
});

export const DamagedExtents = z.strictObject({
  rpId: z.string(),
  extents: z.array(z.strictObject({ volume: z.string(), index: z.number().int() })).describe('Extents of the RP whose restore needs a damaged chunk: send them whole in the next incremental on it'),
  rebase: z.boolean().describe('A manifest chunk of the chain is damaged: send a base'),
  damagedChunks: z.number().int(),
});

export const VerificationReportStatus = z.strictObject({
  reportId: z.string(), tenantId: z.string(), status: z.enum(['pending', 'ready', 'failed']), requestedAt: z.string(),
  generatedAt: z.string().optional(), error: z.string().optional(),
  report: z.string().optional().describe('ready: the report (JSON text, exactly the bytes signed)'),
  cms: z.string().optional().describe('ready: detached CMS SignedData by the CA key, PEM (openssl cms -verify -binary -purpose any -CAfile ca.pem -content report.json -inform PEM -in report.json.p7s)'),
  signature: z.string().optional().describe('ready: RSA-SHA256 signature by the CA key, base64 (openssl dgst -sha256 -verify ca-pub.pem -signature report.json.sig report.json)'),
});
