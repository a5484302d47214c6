/**
 * What the source needs to know of a block device from sysfs, and the one thing it asks the
 * kernel to do to one: flush its buffer cache (BLKFLSBUF) where O_DIRECT cannot be used. Node has
 * no ioctl, so the flush runs util-linux's `blockdev --flushbufs` (what an operator would type).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface DeviceNumber { readonly major: number; readonly minor: number }

export function deviceNumber(rdev: number): DeviceNumber {
  return { major: (rdev >> 8) & 0xfff, minor: (rdev & 0xff) | ((rdev >> 12) & 0xfff00) };
}

const sysfs = (d: DeviceNumber): string => `/sys/dev/block/${d.major}:${d.minor}`;

/** The device's size in bytes (stat reports 0 for a block device): /sys/…/size, in 512-byte sectors. */
export function blockDeviceSize(d: DeviceNumber): number {
  const sectors = Number(readFileSync(`${sysfs(d)}/size`, 'utf8').trim());
  if (!Number.isSafeInteger(sectors)) throw new Error(`cannot read the size of block device ${d.major}:${d.minor}`);
  return sectors * 512;
}

/** The logical block size (a partition's is its disk's), or undefined when sysfs does not say. */
export function logicalBlockSize(d: DeviceNumber): number | undefined {
  for (const queue of ['queue', '../queue']) {
    try {
      const n = Number(readFileSync(`${sysfs(d)}/${queue}/logical_block_size`, 'utf8').trim());
      if (Number.isSafeInteger(n) && n >= 512 && (n & (n - 1)) === 0) return n;
    } catch { /* not there: try the parent disk */ }
  }
  return undefined;
}

/** BLKFLSBUF: writes back and drops the device's cached pages, so the next buffered reads come from it. */
export function flushBuffers(path: string): void {
  try {
    execFileSync('blockdev', ['--flushbufs', path], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const detail = (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message;
    throw new Error(`blockdev --flushbufs ${path} failed: ${detail}`, { cause: err });
  }
}
