/**
 * What GC needs to know of one recovery point, read from its stream. An RP is LIVE for GC from
 * its commit until `RecoveryPointPurged` (issue 11: expired RPs sit in the tenant's recycle bin
 * and still restore); its chunks are where its index says — the aggregate's own fold decides
 * that, so a later event that rewrites an index (GC's reindex, retention's roll-up) is followed.
 * Of a purged RP GC needs only the index it had (when a live RP's restore still reads through
 * it): taken from the events that set an index, whatever else the stream holds.
 *
 * Fails safe: an RP whose index cannot be read is an error, never "nothing referenced".
 */
import { fold } from '../../../domain/decider.js';
import { recoveryPointDecider, type RecoveryPointCommittedData, type RecoveryPointEvent, type RpIndexRef } from '../../../domain/recovery-point.js';
import { streams } from '../../../ids.js';
import type { AppDeps } from '../../deps.js';

/** The retention job's event that ends an RP's life (its name is shared between the lifecycle jobs). */
export const PURGED = 'RecoveryPointPurged';
const INDEXING = new Set(['RecoveryPointCommitted', 'RecoveryPointIndexed', 'RecoveryPointReindexed']);

export interface RpFacts {
  readonly rpId: string;
  readonly machineId: string;
  readonly purged: boolean;
  readonly parentRpId?: string;
  /** Absent: committed in storage layout 1 (no index; not migrated). */
  readonly index?: RpIndexRef;
}

/** The RP's facts, or undefined when it was never committed. */
export async function rpFacts(deps: Pick<AppDeps, 'events'>, tenantId: string, rpId: string): Promise<RpFacts | undefined> {
  const events = await deps.events.readStream(streams.rp(tenantId, rpId));
  const commit = events.find((e) => e.type === 'RecoveryPointCommitted');
  if (!commit) return undefined;
  const committed = commit.data as RecoveryPointCommittedData;
  if (events.some((e) => e.type === PURGED)) {
    let index: RpIndexRef | undefined;
    for (const e of events) if (INDEXING.has(e.type)) index = (e.data as { index?: RpIndexRef }).index ?? index;
    return { rpId, machineId: committed.machineId, purged: true, ...parentOf(committed), ...(index ? { index } : {}) };
  }
  const state = fold(recoveryPointDecider, events as unknown as RecoveryPointEvent[]);
  const rp = 'rp' in state ? state.rp : undefined;
  if (!rp) throw new Error(`recovery point ${tenantId}/${rpId} is committed but its state names no index: GC will not guess`);
  return { rpId, machineId: rp.machineId, purged: false, ...parentOf(rp), ...(rp.index ? { index: rp.index } : {}) };
}

const parentOf = (d: { parentRpId?: string }): { parentRpId?: string } => (d.parentRpId !== undefined ? { parentRpId: d.parentRpId } : {});
