/**
 * Sorted runs of fixed-size records in the BlobStore: GC's memory does not grow with the
 * number of chunks (issue 11 item 2: no in-memory Set of chunks). A run is the objects under a
 * key prefix, `<prefix>/<seq, 6 digits>` (segments, each ≤ SEGMENT_RECORDS records), read in key
 * order: its records in order. Unsorted records are sorted SORT_RECORDS at a time into runs of
 * their own; runs are merged k-way into one (merge.ts). Runs live in the BlobStore, not on a local
 * disk, because a step of GC runs in one Lambda invocation and the next in another.
 *
 * Memory: a writer holds at most one segment (≤ 2.6 MB of 40-byte records), a reader READ_RECORDS records.
 */
import type { BlobStore } from '../../../ports/blob-store.js';
import { BlobConflictError } from '../../../ports/errors.js';

/**
 * Writes a segment. A step's outputs count only once its event records them (the run's carry
 * says how many segments or runs exist): an object already under the key with other bytes is the
 * leftover of an attempt that was never recorded, and is replaced.
 */
async function putSegment(blobs: BlobStore, key: string, bytes: Buffer): Promise<void> {
  try {
    await blobs.put(key, bytes, { contentType: 'application/octet-stream' });
  } catch (err) {
    if (!(err instanceof BlobConflictError)) throw err;
    await blobs.delete(key);
    await blobs.put(key, bytes, { contentType: 'application/octet-stream' });
  }
}

/** Records per segment object. */
export const SEGMENT_RECORDS = 65_536;
/** Records a reader reads at once (one ranged GET). */
const READ_RECORDS = 4096;

export const segmentKey = (prefix: string, seq: number): string => `${prefix}/${String(seq).padStart(6, '0')}`;

/** Compares the first `keyBytes` of two records (a at aAt in a, b at bAt in b). */
export function compareKeys(a: Buffer, aAt: number, b: Buffer, bAt: number, keyBytes: number): number {
  return a.compare(b, bAt, bAt + keyBytes, aAt, aAt + keyBytes);
}

/** A buffer for `count + 1` records of `recordBytes`, grown by doubling up to `max` records (a writer that gets few records holds little). */
function room(buffer: Buffer, count: number, recordBytes: number, max: number): Buffer {
  if ((count + 1) * recordBytes <= buffer.length) return buffer;
  const grown = Buffer.allocUnsafe(Math.min(max, Math.max(256, (count + 1) * 2)) * recordBytes);
  buffer.copy(grown, 0, 0, count * recordBytes);
  return grown;
}

/** Appends records, already in order, to a run: full segments are written as they fill. */
export class SegmentWriter {
  private buffer: Buffer = Buffer.alloc(0);
  private count = 0;
  /** Records written through this writer. */
  written = 0;

  /** `nextSeq`: the run's next segment number (a run written over several steps goes on where the last stopped). */
  constructor(private readonly blobs: BlobStore, readonly prefix: string, readonly recordBytes: number, public nextSeq = 0) {}

  async add(record: Buffer, at = 0): Promise<void> {
    this.buffer = room(this.buffer, this.count, this.recordBytes, SEGMENT_RECORDS);
    record.copy(this.buffer, this.count * this.recordBytes, at, at + this.recordBytes);
    this.count++;
    this.written++;
    if (this.count === SEGMENT_RECORDS) await this.flush();
  }

  /** Writes what is buffered as a segment (none if empty); returns the run's next segment number. */
  async flush(): Promise<number> {
    if (this.count === 0) return this.nextSeq;
    await putSegment(this.blobs, segmentKey(this.prefix, this.nextSeq), this.buffer.subarray(0, this.count * this.recordBytes));
    this.nextSeq++;
    this.count = 0;
    return this.nextSeq;
  }
}

/**
 * Collects unsorted records; every SORT_RECORDS of them (and at `finish`) are sorted by their
 * first `keyBytes` and written as one run `<prefix>/<n>` (n from `firstRun`, one segment each).
 */
export class RunSorter {
  private buffer: Buffer = Buffer.alloc(0);
  private count = 0;
  /** Records added (all runs). */
  added = 0;

  constructor(private readonly blobs: BlobStore, readonly prefix: string, readonly recordBytes: number, readonly keyBytes: number, public nextRun = 0, readonly sortRecords = SEGMENT_RECORDS) {}

  async add(record: Buffer, at = 0): Promise<void> {
    this.buffer = room(this.buffer, this.count, this.recordBytes, this.sortRecords);
    record.copy(this.buffer, this.count * this.recordBytes, at, at + this.recordBytes);
    this.count++;
    this.added++;
    if (this.count === this.sortRecords) await this.flush();
  }

  /** Sorts and writes what is buffered as the next run (none if empty); returns the next run number. */
  async flush(): Promise<number> {
    if (this.count === 0) return this.nextRun;
    const sorted = sortRecords(this.buffer.subarray(0, this.count * this.recordBytes), this.recordBytes, this.keyBytes);
    await putSegment(this.blobs, segmentKey(runPrefix(this.prefix, this.nextRun), 0), sorted);
    this.nextRun++;
    this.count = 0;
    return this.nextRun;
  }
}

