/**
 * Pre-snapshot and post-snapshot hooks (issue 13): the Linux counterpart of VSS writers. The
 * pre hook quiesces applications (flush and lock a database), the post hook releases them. Each
 * is a shell command (`sh -c`), with DRCORE_PHASE, DRCORE_MACHINE and DRCORE_SNAPSHOT_METHOD in
 * its environment, bounded by a timeout; a non-zero exit or the timeout is a HookFailed with
 * what the command printed.
 */
import { execFile } from 'node:child_process';

export class HookFailed extends Error {
  override readonly name = 'HookFailed';
}

export interface HookContext { readonly machineId: string; readonly method: string; readonly timeoutMs: number }

export function runHook(phase: 'pre' | 'post', command: string, c: HookContext): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('sh', ['-c', command], {
      timeout: c.timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1024 * 1024,
      env: { ...process.env, DRCORE_PHASE: phase, DRCORE_MACHINE: c.machineId, DRCORE_SNAPSHOT_METHOD: c.method },
    }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: number | string };
      const why = e.killed ? `did not finish within ${c.timeoutMs / 1000} s` : `exited with ${String(e.code)}`;
      reject(new HookFailed(`the ${phase}-snapshot hook ${why}${stderr.trim() ? `: ${stderr.trim().slice(0, 500)}` : ''}`, { cause: err }));
    });
  });
}
