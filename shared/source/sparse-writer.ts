/**
 * Writes a restored volume image sparsely: the file is created at its full size as one hole
 * (ftruncate), then only non-zero data is written, with positional writes in any order — runs
 * of all-zero sub-blocks (64 KiB) are skipped, so zero extents and zero sub-blocks stay holes
 * and read back as zeros. The image is written under NAME.partial and renamed into place
 * after an fsync, so a file under its final name is always complete.
 */
import { closeSync, fsyncSync, ftruncateSync, openSync, renameSync, rmSync } from 'node:fs';
import { write } from 'node:fs';
import { promisify } from 'node:util';

const writeAsync = promisify(write);
const ZEROS = Buffer.alloc(64 * 1024);

export interface SparseStats { bytesWritten: number; bytesSkipped: number }

export class SparseWriter {
  private readonly fd: number;
  private readonly tmp: string;
  readonly stats: SparseStats = { bytesWritten: 0, bytesSkipped: 0 };

  constructor(readonly file: string, readonly sizeBytes: number, private readonly granule = ZEROS.length) {
    if (granule <= 0 || granule > ZEROS.length) throw new RangeError(`granule must be 1..${ZEROS.length}`);
    this.tmp = `${file}.partial`;
    this.fd = openSync(this.tmp, 'w', 0o600);
    ftruncateSync(this.fd, sizeBytes);
  }

  /** Writes `bytes` at `offset`, skipping all-zero granules. */
  async write(offset: number, bytes: Uint8Array): Promise<void> {
    if (offset < 0 || offset + bytes.length > this.sizeBytes) throw new RangeError(`write of ${bytes.length} bytes at ${offset} is outside the ${this.sizeBytes}-byte image`);
    const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let runStart = -1;
    for (let at = 0; at <= b.length; at += this.granule) {
      const end = Math.min(at + this.granule, b.length);
      const zero = at >= b.length || b.subarray(at, end).equals(ZEROS.subarray(0, end - at));
      if (!zero && runStart < 0) runStart = at;
      if ((zero || end === b.length) && runStart >= 0) {
        const runEnd = zero ? at : end;
        await this.writeFully(b.subarray(runStart, runEnd), offset + runStart);
        runStart = -1;
      }
      if (zero && at < b.length) this.stats.bytesSkipped += end - at;
    }
  }

  private async writeFully(data: Buffer, position: number): Promise<void> {
    let done = 0;
    while (done < data.length) {
      const { bytesWritten } = await writeAsync(this.fd, data, done, data.length - done, position + done);
      done += bytesWritten;
    }
    this.stats.bytesWritten += data.length;
  }

  /** fsyncs, closes and renames the image to its final name. */
  finish(): void {
    fsyncSync(this.fd);
    closeSync(this.fd);
    renameSync(this.tmp, this.file);
  }

  /** Closes and removes the partial image. */
  abort(): void {
    try { closeSync(this.fd); } catch { /* closed */ }
    rmSync(this.tmp, { force: true });
  }
}
