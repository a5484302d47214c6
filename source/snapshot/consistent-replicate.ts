/**
 * One replication made consistent (issue 13): the pre-snapshot hook (applications quiesced), the
 * snapshot (methods.ts), the post-snapshot hook (applications released) as soon as the snapshot
 * exists — the freeze lasts for the snapshot only — then the read and upload of the snapshot,
 * then its removal. fsfreeze has no snapshot layer: the filesystem stays frozen for the whole
 * read, bounded by the freeze timeout (at the timeout it is thawed and the RP is not committed,
 * as it would not be consistent); the post hook runs after the thaw. A failed pre hook aborts the
 * run before anything is read or sent (the post hook still runs, so nothing stays locked). The RP
 * records the method and the freeze duration. What an interrupted run left (a copy, a freeze, an
 * LVM snapshot) is undone first.
 */
import type { RecoveryPointSnapshot, SnapshotMethod } from '../../shared/domain/recovery-point.js';
import { replicate, type ReplicateOptions, type ReplicateResult } from '../replicate.js';
import { MachineStateDir } from '../replication-state.js';
import { runHook } from './hooks.js';
import { Leftovers } from './leftovers.js';
import { freeze, release, takeLvm, takeReflink, type Taken } from './methods.js';

export interface ConsistencyOptions {
  readonly method: SnapshotMethod;
  readonly preHook?: string;
  readonly postHook?: string;
  /** Each hook's limit (default 5 minutes). */
  readonly hookTimeoutMs?: number;
  /** fsfreeze: the longest the filesystem stays frozen (default 10 minutes). */
  readonly freezeTimeoutMs?: number;
  /** fsfreeze: the mount point of each volume's filesystem. */
  readonly mounts?: Readonly<Record<string, string>>;
}

export async function consistentReplicate(o: ReplicateOptions, c: ConsistencyOptions, replicateFn: typeof replicate = replicate): Promise<ReplicateResult> {
  const log = o.log ?? (() => {});
  const leftovers = new Leftovers(new MachineStateDir(o.stateDir, o.machineId).dir);
  await leftovers.clean(log);
  if (c.method === 'none' && !c.preHook && !c.postHook) return replicateFn(o);
  const hook = { machineId: o.machineId, method: c.method, timeoutMs: c.hookTimeoutMs ?? 300_000 };
  let postDone = !c.postHook;
  const post = async () => { if (postDone) return; postDone = true; await runHook('post', c.postHook!, hook); };
  const record: RecoveryPointSnapshot = { method: c.method, freezeMs: 0 };

  if (c.preHook) {
    try {
      await runHook('pre', c.preHook, hook);
    } catch (e) {
      await post().catch((pe: unknown) => log(`the post-snapshot hook failed too: ${(pe as Error).message}`));
      throw new Error(`${(e as Error).message}; the run is aborted: nothing was read or sent`, { cause: e });
    }
  }
  const frozenAt = performance.now();
  let taken: Taken;
  try {
    switch (c.method) {
      case 'none': taken = { volumes: [...o.volumes], made: [] }; break;
      case 'reflink': taken = await takeReflink(o.volumes, o.machineId, leftovers); break;
      case 'lvm': taken = await takeLvm(o.volumes, leftovers); break;
      case 'fsfreeze': taken = await freeze(o.volumes, c.mounts ?? {}, leftovers); break;
      default: { const never: never = c.method; throw new Error(`unknown snapshot method ${String(never)}`); }
    }
  } catch (e) {
    await post().catch((pe: unknown) => log(`the post-snapshot hook failed too: ${(pe as Error).message}`));
    throw e;
  }

  let thawed = c.method !== 'fsfreeze';
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const thaw = async () => {
    if (thawed) return;
    thawed = true;
    clearTimeout(timer);
    record.freezeMs = Math.round(performance.now() - frozenAt);
    await release(taken.made, leftovers);
    await post();
  };
  if (c.method === 'fsfreeze') {
    const limit = c.freezeTimeoutMs ?? 600_000;
    log(`fsfreeze: the filesystem is frozen for the whole read (there is no snapshot layer), at most ${Math.round(limit / 1000)} s; writes to it wait until then`);
    timer = setTimeout(() => {
      timedOut = true;
      log(`fsfreeze: the read outlasted the freeze timeout (${Math.round(limit / 1000)} s): thawed; this RP will not be committed`);
      void thaw().catch((e: unknown) => log(`thawing failed: ${(e as Error).message}`));
    }, limit);
  } else {
    record.freezeMs = Math.round(performance.now() - frozenAt);
    await post().catch(async (e: unknown) => { await release(taken.made, leftovers); throw e; });
  }

  try {
    const r = await replicateFn({
      ...o, volumes: taken.volumes, snapshot: record,
      beforeCommit: async () => {
        await thaw();
        if (timedOut) throw new Error(`the read outlasted the freeze timeout: the filesystem was thawed before the read ended, so the RP would not be consistent; not committed (a longer --freeze-timeout, or a snapshot method)`);
      },
    });
    return r;
  } finally {
    clearTimeout(timer);
    if (!thawed) await thaw().catch((e: unknown) => log(`thawing failed: ${(e as Error).message}`));
    else if (c.method !== 'fsfreeze') await release(taken.made, leftovers).catch((e: unknown) => log(`removing the snapshot failed (the next run removes it): ${(e as Error).message}`));
    if (c.method !== 'none') log(`${c.method}: snapshot released; frozen ${record.freezeMs} ms`);
  }
}
