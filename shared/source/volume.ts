/**
 * A protected volume: a disk image or a block device, opened read-only (O_RDONLY; nothing is
 * ever written to it). Regular files report their size with stat; a block device's size comes
 * from /sys/dev/block/MAJOR:MINOR/size (512-byte sectors), as stat reports 0 for it.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { isValidId } from '../ids.js';

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

function blockDeviceSize(rdev: number): number {
  const major = (rdev >> 8) & 0xfff;
  const minor = (rdev & 0xff) | ((rdev >> 12) & 0xfff00);
  const sectors = Number(readFileSync(`/sys/dev/block/${major}:${minor}/size`, 'utf8').trim());
  if (!Number.isSafeInteger(sectors)) throw new Error(`cannot read the size of block device ${major}:${minor}`);
  return sectors * 512;
}

/** An open, read-only volume. */
export class Volume {
  private constructor(readonly path: string, readonly fd: number, readonly sizeBytes: number) {}

  static open(path: string): Volume {
    const fd = openSync(path, constants.O_RDONLY);
    try {
      const st = fstatSync(fd);
      if (!st.isFile() && !st.isBlockDevice()) throw new Error(`${path} is neither a disk image nor a block device`);
      return new Volume(path, fd, st.isBlockDevice() ? blockDeviceSize(st.rdev) : st.size);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  /** Reads exactly `length` bytes at `offset` into `into` (fails on a short volume). */
  readAt(into: Buffer, length: number, offset: number): Buffer {
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

/** The size of a volume without keeping it open. */
export function volumeSize(path: string): number {
  const v = Volume.open(path);
  try { return v.sizeBytes; } finally { v.close(); }
}
