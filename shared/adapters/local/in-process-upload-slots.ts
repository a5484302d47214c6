/**
 * Upload slots of one process (`drcore serve`, whose one replication handler takes every
 * upload): a counter per tenant. A process that dies holds no slots, so the lease needs no
 * clock here. Not for AWS, where each Lambda instance runs one request at a time and a
 * per-instance counter limits nothing (docs/replication-protocol.md "Concurrent uploads").
 */
import type { UploadSlot, UploadSlots } from '../../ports/upload-slots.js';

export class InProcessUploadSlots implements UploadSlots {
  readonly #held = new Map<string, number>();

  acquire(tenantId: string, limit: number): Promise<UploadSlot | undefined> {
    const held = this.#held.get(tenantId) ?? 0;
    if (held >= limit) return Promise.resolve(undefined);
    this.#held.set(tenantId, held + 1);
    let released = false;
    return Promise.resolve({
      release: () => {
        if (released) return Promise.resolve();
        released = true;
        const n = (this.#held.get(tenantId) ?? 1) - 1;
        if (n <= 0) this.#held.delete(tenantId);
        else this.#held.set(tenantId, n);
        return Promise.resolve();
      },
    });
  }

  /** Slots held now (tests, metrics). */
  inFlight(tenantId: string): number {
    return this.#held.get(tenantId) ?? 0;
  }
}
