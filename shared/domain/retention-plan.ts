import { selectPrune, type PruneMark } from './prune.js';
import type { KeepCounts } from './retention-policy.js';

/**
 * What a retention run does to one machine's recovery points (docs/lifecycle.md), decided on
 * what the log says of each — pure, `now` passed in:
 *
 * 1. expire: the live RPs the prune selection (./prune.ts) does not keep go to the recycle bin;
 * 2. roll up: every live RP left resting on an RP in the bin gets a manifest of its own on its
 *    nearest live ancestor (or none: it becomes a base), so chains hold live RPs only and stay as
 *    short as the policy keeps them;
 * 3. purge: an RP whose bin period is over is purged once no other unpurged RP's chain holds it
 *    (children first, so a chain of binned RPs goes in one run).
 */
export interface PlanNode {
  readonly rpId: string;
  /** When the target committed it (ISO 8601). */
  readonly at: string;
  /** The RP it rests on now (after any roll-up). */
  readonly parentRpId?: string | undefined;
  readonly status: 'live' | 'binned';
  readonly pinned?: boolean;
  /** For a binned RP: when its bin period ends. */
  readonly purgeAfter?: string | undefined;
}

export interface RollUpStep {
  readonly rpId: string;
  /** The nearest live ancestor it will rest on (undefined: it becomes a base). */
  readonly onto: string | undefined;
  /** The binned RPs between them, newest first: their changes fold into it. */
  readonly folded: readonly string[];
}

export interface RetentionPlan {
  readonly marks: readonly PruneMark[];
  readonly expire: readonly string[];
  readonly rollUp: readonly RollUpStep[];
  /** In the order to purge (children first). */
  readonly purge: readonly string[];
}

type Nodes = ReadonlyMap<string, PlanNode>;

/** The RPs `rpId`'s restore reads after it (its ancestors), by their parent pointers. */
function ancestors(nodes: Nodes, rpId: string, parentOf: (n: PlanNode) => string | undefined): string[] {
  const out: string[] = [];
  const start = nodes.get(rpId);
  for (let id = start ? parentOf(start) : undefined; id !== undefined && !out.includes(id);) {
    out.push(id);
    const n = nodes.get(id);
    id = n ? parentOf(n) : undefined;
  }
  return out;
}

/** The nearest live ancestor of a node, and the binned ones passed on the way (newest first). */
export function nearestLive(nodes: Nodes, rpId: string): RollUpStep {
  const folded: string[] = [];
  const start = nodes.get(rpId);
  for (let id = start?.parentRpId; id !== undefined;) {
    const n = nodes.get(id);
    if (!n) break; // not known (purged, or not listed): nothing to rest on there
    if (n.status === 'live') return { rpId, onto: id, folded };
    if (folded.includes(id)) break;
    folded.push(id);
    id = n.parentRpId;
  }
  return { rpId, onto: undefined, folded };
}

/** The other unpurged RPs whose chains (as the parent pointers say) hold `rpId`. */
export function neededBy(nodes: Nodes, rpId: string, parentOf: (n: PlanNode) => string | undefined = (n) => n.parentRpId): string[] {
  return [...nodes.keys()].filter((id) => id !== rpId && ancestors(nodes, id, parentOf).includes(rpId));
}

/** Binned RPs past their bin period that no remaining RP needs, children first, repeated until none is left. */
export function purgeOrder(nodes: Nodes, now: string, parentOf: (n: PlanNode) => string | undefined = (n) => n.parentRpId): string[] {
  const left = new Map(nodes);
  const order: string[] = [];
  const t = Date.parse(now);
  for (let progress = true; progress;) {
    progress = false;
    for (const n of [...left.values()].sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || (a.rpId < b.rpId ? 1 : -1))) {
      if (n.status !== 'binned' || n.purgeAfter === undefined || Date.parse(n.purgeAfter) > t) continue;
      if (neededBy(left, n.rpId, parentOf).length > 0) continue;
      left.delete(n.rpId);
      order.push(n.rpId);
      progress = true;
    }
  }
  return order;
}

export function planRetention(list: readonly PlanNode[], keep: KeepCounts, now: string): RetentionPlan {
  const live = list.filter((n) => n.status === 'live');
  const marks = selectPrune(live.map((n) => ({ rpId: n.rpId, at: n.at, ...(n.pinned ? { pinned: true } : {}) })), keep);
  const expire = marks.filter((m) => !m.keep).map((m) => m.rpId);
  const gone = new Set(expire);
  const after = new Map(list.map((n) => [n.rpId, gone.has(n.rpId) ? { ...n, status: 'binned' as const } : n]));
  const rollUp = [...after.values()]
    .filter((n) => n.status === 'live' && n.parentRpId !== undefined && after.get(n.parentRpId)?.status === 'binned')
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || (a.rpId < b.rpId ? -1 : 1))
    .map((n) => nearestLive(after, n.rpId));
  // After the roll-ups a live RP rests on its nearest live ancestor; a binned one as it is.
  const parentAfter = (n: PlanNode): string | undefined => (n.status === 'live' ? nearestLive(after, n.rpId).onto : n.parentRpId);
  return { marks, expire, rollUp, purge: purgeOrder(after, now, parentAfter) };
}
