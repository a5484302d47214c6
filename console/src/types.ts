/** The shapes of the admin API answers the console reads (shared/http/schemas/responses, as JSON). */
export interface PairingRequest {
  id: string; status: 'pending' | 'approved' | 'rejected' | 'ignored' | 'failed'; coreName: string; coreId: string; email: string;
  customerId?: string; message?: string; requestedAt: string; updatedAt: string; acknowledged: boolean; tenantId?: string;
  reason?: string; certificateSerial?: string; certificateFailure?: { reason: string; retryable: boolean; at: string }; version: number;
}
export interface PairingView {
  id: string; status: PairingRequest['status']; coreName: string; email: string; message?: string; tenantId?: string; quotaBytes?: number;
  reason?: string; feedback: Array<{ at: string; message: string }>;
}
export interface Retention { keep: Record<'last' | 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly', number>; binDays: number }
export interface Usage { storedBytes: number; byMachine: Record<string, number>; binBytes?: number; binCount?: number }
export interface Tenant {
  tenantId: string; name: string; email: string; customerId?: string; coreId: string; quotaBytes: number; status: 'active' | 'suspended';
  createdAt: string; updatedAt: string; version: number; retention?: Retention; usage?: Usage;
  replicationPausedReason?: string; leaseEndsAt?: string; rpoTargetSeconds?: number; bandwidthLimitBytesPerSecond?: number;
  deleted?: { reason: string; deletedAt: string };
}
export interface Machine {
  machineId: string; name: string; volumes: Array<{ name: string; sizeBytes: number }>; registeredAt: string; rpCount: number; storedBytes: number;
  latestRp: { rpId: string; kind: string; committedAt: string } | null;
  replicationPausedReason?: string; rpoCompliance?: RpoCompliance;
}
export interface Certificate { serial: string; role: string; subject: string; notAfter: string; status: 'valid' | 'revoked'; issuedAt: string; revokedAt?: string }
export interface TenantVerification { rps: number; verified: number; ok: number; damaged: number; broken: number; lastVerifiedAt: string | null; damagedChunks: Array<{ chunk: string; problem: string; rps: string[]; detectedAt: string; pack: string }> }
export interface TenantDetail extends Tenant { usage: Usage; machines: Machine[]; certificates: Certificate[]; verification: TenantVerification }
export interface RecoveryPoint {
  rpId: string; kind: string; parentRpId?: string; committedAt: string; chunkCount: number; referencedBytes: number; addedBytes: number;
  bin?: { reason: string; binnedAt: string; purgeAfter: string }; pinned?: boolean;
}
export interface BinItem { rpId: string; machineId: string; kind: string; committedAt: string; addedBytes: number; bin: { reason: string; binnedAt: string; purgeAfter: string } }
export interface UsageReport {
  from: string; to: string; days: Array<{ tenantId: string; day: string; storedBytes: number; quotaBytes: number }>;
  tenants: Array<{ tenantId: string; quotaBytes: number; storedBytes: number; estimatedFullAt: string | null }>;
}
export interface StoredEvent { streamId: string; version: number; type: string; data: unknown; at: string; actor: string; hash: string; prevHash: string; position?: string }
export interface EventPage { items: StoredEvent[]; next?: string | null }
export interface DeadLetter { position: string; streamId: string; version: number; type: string; attempts: number; error: string; firstFailedAt: string; deadLetteredAt: string }
export interface LogVerification { ok: boolean; events: number; streams: number; firstBreak?: { streamId: string; version: number; reason: string; position?: string } }
export interface TenantStatus { tenantId: string; status: string; quotaBytes: number; suspendedReason?: string; version: number; deletedAt?: string }
export type RpoCompliance = 'within' | 'exceeded' | 'severely-exceeded' | 'critical';
export interface MachineLag {
  tenantId: string; machineId: string; name: string; lastCommittedAt: string | null; lagSeconds: number; rpoTargetSeconds: number | null;
  compliance: RpoCompliance | null; paused: string | null;
}
export interface LagReport { evaluatedAt: string; items: MachineLag[] }
export interface ReplicationControl {
  tenantId: string; machineId?: string; paused: boolean; pausedReason?: string; leaseEndsAt?: string; rpoTargetSeconds?: number; bandwidthLimitBytesPerSecond?: number; version: number;
}
export interface SeedImport {
  importId: string; tenantId: string; prefix: string; status: 'running' | 'completed' | 'failed'; requestedAt: string; requestedBy: string; updatedAt: string;
  phase?: 'verify' | 'store' | 'commit'; filesDone?: number; filesTotal?: number; bytesDone?: number; bytesTotal?: number;
  seedId?: string; machineId?: string; rpIds?: string[]; storedBytes?: number; reason?: string; problems?: Array<{ file: string; problem: string }>;
}
export interface GcStatus {
  tenantId: string; status: 'idle' | 'running'; runId?: string; startedAt?: string; phase?: string; step?: number; notBefore?: string;
  options?: { graceSeconds: number; settleSeconds: number; dryRun: boolean; repackBelowPercent: number; maxRepackPacks: number };
  counters?: Record<string, number>; last?: { runId: string; dryRun: boolean; counters: Record<string, number> };
}
