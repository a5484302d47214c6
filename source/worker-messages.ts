/** Messages between the replication pipeline and its extent workers (extent-worker.ts). */
import type { ExtentDecision } from './extent-job.js';
import type { ReadPath } from './volume.js';

export type WorkerRequest =
  | {
    readonly type: 'extent'; readonly seq: number; readonly path: string; readonly offset: number; readonly length: number;
    readonly previous: Uint8Array | undefined; readonly rpType: 'base' | 'incremental'; readonly subBlockSize: number;
    readonly key: Uint8Array; readonly level: number;
    /** How the pass reads this volume (chosen once by the main thread, volume.ts). */
    readonly read: ReadPath;
  }
  | { readonly type: 'close'; readonly path: string }
  /** A pack buffer the main thread is done with, handed back for reuse as a read frame. */
  | { readonly type: 'recycle'; readonly frame: ArrayBuffer };

export type WorkerReply =
  | {
    readonly seq: number; readonly ok: true; readonly decision: ExtentDecision; readonly signatures: Uint8Array;
    readonly changedBytes: number; readonly chunkId?: string;
    /** A small chunk for the pack builder … */
    readonly chunk?: Uint8Array;
    /** … or a pack holding just this chunk. */
    readonly pack?: Uint8Array; readonly packId?: string;
  }
  | { readonly seq: number; readonly ok: false; readonly error: string };
