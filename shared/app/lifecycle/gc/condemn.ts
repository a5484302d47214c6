/**
 * The condemn: every pack the sweep may delete — the dead ones of the plan and the old packs
 * the repack emptied — gets its marker (condemned-packs.ts) before anything is deleted. From
 * the marker on, an upload that finds the pack stored is refused (429) instead of counting on it;
 * after the last marker the run waits out the settle, so every upload that counted on one
 * before its marker has written its record, and the re-mark sees it. Nothing condemned: the
 * run goes straight to the cleanup.
 */
import { mapLimit } from '../../replication/storage.js';
import { condemnedCollection, type CondemnedPack } from './condemned-packs.js';
import { count } from './gc-context.js';
import { PACK_SIZE_BYTES, packSizeOf } from './gc-records.js';
import { listReader, type Phase } from './phase.js';
import type { RunPosition } from './sorted-runs.js';

export interface CondemnCursor { dead?: RunPosition; repacked?: RunPosition }

export const condemnPhase: Phase<CondemnCursor> = async (ctx, cursor = {}) => {
  const { operational } = ctx.deps;
  const dead = await listReader(ctx, 'dead', PACK_SIZE_BYTES, cursor.dead);
  const repacked = await listReader(ctx, 'repacked', PACK_SIZE_BYTES, cursor.repacked);
  const at = ctx.now.toISOString();
  const doomed: { pack: string; bytes: number }[] = [];
  for (let n = 0; n < ctx.limits.packs && (dead.current || repacked.current); n++) {
    const from = !repacked.current || (dead.current && dead.current.compare(repacked.current, 0, 32, 0, 32) <= 0) ? dead : repacked;
    doomed.push(packSizeOf(from.current as Buffer));
    await from.advance();
  }
  await mapLimit(doomed, 16, ({ pack, bytes }) => operational.put<CondemnedPack>(condemnedCollection(ctx.tenantId), pack, { runId: ctx.run.runId, bytes, at }));
  count(ctx, 'condemnedPacks', doomed.length);
  if (dead.current || repacked.current) return { cursor: { dead: dead.position, repacked: repacked.position } };
  if ((ctx.counters['condemnedPacks'] ?? 0) === 0) return { done: true, skipTo: 'cleanup' };
  return { done: true, notBefore: new Date(ctx.now.getTime() + ctx.run.options.settleSeconds * 1000).toISOString() };
};
