/**
 * A token bucket on the upload stream (issue 13): `take(n)` waits until n bytes may be sent at
 * `rate` bytes per second. The bucket holds at most `burst` bytes of credit and goes into debt
 * for a request bigger than that (a 4 MiB pack), so the average over a run is the rate, never
 * more. A rate of Infinity is no limit. The clock and the wait are injectable.
 */
export interface BucketClock { now(): number; sleep(ms: number): Promise<void> }
const REAL: BucketClock = { now: () => performance.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(private rateBytesPerSecond: number, private readonly burst = 256 * 1024, private readonly clock: BucketClock = REAL) {
    this.tokens = burst;
    this.last = clock.now();
  }

  get rate(): number { return this.rateBytesPerSecond; }

  setRate(bytesPerSecond: number): void {
    if (bytesPerSecond === this.rateBytesPerSecond) return;
    this.refill();
    this.rateBytesPerSecond = bytesPerSecond;
  }

  private refill(): void {
    const now = this.clock.now();
    if (Number.isFinite(this.rateBytesPerSecond)) this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rateBytesPerSecond);
    else this.tokens = this.burst;
    this.last = now;
  }

  /** Waits its turn (callers are served in order), then until the bucket has paid for `bytes`. */
  take(bytes: number): Promise<void> {
    const turn = this.queue.then(async () => {
      this.refill();
      this.tokens -= bytes;
      if (this.tokens < 0 && Number.isFinite(this.rateBytesPerSecond)) {
        await this.clock.sleep((-this.tokens / this.rateBytesPerSecond) * 1000);
        this.refill();
      }
    });
    this.queue = turn.catch(() => {});
    return turn;
  }
}
