/**
 * The verify job's read-rate limit: a run reads at most `bytesPerSecond` — a read starts
 * (`ready`) once the bytes read before it (`spent`, what came back) have had their time at that
 * rate, and a pause banks at most one second of reading ahead — so a verify never takes the
 * store's whole bandwidth from replication and restores. Time and sleep
 * are injected (deps.clock; tests advance a fake clock instead of waiting).
 */
export interface Pacing {
  /** Milliseconds, monotonic enough for pacing (the deps clock). */
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Idle time banks at most this much reading ahead of the rate (a short burst after a pause). */
const CREDIT_MS = 1000;

export class ReadRate {
  private next: number | undefined;
  /** Milliseconds spent waiting for the rate. */
  waitedMs = 0;

  /**
   * `bytesPerSecond` undefined or 0: no limit. `resumeAt`: where the previous step of the run
   * left the pace (`resumeAt()`), so the limit holds across steps and not only within one.
   */
  constructor(private readonly bytesPerSecond: number | undefined, private readonly pacing: Pacing, resumeAt?: number) {
    if (bytesPerSecond !== undefined && !(Number.isFinite(bytesPerSecond) && bytesPerSecond >= 0)) throw new RangeError(`a read rate is a non-negative number of bytes per second, not ${bytesPerSecond}`);
    this.next = resumeAt;
  }

  /**
   * Waits until the bytes read so far have had their time at the rate: call before each read.
   * With `untilMs`, waits only if that is done by then, else returns false at once (the step
   * ends instead of outwaiting its time limit; the next step waits on).
   */
  async ready(untilMs?: number): Promise<boolean> {
    if (!this.bytesPerSecond || this.next === undefined) return true;
    const now = this.pacing.now();
    if (this.next <= now) return true;
    if (untilMs !== undefined && this.next > untilMs) return false;
    this.waitedMs += this.next - now;
    await this.pacing.sleep(this.next - now);
    return true;
  }

  /** Counts `n` bytes just read (what came back, not what was asked: a read of a gone pack costs nothing). */
  spent(n: number): void {
    const rate = this.bytesPerSecond;
    if (!rate) return;
    const now = this.pacing.now();
    this.next = Math.max(this.next ?? now, now - CREDIT_MS) + (n / rate) * 1000;
  }

  /** The time the next read may start (ms), for the next step of the run; undefined before any read. */
  resumeAt(): number | undefined {
    return this.next;
  }
}
