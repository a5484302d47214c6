/**
 * Retention-class object locks (issue 11 item 4; docs/lifecycle.md "Object Lock"): after a
 * retention run decided what it keeps, every kept RP's data — the packs and index parts of its
 * whole chain, everything its restore reads — is locked until the date its class asks
 * (shared/domain/lock-period.ts): a monthly's packs longer than a daily's. Packs are shared
 * between RPs, and a lock only grows, so a pack ends locked for the longest-kept RP that reads it.
 *
 * Only where the deps have ObjectLocks (AWS with `-c objectLock=true`). Each RP's lock is recorded
 * (OperationalStore `locks/<tenantId>`, id rpId → until), so a run extends only what changed;
 * a run that reaches its object budget stops and the next one goes on (nothing recorded for the
 * RP it was in, so it is done again whole — extend is idempotent).
 */
import { lockUntil } from '../../domain/lock-period.js';
import type { KeepReason } from '../../domain/prune.js';
import type { RetentionSettings } from '../../domain/retention-policy.js';
import { RpIndexPart } from '../../format/rp-index.js';
import { assertId } from '../../ids.js';
import type { AppDeps } from '../deps.js';
import { committedChain } from '../replication/rp-chunks.js';
import { packKey, rpIndexKey } from '../replication/storage.js';

export const locksCollection = (tenantId: string): string => `locks/${assertId('tenantId', tenantId)}`;
export interface LockRecord { rpId: string; until: string }
export interface RpLock { rpId: string; until: string; objects: number }

/** Object locks extended per run at most (two S3 requests each); the rest waits for the next run. */
export const LOCK_OBJECTS_PER_RUN = 20_000;

export async function lockKeptRecoveryPoints(
  deps: AppDeps, tenantId: string, machineId: string, kept: readonly { rpId: string; committedAt: string; by: KeepReason }[],
  retention: RetentionSettings, now: string, budget: { objects: number } = { objects: LOCK_OBJECTS_PER_RUN },
): Promise<RpLock[]> {
  const locks = deps.objectLocks;
  if (!locks) return [];
  const done: RpLock[] = [];
  const partPacks = new Map<string, string[]>(); // chains share parents: each index part read once per run
  for (const k of kept) {
    const until = lockUntil(k.by, k.committedAt, now, retention);
    const record = await deps.operational.get<LockRecord>(locksCollection(tenantId), k.rpId);
    if (record && Date.parse(record.until) >= until.getTime()) continue;
    const keys = await chainObjects(deps, tenantId, machineId, k.rpId, partPacks);
    if (keys.length > budget.objects) break; // the next run, with a fresh budget
    for (const key of keys) await locks.extend(key, until);
    budget.objects -= keys.length;
    await deps.operational.put<LockRecord>(locksCollection(tenantId), k.rpId, { rpId: k.rpId, until: until.toISOString() });
    done.push({ rpId: k.rpId, until: until.toISOString(), objects: keys.length });
  }
  return done;
}

/** Every object the RP's restore reads: each chain link's index parts and the packs they name. */
async function chainObjects(deps: AppDeps, tenantId: string, machineId: string, rpId: string, partPacks: Map<string, string[]>): Promise<string[]> {
  const keys = new Set<string>();
  for (const rp of await committedChain(deps, tenantId, machineId, rpId, { fresh: true })) {
    const index = rp.index;
    if (!index) continue; // storage layout 1: nothing to name until it is migrated
    for (let n = 0; n < index.firstChunks.length; n++) {
      const partKey = rpIndexKey(tenantId, rp.rpId, n, index.generation);
      keys.add(partKey);
      let packs = partPacks.get(partKey);
      if (!packs) {
        const part = RpIndexPart.decode(await deps.blobs.get(partKey));
        const named = new Set<string>();
        for (let i = 0; i < part.count; i++) named.add(packKey(tenantId, part.entry(i).pack));
        partPacks.set(partKey, (packs = [...named]));
      }
      for (const key of packs) keys.add(key);
    }
  }
  return [...keys];
}
