/**
 * What a rolled-up RP's manifest says of one extent (docs/lifecycle.md "Roll-up"), decided from
 * the entries the folded links hold — the RP itself and the binned RPs below it, newest first —
 * without reading a byte where it can: an entry that already says the extent's content is
 * reused; only an extent whose content is a DELTA on something that is folded away (or whose
 * volume changed size on the way) is materialized, i.e. resolved through the old chain into a
 * FULL chunk. The same walk as restore's resolveExtent (shared/format/restore.ts).
 */
import type { ExtentEntry } from '../../format/index.js';

/** One folded link as seen for this extent. */
export interface FoldedStep {
  /** Its entry for the extent (undefined: it does not list it). */
  readonly entry: ExtentEntry | undefined;
  /** The extent's length in that link's volume (0: the volume did not reach it, or did not exist). */
  readonly length: number;
  readonly type: 'base' | 'incremental';
}

export type ExtentDecision =
  /** Not listed: the new parent's content is the extent's (only with a new parent). */
  | { readonly kind: 'omit' }
  /** This entry (a FULL, or a DELTA on the new parent's content) says it. */
  | { readonly kind: 'reuse'; readonly entry: ExtentEntry & { chunk: string } }
  | { readonly kind: 'zero' }
  /** Resolve it through the old chain and store it as a FULL chunk. */
  | { readonly kind: 'materialize' };

/**
 * `folded`: the RP and the binned RPs it rests on, newest first. `parentLength`: the extent's
 * length in the new parent (undefined: no new parent, the RP becomes a base). `length`: in the RP.
 */
export function decideExtent(folded: readonly FoldedStep[], parentLength: number | undefined, length: number): ExtentDecision {
  const deltas: (ExtentEntry & { chunk: string })[] = [];
  let fixed: ExtentDecision | undefined;
  let sameLength = true;
  for (const step of folded) {
    if (step.length !== length) sameLength = false;
    if (step.length === 0) { fixed = { kind: 'zero' }; break; }
    const e = step.entry;
    if (e === undefined) {
      if (step.type === 'base') { fixed = { kind: 'zero' }; break; }
      continue;
    }
    if (e.kind === 'ZERO') { fixed = { kind: 'zero' }; break; }
    if (e.kind === 'DELTA') { deltas.push(e); continue; }
    fixed = { kind: 'reuse', entry: e };
    break;
  }
  if (fixed === undefined) {
    // Every folded link leaves the extent to the one below: the new parent's content.
    if (parentLength === undefined) throw new Error('the chain has no base for this extent');
    if (!sameLength || parentLength !== length) return { kind: 'materialize' };
    if (deltas.length === 0) return { kind: 'omit' };
    return deltas.length === 1 ? { kind: 'reuse', entry: deltas[0] as ExtentEntry & { chunk: string } } : { kind: 'materialize' };
  }
  if (!sameLength || deltas.length > 0) return { kind: 'materialize' };
  return fixed;
}
