/**
 * The k-way merge of sorted runs (sorted-runs.ts) into one, in bounded, resumable steps: runs
 * are merged FAN_IN at a time, level by level, until one is left. Records with equal keys are
 * combined into one (`combine`). A step stops after about `budget` records, always at a key
 * boundary (so no two records of one key straddle two steps), and its state is plain JSON: the
 * level, the group, where each input stands, the output's next segment.
 *
 * Run names: level L's run i is `<base>/L<L>/<i, 6 digits>` (runPrefix); the unsorted records'
 * sorter writes level 0.
 */
import type { BlobStore } from '../../../ports/blob-store.js';
import { compareKeys, runPrefix, RunReader, RUN_START, SegmentWriter, type RunPosition } from './sorted-runs.js';

/** Runs merged at once: FAN_IN readers of 4096 records each. */
export const FAN_IN = 32;

export interface RecordShape {
  readonly recordBytes: number;
  readonly keyBytes: number;
  /** Folds `dup` (same key) into `kept`, in place. */
  readonly combine: (kept: Buffer, dup: Buffer) => void;
}

export interface MergeState {
  /** The runs' common base; level L's runs are `<base>/L<L>/…`. */
  base: string;
  level: number;
  /** Runs at this level. */
  runs: number;
  /** The group of FAN_IN runs being merged into run `group` of the next level. */
  group: number;
  positions: RunPosition[];
  outSeq: number;
}

export const levelPrefix = (base: string, level: number): string => `${base}/L${level}`;
export const mergeStart = (base: string, runs: number): MergeState => ({ base, level: 0, runs, group: 0, positions: [], outSeq: 0 });

/** The single run the merge ended with (level and index). */
export const mergedRun = (s: MergeState): string => runPrefix(levelPrefix(s.base, s.level), 0);

/** Whether the merge is over: one merged run left, or none (level 0's runs are sorted but may repeat keys: one is merged too). */
export const mergeDone = (s: MergeState): boolean => s.runs === 0 || (s.runs === 1 && s.level > 0);

class Heap {
  private readonly items: number[] = [];
  constructor(private readonly readers: RunReader[], private readonly keyBytes: number) {}
  private less(a: number, b: number): boolean {
    const x = this.readers[a]?.current as Buffer;
    const y = this.readers[b]?.current as Buffer;
    const c = compareKeys(x, 0, y, 0, this.keyBytes);
    return c < 0 || (c === 0 && a < b);
  }
  get size(): number { return this.items.length; }
  peek(): number { return this.items[0] as number; }
  push(i: number): void {
    const h = this.items;
    h.push(i);
    for (let at = h.length - 1; at > 0;) {
      const up = (at - 1) >> 1;
      if (!this.less(h[at] as number, h[up] as number)) break;
      [h[at], h[up]] = [h[up] as number, h[at] as number];
      at = up;
    }
  }
  /** Re-seats the top after its reader moved (or removes it at the end of its run). */
  fixTop(): void {
    const h = this.items;
    if (this.readers[h[0] as number]?.current === undefined) {
      const last = h.pop() as number;
      if (h.length === 0) return;
      h[0] = last;
    }
    for (let at = 0; ;) {
      const l = 2 * at + 1;
      const r = l + 1;
      let m = at;
      if (l < h.length && this.less(h[l] as number, h[m] as number)) m = l;
      if (r < h.length && this.less(h[r] as number, h[m] as number)) m = r;
      if (m === at) return;
      [h[at], h[m]] = [h[m] as number, h[at] as number];
      at = m;
    }
  }
}

/**
 * One step of the merge: merges on from `state` for about `budget` records; returns the state
 * to go on from (mergeDone(state) at the end).
 */
export async function mergeStep(blobs: BlobStore, state: MergeState, shape: RecordShape, budget: number): Promise<MergeState> {
  if (mergeDone(state)) return state;
  const { recordBytes, keyBytes, combine } = shape;
  const inLevel = levelPrefix(state.base, state.level);
  const first = state.group * FAN_IN;
  const count = Math.min(FAN_IN, state.runs - first);
  const readers = await Promise.all(Array.from({ length: count }, (_, i) => RunReader.open(blobs, runPrefix(inLevel, first + i), recordBytes, state.positions[i] ?? RUN_START)));
  const out = new SegmentWriter(blobs, runPrefix(levelPrefix(state.base, state.level + 1), state.group), recordBytes, state.outSeq);
  const heap = new Heap(readers, keyBytes);
  readers.forEach((r, i) => { if (r.current) heap.push(i); });
  const pending = Buffer.allocUnsafe(recordBytes);
  let hasPending = false;
  let done = 0;
  while (heap.size > 0) {
    const top = readers[heap.peek()] as RunReader;
    const rec = top.current as Buffer;
    if (hasPending && compareKeys(pending, 0, rec, 0, keyBytes) === 0) combine(pending, rec);
    else {
      if (hasPending) {
        await out.add(pending);
        if (++done >= budget) break; // at a key boundary: `rec` starts the next step
      }
      rec.copy(pending);
      hasPending = true;
    }
    await top.advance();
    heap.fixTop();
  }
  const groupDone = heap.size === 0;
  if (groupDone && hasPending) await out.add(pending);
  const outSeq = await out.flush();
  if (!groupDone) return { ...state, positions: readers.map((r) => r.position), outSeq };
  const nextGroup = state.group + 1;
  if (nextGroup * FAN_IN < state.runs) return { ...state, group: nextGroup, positions: [], outSeq: 0 };
  return { base: state.base, level: state.level + 1, runs: Math.ceil(state.runs / FAN_IN), group: 0, positions: [], outSeq: 0 };
}
