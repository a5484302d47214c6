/**
 * What the source must re-send so that the damage the core found heals (issue 11 item 3): the
 * extents (volume, extent index) of an RP whose restore resolves through a damaged chunk (a
 * damaged record: found corrupt or missing by a read or by the verify job, not healed since).
 * The source sends those extents whole in its next incremental on that RP, whatever its
 * signatures say, so the new RP no longer needs the damaged chunk; when the extent did not
 * change, the re-sent chunk is the same chunk, and its upload heals the old RPs too
 * (damage.ts healFrom). When a manifest chunk of the chain is damaged the extents cannot be
 * named: `rebase` tells the source to send a base.
 * A healthy tenant costs one empty page of its damaged records; manifests are read only when
 * a damaged chunk is in the chain.
 */
import type { AppDeps } from '../../deps.js';
import type { ManifestReader } from '../../../format/index.js';
import { loadTenant, requireMachine } from '../../replication/access.js';
import { damagedChunks } from '../../replication/damage.js';
import { committedChain, locate } from '../../replication/rp-chunks.js';
import { resolvesHere, usesOf, type ExtentRef } from './extent-usage.js';
import { ManifestUnreadable, manifestRead, openManifest } from './rp-manifest.js';

export interface DamagedExtents {
  readonly rpId: string;
  /** Extents of the RP to send whole in an incremental on it, by volume then index. */
  readonly extents: ExtentRef[];
  /** A manifest chunk of the RP's chain is damaged: send a base. */
  readonly rebase: boolean;
  /** Damaged chunks in the RP's chain. */
  readonly damagedChunks: number;
}

export async function damagedExtents(deps: AppDeps, tenantId: string, machineId: string, rpId: string, actor: string): Promise<DamagedExtents> {
  await loadTenant(deps, tenantId);
  await requireMachine(deps, tenantId, machineId);
  const chain = await committedChain(deps, tenantId, machineId, rpId);
  const damaged = await damagedChunks(deps, tenantId);
  const none: DamagedExtents = { rpId, extents: [], rebase: false, damagedChunks: 0 };
  if (damaged.size === 0) return none;

  const readers: (ManifestReader | undefined)[] = [];
  const found = new Map<string, ExtentRef>();
  let inChain = 0;
  try {
    const readerAt = async (k: number): Promise<ManifestReader> => (readers[k] ??= await openManifest(deps, tenantId, chain[k]!, actor));
    for (let k = 0; k < chain.length; k++) {
      const rp = chain[k]!;
      const here = new Set<string>();
      for (const c of damaged) if (await locate(deps, tenantId, [rp], c)) here.add(c);
      if (here.size === 0) continue;
      inChain += here.size;
      const uses = await manifestRead(rp.rpId, async () => usesOf(await readerAt(k), rp.manifest, here));
      for (const used of uses.values()) {
        if (used === 'manifest') return { ...none, rebase: true, damagedChunks: inChain };
        for (const e of used) {
          let stopped = false;
          for (let j = 0; j < k && !stopped; j++) stopped = await manifestRead(chain[j]!.rpId, async () => resolvesHere(await readerAt(j), e));
          if (!stopped) found.set(`${e.volume}\u0000${e.index}`, e);
        }
      }
    }
  } catch (err) {
    if (err instanceof ManifestUnreadable) return { ...none, rebase: true, damagedChunks: Math.max(inChain, 1) };
    throw err;
  }
  const extents = [...found.values()].sort((a, b) => (a.volume < b.volume ? -1 : a.volume > b.volume ? 1 : a.index - b.index));
  return { rpId, extents, rebase: false, damagedChunks: inChain };
}
