/**
 * Marks from recovery points: every entry of a live RP's index parts becomes a mark (its chunk's
 * pack, offset, length), and so does every entry of a purged RP that a live RP's restore still
 * reads through (its parent chain: the chunks an incremental does not carry are its parents'),
 * pinned — such an RP is `held`, its data kept until no live RP needs it.
 */
import { indexGeneration, type RpIndexRef } from '../../../domain/recovery-point.js';
import { RpIndexPart } from '../../../format/rp-index.js';
import { rpIndexKey } from '../../replication/storage.js';
import type { GcContext } from './gc-context.js';
import { count } from './gc-context.js';
import { MARK_BYTES, writeMarkBytes } from './gc-records.js';
import { rpFacts, type RpFacts } from './rp-facts.js';
import type { RunSorter, SegmentWriter } from './sorted-runs.js';
import { RP_NAME_BYTES, writeRpName } from './gc-records.js';

export async function readPart(ctx: GcContext, rpId: string, index: RpIndexRef, n: number): Promise<RpIndexPart> {
  return RpIndexPart.decode(await ctx.deps.blobs.get(rpIndexKey(ctx.tenantId, rpId, n, indexGeneration(index))));
}

const scratch = Buffer.alloc(MARK_BYTES);

/** Adds a mark per entry of part n of the index; returns the entries marked. */
export async function markPart(ctx: GcContext, sorter: RunSorter, rpId: string, index: RpIndexRef, n: number, pinned: boolean): Promise<number> {
  const part = await readPart(ctx, rpId, index, n);
  for (let i = 0; i < part.count; i++) {
    const p = part.placeAt(i);
    await sorter.add(writeMarkBytes(scratch, p.pack, p.offset, p.length, pinned));
  }
  return part.count;
}

/** An index GC can read, or a refusal: layout-1 data has no index, so its packs cannot be told from garbage. */
export function indexOf(ctx: GcContext, facts: RpFacts): RpIndexRef {
  if (!facts.index) {
    throw new Error(`recovery point ${ctx.tenantId}/${facts.rpId} is stored in layout 1 (no index): GC cannot tell its packs from garbage; run \`drcore admin migrate-storage\` first`);
  }
  return facts.index;
}

/**
 * Walks the parents of live RP `facts`: each purged ancestor is marked (pinned) and listed as
 * held, up to the first live ancestor (whose own marking covers the rest of the chain).
 */
export async function markHeldAncestors(ctx: GcContext, sorter: RunSorter, facts: RpFacts, held: SegmentWriter | undefined): Promise<void> {
  const seen = new Set<string>([facts.rpId]);
  for (let id = facts.parentRpId; id !== undefined;) {
    if (seen.has(id)) throw new Error(`recovery point ${ctx.tenantId}/${facts.rpId} has a cyclic parent chain`);
    seen.add(id);
    const parent = await rpFacts(ctx.deps, ctx.tenantId, id);
    if (!parent || !parent.purged) return;
    const index = indexOf(ctx, parent);
    for (let n = 0; n < index.firstChunks.length; n++) count(ctx, 'markedEntries', await markPart(ctx, sorter, parent.rpId, index, n, true));
    if (held) await held.add(writeRpName(Buffer.alloc(RP_NAME_BYTES), parent.rpId));
    id = parent.parentRpId;
  }
}
