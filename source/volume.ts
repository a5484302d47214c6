/**
 * A protected volume: a disk image or a block device, opened read-only (O_RDONLY; nothing is
 * ever written to it). Regular files report their size with stat; a block device's size comes
 * from /sys/dev/block/MAJOR:MINOR/size (512-byte sectors), as stat reports 0 for it.
 *
 * How it is read (its ReadPath):
 *  - a disk image: buffered reads through the page cache ('buffered'), the fast path;
 *  - a block device: always as it is on the device. A mounted file system writes file data
 *    past the block device's page cache, so pages an earlier buffered read left there go stale
 *    (a replica of a frozen ext4 missed 20 MB of changes that way). It is read with O_DIRECT
 *    ('direct', direct-read.ts), checked with a first read when the pass opens it; where
 *    O_DIRECT does not work, its buffer cache is flushed before the pass ('flushed').
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { isValidId } from '../shared/ids.js';
import { blockDeviceSize, deviceNumber, flushBuffers, logicalBlockSize } from './block-device.js';
import { checkDirect, readDirect, type DirectSource } from './direct-read.js';

export type ReadPath = 'buffered' | 'direct' | 'flushed';

export interface VolumeSpec {
  /** The volume's name in recovery points and the restored file name (NAME.img). */
  readonly name: string;
  readonly path: string;
}

/** Parses a `NAME=PATH` argument. Names follow the id rule so `NAME.img` is a safe file name. */
export function parseVolumeSpec(text: string): VolumeSpec {
  const at = text.indexOf('=');
  if (at <= 0 || at === text.length - 1) throw new Error(`--volume takes NAME=PATH, got ${JSON.stringify(text)}`);
  const name = text.slice(0, at);
  if (!isValidId(name)) throw new Error(`volume name ${JSON.stringify(name)} must match [A-Za-z0-9._-]{1,64}`);
  return { name, path: resolve(text.slice(at + 1)) };
}

interface Opened { readonly fd: number; readonly sizeBytes: number; readonly device: boolean; readonly align: number }

function openAs(path: string, flags: number): Opened {
  const fd = openSync(path, constants.O_RDONLY | flags);
  try {
    const st = fstatSync(fd);
    if (!st.isFile() && !st.isBlockDevice()) throw new Error(`${path} is neither a disk image nor a block device`);
    if (!st.isBlockDevice()) return { fd, sizeBytes: st.size, device: false, align: 1 };
    const d = deviceNumber(st.rdev);
    return { fd, sizeBytes: blockDeviceSize(d), device: true, align: Math.max(4096, logicalBlockSize(d) ?? 0) };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** An open, read-only volume. */
export class Volume {
  private constructor(
    readonly path: string, readonly fd: number, readonly sizeBytes: number, readonly readPath: ReadPath,
    private readonly align: number,
    /** Why O_DIRECT was not used ('flushed' chosen by open). */
    readonly directRefused?: string,
  ) {}

  /**
   * Opens a volume. Without `as`, chooses how to read it (and flushes a block device's buffer
   * cache when O_DIRECT fails); with `as`, opens it the way a pass chose (an extent worker).
   */
  static open(path: string, as?: ReadPath): Volume {
    if (as === 'direct') return Volume.direct(path, false);
    const o = openAs(path, 0);
    if (!o.device) return new Volume(path, o.fd, o.sizeBytes, 'buffered', 1);
    if (as === 'flushed') return new Volume(path, o.fd, o.sizeBytes, 'flushed', o.align);
    closeSync(o.fd);
    if (as === 'buffered') throw new Error(`${path} is a block device: it is never read through the page cache`);
    let refused: string;
    try {
      return Volume.direct(path, true);
    } catch (err) {
      refused = errorText(err);
    }
    try { flushBuffers(path); } catch (err) {
      throw new Error(`cannot read ${path} as it is on the device: O_DIRECT failed (${refused}) and ${errorText(err)}`, { cause: err });
    }
    const again = openAs(path, 0);
    return new Volume(path, again.fd, again.sizeBytes, 'flushed', again.align, refused);
  }

  private static direct(path: string, check: boolean): Volume {
    const o = openAs(path, constants.O_DIRECT);
    const v = new Volume(path, o.fd, o.sizeBytes, 'direct', o.align);
    try {
      if (!o.device) throw new Error(`${path} is not a block device: it is read buffered`);
      if (check) checkDirect(v.source);
      return v;
    } catch (err) {
      v.close();
      throw err;
    }
  }

  private get source(): DirectSource {
    return { fd: this.fd, path: this.path, sizeBytes: this.sizeBytes, align: this.align };
  }

  /** Reads exactly `length` bytes at `offset` into `into` (fails on a short volume). */
  readAt(into: Buffer, length: number, offset: number): Buffer {
    if (this.readPath === 'direct') {
      readDirect(this.source, into, length, offset);
      return into.subarray(0, length);
    }
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, into, done, length - done, offset + done);
      if (n === 0) throw new Error(`${this.path} ended at byte ${offset + done}, expected ${this.sizeBytes} bytes`);
      done += n;
    }
    return into.subarray(0, length);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** The size of a volume without keeping it open (and without choosing how to read it). */
export function volumeSize(path: string): number {
  const o = openAs(path, 0);
  closeSync(o.fd);
  return o.sizeBytes;
}
