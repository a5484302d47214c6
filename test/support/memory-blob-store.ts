/**
 * A BlobStore in memory for unit tests of code that stores objects (GC's sorted runs): the
 * port's semantics (create-once, ranges, lexicographic listing, pages with sizes and times),
 * no I/O. The adapters themselves run the port's contract (test/contract).
 */
import { assertByteRange, assertListPage, isValidBlobKey, type BlobListPage, type BlobStore } from '../../shared/ports/blob-store.js';
import { BlobConflictError, NotFoundError } from '../../shared/ports/errors.js';

export class MemoryBlobStore implements BlobStore {
  readonly objects = new Map<string, { bytes: Buffer; modifiedMs: number }>();
  /** Calls by method, for tests that count requests. */
  readonly calls: Record<string, number> = {};
  constructor(private readonly now: () => number = Date.now) {}

  private count(m: string): void { this.calls[m] = (this.calls[m] ?? 0) + 1; }
  private check(key: string): void { if (!isValidBlobKey(key)) throw new Error(`invalid blob key ${key}`); }

  async put(key: string, bytes: Uint8Array): Promise<{ created: boolean }> {
    this.count('put');
    this.check(key);
    const b = Buffer.from(bytes);
    const existing = this.objects.get(key);
    if (existing) {
      if (existing.bytes.equals(b)) return { created: false };
      throw new BlobConflictError(`blob ${key} already exists with different bytes`);
    }
    this.objects.set(key, { bytes: b, modifiedMs: this.now() });
    return { created: true };
  }
  async get(key: string): Promise<Buffer> {
    this.count('get');
    const o = this.objects.get(key);
    if (!o) throw new NotFoundError(`blob ${key} not found`);
    return Buffer.from(o.bytes);
  }
  async getRange(key: string, offset: number, length: number): Promise<Buffer> {
    this.count('getRange');
    assertByteRange(offset, length);
    if (length === 0) return Buffer.alloc(0);
    const o = this.objects.get(key);
    if (!o) throw new NotFoundError(`blob ${key} not found`);
    return Buffer.from(o.bytes.subarray(offset, offset + length));
  }
  async head(key: string): Promise<{ size: number } | undefined> {
    this.count('head');
    const o = this.objects.get(key);
    return o ? { size: o.bytes.length } : undefined;
  }
  private sortedKeys(prefix: string): string[] {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  }
  async *list(prefix: string): AsyncIterable<string> {
    this.count('list');
    yield* this.sortedKeys(prefix);
  }
  async listPage(prefix: string, options: { after?: string; limit: number }): Promise<BlobListPage> {
    this.count('listPage');
    assertListPage(prefix, options);
    const keys = this.sortedKeys(prefix).filter((k) => options.after === undefined || k > options.after);
    const page = keys.slice(0, options.limit);
    return {
      objects: page.map((key) => ({ key, size: (this.objects.get(key) as { bytes: Buffer }).bytes.length, modifiedMs: (this.objects.get(key) as { modifiedMs: number }).modifiedMs })),
      next: keys.length > page.length ? page.at(-1) : undefined,
    };
  }
  async delete(key: string): Promise<void> {
    this.count('delete');
    this.objects.delete(key);
  }
}
