/**
 * Writes a restored volume image sparsely: the file is created at its full size as one hole
 * (ftruncate), then only non-zero data is written, with positional writes in any order — runs
 * of all-zero sub-blocks (64 KiB) are skipped, so zero extents and zero sub-blocks stay holes
 * and read back as zeros. The image is written under NAME.partial and moved into place after
 * an fsync, so a file under its final name is always complete.
 *
 * The partial file is always a new file (O_CREAT | O_EXCL | O_NOFOLLOW, after removing a stale
 * one — a symlink there is removed, never followed). Without `replace`, finish links it into
 * place, which fails if anything appeared under the final name meanwhile; with `replace` it
 * is renamed over what is there (a symlink there is replaced, its target untouched).
 */
import { closeSync, constants, fsyncSync, ftruncateSync, linkSync, lstatSync, openSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import { write } from 'node:fs';
import { promisify } from 'node:util';

const writeAsync = promisify(write);
const ZEROS = Buffer.alloc(64 * 1024);
const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
/** link() errors of filesystems without hard links: finish falls back to check-then-rename. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'ENOSYS']);

export interface SparseWriterOptions {
  /** Replace a file already under the final name (default: refuse with EEXIST). */
  readonly replace?: boolean;
}

export interface SparseStats { bytesWritten: number; bytesSkipped: number }

export class SparseWriter {
  private readonly fd: number;
  private readonly tmp: string;
  private readonly replace: boolean;
  private closed = false;
  readonly stats: SparseStats = { bytesWritten: 0, bytesSkipped: 0 };

  constructor(readonly file: string, readonly sizeBytes: number, private readonly granule = ZEROS.length, options: SparseWriterOptions = {}) {
    if (granule <= 0 || granule > ZEROS.length) throw new RangeError(`granule must be 1..${ZEROS.length}`);
    this.replace = options.replace ?? false;
    this.tmp = `${file}.partial`;
    rmSync(this.tmp, { force: true }); // a stale partial of an interrupted restore, or a planted symlink (not followed)
    this.fd = openSync(this.tmp, CREATE_NEW, 0o600);
    try {
      ftruncateSync(this.fd, sizeBytes);
    } catch (err) {
      this.abort();
      throw err;
    }
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

  /**
   * fsyncs, closes and moves the image to its final name. Without `replace`, throws an error
   * with code EEXIST (the partial file stays for abort) when something is there already.
   */
  finish(): void {
    fsyncSync(this.fd);
    this.close();
    if (this.replace) return renameSync(this.tmp, this.file);
    try {
      linkSync(this.tmp, this.file); // atomic: fails if the name exists, whatever it is
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw this.exists(err);
      if (code === undefined || !NO_HARD_LINKS.has(code)) throw err;
      if (this.present()) throw this.exists(err);
      return renameSync(this.tmp, this.file);
    }
    unlinkSync(this.tmp);
  }

  /** Closes and removes the partial image. */
  abort(): void {
    try { this.close(); } catch { /* the fd is unusable either way */ }
    rmSync(this.tmp, { force: true });
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  private present(): boolean {
    try {
      lstatSync(this.file);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code !== 'ENOENT';
    }
  }

  private exists(cause: unknown): Error {
    return Object.assign(new Error(`${this.file} already exists; not replaced`, { cause }), { code: 'EEXIST' });
  }
}
