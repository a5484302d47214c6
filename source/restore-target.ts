/**
 * Where `drcore source restore` writes: OUT/NAME.img for each volume. The names come from the
 * target's manifest, so a malicious or broken target could name any path: each is checked
 * with the id rule before a path is built, each path must lie directly inside the resolved
 * OUT, and an existing entry is refused unless `force` (a directory, or anything but a file or
 * symlink, always). SparseWriter then writes a fresh partial file (never through a symlink)
 * and, without `force`, never replaces a file that appeared meanwhile.
 */
import { lstatSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isValidId } from '../shared/ids.js';

/** Restore refuses to write: one line, fit for the CLI as it is. */
export class RestoreRefusedError extends Error {
  override readonly name = 'RestoreRefusedError';
}

export interface RestoreTarget<V> { readonly volume: V; readonly file: string }

/** Throws unless `name` (from the target's manifest) follows the id rule. */
export function checkVolumeName(name: string): void {
  if (!isValidId(name)) {
    throw new RestoreRefusedError(`the target's manifest has volume name ${JSON.stringify(name)}, which must match [A-Za-z0-9._-]{1,64} and not be "." or "..": nothing restored`);
  }
}

function existing(file: string): 'none' | 'file' | 'other' {
  try {
    const st = lstatSync(file);
    return st.isFile() || st.isSymbolicLink() ? 'file' : 'other';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    throw err;
  }
}

/**
 * The file of each volume inside `outDir` (which must exist), checked before anything is
 * written: valid names, distinct even on a case-insensitive filesystem, paths strictly inside
 * the real `outDir`, and no existing entry unless `force`.
 */
export function restoreTargets<V extends { readonly name: string }>(outDir: string, volumes: readonly V[], force: boolean): RestoreTarget<V>[] {
  const seen = new Map<string, string>();
  for (const { name } of volumes) {
    checkVolumeName(name);
    const other = seen.get(name.toLowerCase());
    if (other !== undefined) throw new RestoreRefusedError(`volumes ${JSON.stringify(other)} and ${JSON.stringify(name)} would be one file on a case-insensitive filesystem: nothing restored`);
    seen.set(name.toLowerCase(), name);
  }
  const root = realpathSync(outDir);
  const targets = volumes.map((volume) => {
    const file = resolve(root, `${volume.name}.img`);
    if (dirname(file) !== root) throw new RestoreRefusedError(`refusing to write ${file}: it is not inside ${root}`);
    return { volume, file };
  });
  for (const { file } of targets) {
    const found = existing(file);
    if (found === 'other') throw new RestoreRefusedError(`${file} exists and is not a file: refusing to replace it`);
    if (found === 'file' && !force) throw new RestoreRefusedError(`${file} already exists; pass --force to replace it`);
  }
  return targets;
}
