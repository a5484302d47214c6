/**
 * Which committed RPs a bad chunk breaks (ChunkCorrupted names them): the RP whose index holds
 * it, and each descendant on the same machine that still resolves one of the chunk's extents
 * through it — an incremental that lists the extent FULL or ZERO (or no longer has it) stops
 * the damage there, for itself and its descendants. A bad manifest chunk (root or part) breaks
 * the RP and every descendant. Reads manifests only when there is damage to place.
 */
import type { RecoveryPointCommittedData } from '../../../domain/recovery-point.js';
import type { ManifestReader } from '../../../format/index.js';
import type { AppDeps } from '../../deps.js';
import { recoveryPointHandler } from '../../handlers.js';
import { RECOVERY_POINTS, rpPrefix, type RecoveryPointSummary } from '../../projections/recovery-point-summaries.js';
import { resolvesHere, usesOf, type ExtentRef } from './extent-usage.js';
import { ManifestUnreadable, manifestRead, openManifest } from './rp-manifest.js';

/** The machine's committed RPs by parent (projection: an RP committed a moment ago may be absent; the next run names it). */
async function childrenOf(deps: AppDeps, tenantId: string, machineId: string): Promise<Map<string, string[]>> {
  const children = new Map<string, string[]>();
  for (const rp of await deps.readModels.list<RecoveryPointSummary>(RECOVERY_POINTS, { prefix: rpPrefix(tenantId, machineId) })) {
    if (rp.parentRpId === undefined) continue;
    (children.get(rp.parentRpId) ?? children.set(rp.parentRpId, []).get(rp.parentRpId)!).push(rp.rpId);
  }
  for (const list of children.values()) list.sort();
  return children;
}

/** For each of `chunks` (of `holder`'s index), the RPs it breaks, `holder` first. */
export async function rpsBrokenBy(deps: AppDeps, tenantId: string, holder: RecoveryPointCommittedData, chunks: readonly string[], actor: string): Promise<Map<string, string[]>> {
  const children = await childrenOf(deps, tenantId, holder.machineId);
  const descendants = (rpId: string): string[] => (children.get(rpId) ?? []).flatMap((c) => [c, ...descendants(c)]);
  const everything = [holder.rpId, ...descendants(holder.rpId)];
  const out = new Map<string, string[]>();
  let uses: Map<string, ExtentRef[] | 'manifest'>;
  try {
    const reader = await openManifest(deps, tenantId, holder, actor);
    uses = await manifestRead(holder.rpId, () => usesOf(reader, holder.manifest, new Set(chunks)));
  } catch (err) {
    if (!(err instanceof ManifestUnreadable)) throw err;
    for (const c of chunks) out.set(c, everything);
    return out;
  }

  const readers = new Map<string, Promise<ManifestReader | undefined>>();
  const readerOf = (rpId: string): Promise<ManifestReader | undefined> => {
    let r = readers.get(rpId);
    if (!r) {
      r = (async () => {
        const { state } = await recoveryPointHandler.load(deps, { tenantId, rpId });
        if (state.status !== 'committed') return undefined;
        return openManifest(deps, tenantId, state.rp, actor);
      })();
      readers.set(rpId, r);
    }
    return r;
  };

  for (const c of chunks) {
    const used = uses.get(c);
    if (used === undefined || used === 'manifest') { out.set(c, everything); continue; }
    const broken = [holder.rpId];
    const walk = async (rpId: string, live: readonly ExtentRef[]): Promise<void> => {
      for (const child of children.get(rpId) ?? []) {
        let still: ExtentRef[];
        try {
          const reader = await manifestRead(child, () => readerOf(child));
          if (!reader) continue;
          still = [];
          for (const e of live) if (!(await manifestRead(child, () => resolvesHere(reader, e)))) still.push(e);
        } catch (err) {
          if (!(err instanceof ManifestUnreadable)) throw err;
          broken.push(child, ...descendants(child)); // its own manifest is damaged: it restores nothing
          continue;
        }
        if (still.length === 0) continue;
        broken.push(child);
        await walk(child, still);
      }
    };
    await walk(holder.rpId, used);
    out.set(c, [...new Set(broken)]);
  }
  return out;
}
