/**
 * What a snapshot left behind, recorded before it is made (STATE/machines/<m>/snapshots.json), so
 * that a crash in the middle of a run leaves nothing behind for long: the next run of the machine
 * (or the daemon's start) removes the reflink copy, thaws the filesystem, removes the LVM
 * snapshot, before anything else.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './commands.js';

export type Leftover = { kind: 'file'; path: string } | { kind: 'frozen'; mount: string } | { kind: 'lv'; lv: string };

export class Leftovers {
  private readonly file: string;
  constructor(machineDir: string) {
    this.file = join(machineDir, 'snapshots.json');
  }

  list(): Leftover[] {
    return existsSync(this.file) ? (JSON.parse(readFileSync(this.file, 'utf8')) as Leftover[]) : [];
  }

  add(l: Leftover): void {
    writeFileSync(this.file, JSON.stringify([...this.list(), l]), { mode: 0o600 });
  }

  remove(l: Leftover): void {
    const rest = this.list().filter((x) => JSON.stringify(x) !== JSON.stringify(l));
    if (rest.length) writeFileSync(this.file, JSON.stringify(rest), { mode: 0o600 });
    else rmSync(this.file, { force: true });
  }

  /** Undoes each recorded leftover (thaw first, so nothing stays frozen); says what it did. */
  async clean(log: (line: string) => void): Promise<void> {
    const all = this.list().sort((a, b) => (a.kind === 'frozen' ? -1 : b.kind === 'frozen' ? 1 : 0));
    for (const l of all) {
      await undo(l).catch((e: unknown) => log(`could not clean up ${JSON.stringify(l)} left by an interrupted run: ${(e as Error).message}`));
      log(`cleaned up ${describe(l)} left by an interrupted run`);
      this.remove(l);
    }
  }
}

export async function undo(l: Leftover): Promise<void> {
  switch (l.kind) {
    case 'file': rmSync(l.path, { force: true }); return;
    case 'frozen': await run('fsfreeze', ['--unfreeze', l.mount]).catch((e: Error) => { if (!/Invalid argument/.test(e.message)) throw e; }); return; // EINVAL: not frozen
    case 'lv': await run('lvremove', ['--yes', l.lv]); return;
    default: { const never: never = l; throw new Error(`unknown leftover ${JSON.stringify(never)}`); }
  }
}

function describe(l: Leftover): string {
  switch (l.kind) {
    case 'file': return `the reflink copy ${l.path}`;
    case 'frozen': return `the freeze of ${l.mount}`;
    case 'lv': return `the LVM snapshot ${l.lv}`;
    default: { const never: never = l; return String(never); }
  }
}
