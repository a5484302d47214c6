/**
 * A real block device for tests: a loop device over a sparse image, holding a real ext4 file
 * system, mounted, frozen and thawed with the util-linux/e2fsprogs tools an operator uses.
 * Needs root and /dev/loop-control; `whyNoLoopDevices` says plainly when the machine lacks them.
 * Every `attach`/`mount`/`freeze` is undone by `LoopFs.cleanup` (call it in a `finally`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const TOOLS = ['losetup', 'mkfs.ext4', 'mount', 'umount', 'fsfreeze', 'blockdev', 'dd', 'cmp', 'sync'] as const;

const run = (cmd: string, args: readonly string[]): string => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** Why loop devices cannot be used here, or undefined when they can (it attaches and detaches one). */
export function whyNoLoopDevices(scratchDir: string): string | undefined {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`;
  if (process.getuid?.() !== 0) return `not root (uid ${process.getuid?.()}): losetup, mount and fsfreeze need root`;
  if (!existsSync('/dev/loop-control')) return '/dev/loop-control is absent (no loop driver, or a container without it)';
  for (const tool of TOOLS) {
    try { run('sh', ['-c', `command -v ${tool}`]); } catch { return `${tool} is not installed (util-linux, e2fsprogs, coreutils, diffutils)`; }
  }
  const probe = join(scratchDir, 'loop-probe.img');
  writeFileSync(probe, '');
  truncateSync(probe, 1024 * 1024);
  try {
    const dev = run('losetup', ['-f', '--show', probe]).trim();
    run('losetup', ['-d', dev]);
    return undefined;
  } catch (err) {
    return `losetup cannot attach a loop device: ${(err as Error).message.split('\n')[0]}`;
  } finally {
    rmSync(probe, { force: true });
  }
}

export class LoopFs {
  device: string | undefined;
  private mounted = false;
  private frozen = false;

  constructor(readonly image: string, readonly mountPoint: string) {}

  /** A sparse image of `bytes`, on a new loop device, with a fresh ext4 (or XFS with reflink: ≥ 300 MiB) mounted at mountPoint. */
  create(bytes: number, fs: 'ext4' | 'xfs' = 'ext4'): void {
    writeFileSync(this.image, '');
    truncateSync(this.image, bytes);
    this.device = run('losetup', ['-f', '--show', this.image]).trim();
    // Inode tables and journal written now, so no lazy-init thread writes behind the test's back.
    if (fs === 'xfs') run('mkfs.xfs', ['-q', '-f', '-m', 'reflink=1', this.device]);
    else run('mkfs.ext4', ['-q', '-F', '-E', 'lazy_itable_init=0,lazy_journal_init=0', this.device]);
    mkdirSync(this.mountPoint, { recursive: true });
    run('mount', [this.device, this.mountPoint]);
    this.mounted = true;
  }

  /** sync, then `fsfreeze -f`: the device holds a consistent file system and nothing writes to it. */
  freeze(): void {
    run('sync', ['-f', this.mountPoint]);
    run('fsfreeze', ['-f', this.mountPoint]);
    this.frozen = true;
  }

  thaw(): void {
    if (!this.frozen) return;
    run('fsfreeze', ['-u', this.mountPoint]);
    this.frozen = false;
  }

  /** The device as it is on the device (O_DIRECT: no page cache involved), copied to `to`. */
  copyDirect(to: string): string {
    run('dd', [`if=${this.dev}`, `of=${to}`, 'bs=1M', 'iflag=direct', 'status=none']);
    return to;
  }

  /** The device through the kernel's block-device page cache, copied to `to`. */
  copyBuffered(to: string): string {
    run('dd', [`if=${this.dev}`, `of=${to}`, 'bs=1M', 'status=none']);
    return to;
  }

  get dev(): string {
    if (!this.device) throw new Error('no loop device attached');
    return this.device;
  }

  /** Thaws, unmounts and detaches whatever is still in place; never throws. */
  cleanup(): string[] {
    const problems: string[] = [];
    const attempt = (what: string, fn: () => void) => { try { fn(); } catch (err) { problems.push(`${what}: ${(err as Error).message.split('\n')[0]}`); } };
    if (this.frozen) attempt('fsfreeze -u', () => this.thaw());
    if (this.mounted) attempt('umount', () => { run('umount', [this.mountPoint]); this.mounted = false; });
    if (this.device) attempt('losetup -d', () => { run('losetup', ['-d', this.dev]); this.device = undefined; });
    return problems;
  }
}
