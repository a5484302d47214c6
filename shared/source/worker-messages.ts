/** Messages between the replication pipeline and its extent workers (extent-worker.ts). */
import type { ExtentDecision } from './extent-job.js';

export type WorkerRequest =
  | {
    readonly type: 'extent'; readonly seq: number; readonly path: string; readonly offset: number; readonly length: number;
    readonly previous: Uint8Array | undefined; readonly rpType: 'base' | 'incremental'; readonly subBlockSize: number;
    readonly level: number; readonly compress: boolean;
  }
  | { readonly type: 'close'; readonly path: string };

export type WorkerReply =
  | {
    readonly seq: number; readonly ok: true; readonly decision: ExtentDecision; readonly signatures: Uint8Array;
    readonly changedBytes: number; readonly chunk?: Uint8Array; readonly chunkId?: string;
    /** Hex of the DELTA bitmap (bigints do not cross threads cheaply in every Node version). */
    readonly bitmap?: string;
  }
  | { readonly seq: number; readonly ok: false; readonly error: string };