/** The prefix of run n of a sorter's output. */
export const runPrefix = (prefix: string, n: number): string => `${prefix}/${String(n).padStart(6, '0')}`;

/** The records of `bytes` sorted by their first keyBytes (a new buffer). */
export function sortRecords(bytes: Buffer, recordBytes: number, keyBytes: number): Buffer {
  const n = bytes.length / recordBytes;
  const order = new Uint32Array(n);
  // The first 4 key bytes as a number settle most comparisons without touching the buffer.
  const lead = new Uint32Array(n);
  for (let i = 0; i < n; i++) { order[i] = i; lead[i] = bytes.readUInt32BE(i * recordBytes); }
  order.sort((a, b) => (lead[a] as number) - (lead[b] as number) || compareKeys(bytes, a * recordBytes, bytes, b * recordBytes, keyBytes));
  const out = Buffer.allocUnsafe(bytes.length);
  for (let i = 0; i < n; i++) bytes.copy(out, i * recordBytes, (order[i] as number) * recordBytes, ((order[i] as number) + 1) * recordBytes);
  return out;
}

/** Where a reader is in a run: the segment, and the record within it. Plain JSON (it goes in a step's cursor). */
export interface RunPosition { segment: number; record: number }
export const RUN_START: RunPosition = { segment: 0, record: 0 };

/**
 * Reads a run in order from a position: `current` is the record there (a view into the read
 * buffer, valid until the next `advance`), undefined at the end of the run.
 */
export class RunReader {
  private segments: { seq: number; records: number }[] = [];
  private listedAll = false;
  private listAfter: string | undefined;
  private buffer: Buffer = Buffer.alloc(0);
  private bufferSegment = -1;
  private bufferFrom = 0;
  private bufferCount = 0;
  current: Buffer | undefined;

  private constructor(private readonly blobs: BlobStore, readonly prefix: string, readonly recordBytes: number, public position: RunPosition, private readonly endSegment: number) {
    this.listAfter = position.segment > 0 ? segmentKey(prefix, position.segment - 1) : undefined;
  }

  /** `endSegment`: the run's segments are those before it (a list's recorded length); the rest are leftovers. */
  static async open(blobs: BlobStore, prefix: string, recordBytes: number, position: RunPosition = RUN_START, endSegment = Number.MAX_SAFE_INTEGER): Promise<RunReader> {
    const r = new RunReader(blobs, prefix, recordBytes, { ...position }, endSegment);
    await r.load();
    return r;
  }

  /** Moves to the next record. */
  async advance(): Promise<void> {
    this.position = { segment: this.position.segment, record: this.position.record + 1 };
    await this.load();
  }

  private async listMore(): Promise<void> {
    const page = await this.blobs.listPage(`${this.prefix}/`, { ...(this.listAfter !== undefined ? { after: this.listAfter } : {}), limit: 1000 });
    for (const o of page.objects) {
      const name = o.key.slice(this.prefix.length + 1);
      if (!/^\d{6}$/.test(name) || Number(name) >= this.endSegment) continue;
      if (o.size % this.recordBytes !== 0) throw new Error(`GC run segment ${o.key} is ${o.size} bytes, not a whole number of ${this.recordBytes}-byte records`);
      this.segments.push({ seq: Number(name), records: o.size / this.recordBytes });
    }
    this.listAfter = page.objects.at(-1)?.key ?? this.listAfter;
    if (page.next === undefined) this.listedAll = true;
  }

  private async load(): Promise<void> {
    for (;;) {
      while (this.segments.length > 0 && (this.segments[0] as { seq: number }).seq < this.position.segment) this.segments.shift();
      if (this.segments.length === 0 && !this.listedAll) { await this.listMore(); continue; }
      const seg = this.segments[0];
      if (!seg) { this.current = undefined; return; }
      if (seg.seq > this.position.segment) this.position = { segment: seg.seq, record: 0 };
      if (this.position.record >= seg.records) {
        this.segments.shift();
        this.position = { segment: this.position.segment + 1, record: 0 };
        continue;
      }
      const inBuffer = this.position.record - this.bufferFrom;
      if (this.bufferSegment !== seg.seq || inBuffer < 0 || inBuffer >= this.bufferCount) {
        const count = Math.min(READ_RECORDS, seg.records - this.position.record);
        const key = segmentKey(this.prefix, seg.seq);
        this.buffer = await this.blobs.getRange(key, this.position.record * this.recordBytes, count * this.recordBytes);
        if (this.buffer.length !== count * this.recordBytes) throw new Error(`GC run segment ${key} is shorter than its listing`);
        this.bufferSegment = seg.seq;
        this.bufferFrom = this.position.record;
        this.bufferCount = count;
      }
      const at = (this.position.record - this.bufferFrom) * this.recordBytes;
      this.current = this.buffer.subarray(at, at + this.recordBytes);
      return;
    }
  }
}

/** Deletes every object under `prefix/` (a run or a whole work area), a page at a time; returns how many. */
export async function deleteUnder(blobs: BlobStore, prefix: string): Promise<number> {
  let n = 0;
  for (;;) {
    const page = await blobs.listPage(prefix, { limit: 1000 });
    if (page.objects.length === 0) return n;
    await Promise.all(page.objects.map((o) => blobs.delete(o.key)));
    n += page.objects.length;
  }
}
