/** The consistency options of `drcore source replicate` (source/snapshot/consistent-replicate.ts). */
import { SNAPSHOT_METHODS, type SnapshotMethod } from '../../shared/domain/recovery-point.js';
import type { ConsistencyOptions } from '../../source/snapshot/consistent-replicate.js';
import { UsageError } from '../args.js';

export const SNAPSHOT_OPTIONS = {
  snapshot: { type: 'string', value: 'METHOD', description: 'none (read as it is), reflink (image files on XFS/btrfs), fsfreeze (freezes the filesystem for the whole read), lvm (an LVM snapshot of each logical volume)', default: 'none' },
  'pre-snapshot': { type: 'string', value: 'CMD', description: 'Run before the snapshot (quiesce applications); a failure aborts the run' },
  'post-snapshot': { type: 'string', value: 'CMD', description: 'Run once the snapshot exists (release applications); after the thaw with fsfreeze' },
  mount: { type: 'string', value: 'NAME=DIR', description: 'fsfreeze: the mount point of volume NAME', multiple: true },
  'freeze-timeout': { type: 'string', value: 'SECONDS', description: 'fsfreeze: thaw after this long at most; the RP is then not committed (default 600)' },
} as const;

export function consistencyOf(values: { snapshot?: string | undefined; 'pre-snapshot'?: string | undefined; 'post-snapshot'?: string | undefined; mount?: string[] | undefined; 'freeze-timeout'?: string | undefined }): ConsistencyOptions {
  const method = (values.snapshot ?? 'none') as SnapshotMethod;
  if (!SNAPSHOT_METHODS.includes(method)) throw new UsageError(`--snapshot is one of ${SNAPSHOT_METHODS.join(', ')}, not ${values.snapshot}`);
  const mounts: Record<string, string> = {};
  for (const m of values.mount ?? []) {
    const at = m.indexOf('=');
    if (at < 1) throw new UsageError(`--mount is NAME=DIR, not ${m}`);
    mounts[m.slice(0, at)] = m.slice(at + 1);
  }
  if (values.mount?.length && method !== 'fsfreeze') throw new UsageError('--mount is for --snapshot fsfreeze');
  let freezeTimeoutMs: number | undefined;
  if (values['freeze-timeout'] !== undefined) {
    const s = Number(values['freeze-timeout']);
    if (!Number.isFinite(s) || s <= 0 || s > 86_400) throw new UsageError(`--freeze-timeout must be 1..86400 seconds, not ${values['freeze-timeout']}`);
    freezeTimeoutMs = s * 1000;
  }
  return {
    method, mounts, ...(freezeTimeoutMs !== undefined ? { freezeTimeoutMs } : {}),
    ...(values['pre-snapshot'] ? { preHook: values['pre-snapshot'] } : {}), ...(values['post-snapshot'] ? { postHook: values['post-snapshot'] } : {}),
  };
}
