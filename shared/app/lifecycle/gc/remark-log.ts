/**
 * The re-mark, first pass (after the settle): what the event log gained since the mark — RPs
 * committed meanwhile, indexes rewritten (by this run's reindex or anyone's) — is marked again:
 * every recovery point of the tenant with an event after the mark cursor has its current index
 * marked, with its purged ancestors. The second pass (mark-uploads.ts, `remark`) marks the
 * uploads of the grace period again. A condemned pack any of these name is rescued.
 */
import { parseStreamId } from '../../../ids.js';
import type { GcContext } from './gc-context.js';
import { count } from './gc-context.js';
import { MARK_BYTES, MARK_KEY } from './gc-records.js';
import type { Phase } from './phase.js';
import { indexOf, markHeldAncestors, markPart } from './rp-marks.js';
import { rpFacts } from './rp-facts.js';
import { RunSorter } from './sorted-runs.js';

export interface RemarkLogCursor { after?: string }

const LOG_PAGE = 1000;

async function remarkRp(ctx: GcContext, sorter: RunSorter, rpId: string): Promise<number> {
  const facts = await rpFacts(ctx.deps, ctx.tenantId, rpId);
  if (!facts || facts.purged) return 0;
  const index = indexOf(ctx, facts);
  let parts = 0;
  for (let n = 0; n < index.firstChunks.length; n++, parts++) count(ctx, 'remarkedEntries', await markPart(ctx, sorter, rpId, index, n, false));
  await markHeldAncestors(ctx, sorter, facts, undefined);
  count(ctx, 'remarkedRps');
  return parts;
}

export const remarkLogPhase: Phase<RemarkLogCursor> = async (ctx, cursor) => {
  const sorter = new RunSorter(ctx.deps.blobs, `${ctx.work}/remarks/L0`, MARK_BYTES, MARK_KEY, ctx.carry.remarkRuns);
  let after = cursor ? cursor.after : ctx.carry.markCursor;
  const done = new Set<string>();
  let parts = 0;
  for (let read = 0; read < ctx.limits.catalogEvents && parts < ctx.limits.markParts * 4;) {
    const page = await ctx.deps.events.readAll(after, LOG_PAGE);
    for (const e of page.events) {
      let ref;
      try { ref = parseStreamId(e.streamId); } catch { ref = undefined; }
      if (ref?.kind === 'rp' && ref.parts[0] === ctx.tenantId && !done.has(ref.parts[1] as string)) {
        done.add(ref.parts[1] as string);
        parts += await remarkRp(ctx, sorter, ref.parts[1] as string);
      }
      after = e.position;
    }
    read += page.events.length;
    if (page.events.length === 0 || page.next === undefined) {
      ctx.carry.remarkRuns = await sorter.flush();
      return { done: true };
    }
  }
  ctx.carry.remarkRuns = await sorter.flush();
  return { cursor: after !== undefined ? { after } : {} };
};
