/**
 * The snapshot methods (issue 13). Each takes consistent copies of a machine's volumes to read,
 * recording what it made before making it (leftovers.ts), and hands back how to undo it:
 *  - reflink: disk-image files on XFS or btrfs, `cp --reflink=always` beside the image: instant,
 *    shares the blocks, no freeze of anything but the hooks;
 *  - lvm: `lvcreate --snapshot` of each logical volume (10 % of the origin for copy-on-write),
 *    read from /dev/VG/LV-drcore-snap, `lvremove` after; needs device-mapper;
 *  - fsfreeze: no snapshot layer: the filesystem on the device is frozen (`fsfreeze --freeze`)
 *    for the whole read, and thawed right after it (or at the freeze timeout).
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { VolumeSpec } from '../volume.js';
import { run, SnapshotError } from './commands.js';
import { undo, type Leftover, type Leftovers } from './leftovers.js';

export interface Taken { readonly volumes: VolumeSpec[]; readonly made: Leftover[] }

export async function takeReflink(volumes: readonly VolumeSpec[], machineId: string, leftovers: Leftovers): Promise<Taken> {
  const made: Leftover[] = [];
  const out: VolumeSpec[] = [];
  for (const v of volumes) {
    const path = join(dirname(v.path), `.${basename(v.path)}.drcore-snap-${machineId}`);
    const l: Leftover = { kind: 'file', path };
    leftovers.add(l);
    made.push(l);
    try {
      await run('cp', ['--reflink=always', v.path, path]);
    } catch (e) {
      await release(made, leftovers);
      throw new SnapshotError(`reflink copy of ${v.path} failed (it needs a file on XFS with reflink or on btrfs): ${(e as Error).message}`, { cause: e });
    }
    out.push({ name: v.name, path });
  }
  return { volumes: out, made };
}

export async function takeLvm(volumes: readonly VolumeSpec[], leftovers: Leftovers): Promise<Taken> {
  if (!existsSync('/dev/mapper/control')) throw new SnapshotError('LVM snapshots need device-mapper: /dev/mapper/control is absent on this machine');
  const made: Leftover[] = [];
  const out: VolumeSpec[] = [];
  try {
    for (const v of volumes) {
      const [vg, lv] = (await run('lvs', ['--noheadings', '-o', 'vg_name,lv_name', v.path])).trim().split(/\s+/);
      if (!vg || !lv) throw new SnapshotError(`${v.path} is not an LVM logical volume (lvs names no volume group)`);
      const name = `${lv}-drcore-snap`;
      const l: Leftover = { kind: 'lv', lv: `${vg}/${name}` };
      leftovers.add(l);
      made.push(l);
      await run('lvcreate', ['--snapshot', '--name', name, '--extents', '10%ORIGIN', `${vg}/${lv}`]);
      out.push({ name: v.name, path: `/dev/${vg}/${name}` });
    }
  } catch (e) {
    await release(made, leftovers);
    throw e;
  }
  return { volumes: out, made };
}

/** Freezes the filesystem mounted from each volume (`mounts`: volume name → mount point); the volumes are read as they are. */
export async function freeze(volumes: readonly VolumeSpec[], mounts: Readonly<Record<string, string>>, leftovers: Leftovers): Promise<Taken> {
  const made: Leftover[] = [];
  try {
    for (const v of volumes) {
      const mount = mounts[v.name];
      if (!mount) throw new SnapshotError(`fsfreeze needs the mount point of volume ${v.name} (--mount ${v.name}=DIR)`);
      await run('sync', ['-f', mount]);
      const l: Leftover = { kind: 'frozen', mount };
      leftovers.add(l);
      made.push(l);
      await run('fsfreeze', ['--freeze', mount]);
    }
  } catch (e) {
    await release(made, leftovers);
    throw e;
  }
  return { volumes: [...volumes], made };
}

/** Undoes what a method made (thaws first), each taken off the leftovers once undone. */
export async function release(made: readonly Leftover[], leftovers: Leftovers): Promise<void> {
  const ordered = [...made].sort((a, b) => (a.kind === 'frozen' ? -1 : b.kind === 'frozen' ? 1 : 0));
  let first: unknown;
  for (const l of ordered) {
    try { await undo(l); leftovers.remove(l); } catch (e) { first ??= e; }
  }
  if (first !== undefined) throw first;
}
