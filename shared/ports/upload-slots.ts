/**
 * Upload slots: how many pack uploads of one tenant are in flight on the target at once
 * (issue 13, item 3: the target's per-tenant concurrency limit, docs/replication-protocol.md
 * "Concurrent uploads").
 * Guarantees: acquire() takes a slot only while fewer than `limit` of the tenant's slots are
 * held, and says so atomically (two callers never both take the last slot); a taken slot is
 * given back by release(), which is idempotent; a slot not released (the process died) is given
 * back at the latest `leaseMs` after it was taken. Errors are PortErrors.
 */
export interface UploadSlot {
  release(): Promise<void>;
}

export interface UploadSlots {
  /** A slot of the tenant's, or undefined when `limit` are in flight. */
  acquire(tenantId: string, limit: number, leaseMs: number): Promise<UploadSlot | undefined>;
}
