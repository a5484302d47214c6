/**
 * The upload stream under the bandwidth limit (issue 13): every request body of packs
 * (application/octet-stream) waits for the token bucket before it goes out; the bucket's rate is
 * the source's limit at that time (bandwidth-limit.ts), lowered to what the target asks for in
 * an `x-drcore-bandwidth-limit` answer header (its per-tenant limit, bytes per second).
 */
import type { HttpResponse, HttpTransport } from '../client.js';
import { rateAt, type BandwidthLimit } from './bandwidth-limit.js';
import { TokenBucket } from './token-bucket.js';

export const TARGET_LIMIT_HEADER = 'x-drcore-bandwidth-limit';

export class ThrottledTransport implements HttpTransport {
  private readonly bucket: TokenBucket;
  /** The target's limit, as it last said (Infinity: none). */
  targetRate = Infinity;

  constructor(private readonly inner: HttpTransport, private readonly limit: BandwidthLimit, private readonly now: () => Date = () => new Date()) {
    this.bucket = new TokenBucket(this.currentRate());
  }

  currentRate(): number {
    return Math.min(rateAt(this.limit, this.now()), this.targetRate);
  }

  async send(method: string, path: string, body?: Buffer, contentType?: string): Promise<HttpResponse> {
    if (body && /^application\/octet-stream/i.test(contentType ?? '')) {
      this.bucket.setRate(this.currentRate());
      await this.bucket.take(body.length);
    }
    const res = await this.inner.send(method, path, body, contentType);
    const said = res.headers[TARGET_LIMIT_HEADER];
    if (said !== undefined) {
      const n = Number(Array.isArray(said) ? said[0] : said);
      this.targetRate = Number.isFinite(n) && n > 0 ? n : Infinity;
    }
    return res;
  }

  recycle(body: Buffer): void {
    this.inner.recycle?.(body);
  }
}
