/**
 * What one GC step may do (issue 11 item 2: each step fits one Lambda invocation of the workflow
 * worker, 30 s, with room to spare), and the run's defaults. Tests pass smaller limits to make
 * runs of many steps out of small data.
 */
import type { GcRunOptions } from '../../../domain/gc-run.js';

export interface GcLimits {
  /** Log events the catalog reads per step. */
  readonly catalogEvents: number;
  /** RP index parts (≤ 49,152 entries each) marked per step. */
  readonly markParts: number;
  /** Upload records (one per pack) read or deleted per step. */
  readonly uploadRecords: number;
  /** Records merged per step (40 bytes each: 80 MB read and written). */
  readonly mergeRecords: number;
  /** Listing pages (1000 packs) planned per step. */
  readonly planPages: number;
  /** Old packs repacked per step (read whole: ≤ 4 MiB each), and their bytes at most (after the first). */
  readonly repackPacks: number;
  readonly repackBytes: number;
  /** Index parts rewritten per step. */
  readonly reindexParts: number;
  /** Packs condemned, swept or cleaned per step. */
  readonly packs: number;
  /** Chunks of the packs one run repacks, at most (their new places are held in memory at reindex: 76 bytes each). */
  readonly repackChunks: number;
}

export const GC_LIMITS: GcLimits = {
  catalogEvents: 20_000, markParts: 8, uploadRecords: 2000, mergeRecords: 2_000_000, planPages: 20, repackPacks: 64, repackBytes: 16 * 1024 * 1024, reindexParts: 8, packs: 480, repackChunks: 262_144,
};

export const GC_DEFAULTS: GcRunOptions = {
  // PBS sweeps chunks not touched for 24 h 5 min; an upload paused longer than the grace starts its RP over.
  graceSeconds: 24 * 3600 + 300,
  // The replication API's Lambda times out at 29 s: every upload or commit that could count on a
  // condemned pack has ended well within this.
  settleSeconds: 120,
  dryRun: false,
  repackBelowPercent: 50,
  maxRepackPacks: 1024,
};

/** A new upload registration day is looked for this far back on a tenant's first run. */
export const FIRST_RUN_LOOKBACK_DAYS = 400;
