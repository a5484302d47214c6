/**
 * Reusable request-body buffers for the local gateway. A fresh 4 MiB buffer costs page
 * faults on first touch (glibc maps large allocations anew), which showed as the biggest
 * copy cost of a pack upload; packs recycle a few pooled buffers instead. A buffer goes back
 * to the pool only once its response has been sent: handlers finish with the body before
 * they answer (a pack is verified and written to the blob store before the reply).
 */
export const POOLED_BODY_BYTES = 4 * 1024 * 1024 + 64 * 1024;
const MIN_POOLED = 256 * 1024;
const MAX_IDLE = 8;

export class BodyPool {
  readonly #idle: Buffer[] = [];

  /** A buffer for a body of `length` bytes: pooled for large bodies that fit, else fresh. */
  take(length: number): { buffer: Buffer; release(): void } {
    if (length < MIN_POOLED || length > POOLED_BODY_BYTES) return { buffer: Buffer.allocUnsafe(length), release: () => undefined };
    const whole = this.#idle.pop() ?? Buffer.allocUnsafeSlow(POOLED_BODY_BYTES);
    let released = false;
    return {
      buffer: whole.subarray(0, length),
      release: () => {
        if (released) return;
        released = true;
        if (this.#idle.length < MAX_IDLE) this.#idle.push(whole);
      },
    };
  }
}
