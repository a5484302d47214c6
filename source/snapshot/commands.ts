/** The system commands the snapshot methods run (cp, fsfreeze, lvm2), with their stderr in the error. */
import { execFile } from 'node:child_process';

export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';
}

export function run(cmd: string, args: readonly string[], timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? `${cmd} is not installed` : `${cmd} ${args.join(' ')} failed: ${stderr.trim() || err.message}`;
      reject(new SnapshotError(why, { cause: err }));
    });
  });
}
