/**
 * GC's external sort (shared/app/lifecycle/gc/sorted-runs.ts, merge.ts) on an in-memory
 * BlobStore: unsorted records become sorted runs, the k-way merge in bounded steps gives every
 * key once (equal keys combined), whatever the budget per step and the number of levels.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { FAN_IN, mergedRun, mergeDone, mergeStart, mergeStep, type RecordShape } from '../../shared/app/lifecycle/gc/merge.js';
import { deleteUnder, RunReader, RunSorter, SEGMENT_RECORDS, SegmentWriter, sortRecords } from '../../shared/app/lifecycle/gc/sorted-runs.js';
import { MemoryBlobStore } from '../support/memory-blob-store.js';

/** 12-byte records: an 8-byte key, a 4-byte count that combine adds up. */
const SHAPE: RecordShape = { recordBytes: 12, keyBytes: 8, combine: (kept, dup) => kept.writeUInt32BE(kept.readUInt32BE(8) + dup.readUInt32BE(8), 8) };
const rec = (key: bigint, n = 1): Buffer => { const b = Buffer.alloc(12); b.writeBigUInt64BE(key); b.writeUInt32BE(n, 8); return b; };

async function readAll(blobs: MemoryBlobStore, prefix: string): Promise<[bigint, number][]> {
  const out: [bigint, number][] = [];
  for (const r = await RunReader.open(blobs, prefix, 12); r.current; await r.advance()) out.push([r.current.readBigUInt64BE(0), r.current.readUInt32BE(8)]);
  return out;
}

async function sortAndMerge(keys: bigint[], sortRecordsPerRun: number, budget: number): Promise<{ merged: [bigint, number][]; steps: number; blobs: MemoryBlobStore }> {
  const blobs = new MemoryBlobStore();
  const sorter = new RunSorter(blobs, 'gc/t/r/marks/L0', 12, 8, 0, sortRecordsPerRun);
  for (const k of keys) await sorter.add(rec(k));
  const runs = await sorter.flush();
  let state = mergeStart('gc/t/r/marks', runs);
  let steps = 0;
  while (!mergeDone(state)) { state = JSON.parse(JSON.stringify(await mergeStep(blobs, state, SHAPE, budget))); steps++; }
  return { merged: await readAll(blobs, mergedRun(state)), steps, blobs };
}

function expected(keys: bigint[]): [bigint, number][] {
  const counts = new Map<bigint, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts].sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

describe('GC sorted runs and merge', () => {
  it('sortRecords orders by the key bytes, ties and all', () => {
    const keys = [5n, 1n, 2n ** 40n + 3n, 2n ** 40n, 1n, 0n];
    const sorted = sortRecords(Buffer.concat(keys.map((k) => rec(k))), 12, 8);
    const got = Array.from({ length: keys.length }, (_, i) => sorted.readBigUInt64BE(i * 12));
    assert.deepEqual(got, [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it('one run with repeated keys: the merge gives each key once, counts combined', async () => {
    const keys = [3n, 1n, 3n, 2n, 1n, 3n];
    const { merged } = await sortAndMerge(keys, 100, 1000);
    assert.deepEqual(merged, expected(keys));
  });

  it(`${FAN_IN * 3 + 5} runs (two levels), budgets of 1, 7 and 10,000 records a step: the same result, every key once`, async () => {
    const keys = Array.from({ length: 4000 }, () => BigInt(`0x${randomBytes(2).toString('hex')}`)); // many repeats
    const want = expected(keys);
    let previousSteps = Infinity;
    for (const budget of [10_000, 7, 1]) {
      const { merged, steps } = await sortAndMerge(keys, Math.ceil(keys.length / (FAN_IN * 3 + 5)), budget);
      assert.deepEqual(merged, want, `budget ${budget}`);
      assert.ok(budget === 10_000 || steps >= previousSteps, 'a smaller budget takes more steps');
      previousSteps = steps;
    }
  });

  it('no records: the merged run is empty', async () => {
    const { merged } = await sortAndMerge([], 10, 10);
    assert.deepEqual(merged, []);
  });

  it('a run written over several writers (steps) reads as one, across segments; deleteUnder removes it all', async () => {
    const blobs = new MemoryBlobStore();
    let seq = 0;
    let k = 0n;
    for (const n of [3, SEGMENT_RECORDS + 2, 1]) {
      const w = new SegmentWriter(blobs, 'gc/t/r/out', 12, seq);
      for (let i = 0; i < n; i++) await w.add(rec(k++));
      seq = await w.flush();
    }
    const got = await readAll(blobs, 'gc/t/r/out');
    assert.equal(got.length, Number(k));
    assert.ok(got.every(([key], i) => key === BigInt(i)));
    const reader = await RunReader.open(blobs, 'gc/t/r/out', 12, { segment: 1, record: 5 });
    assert.equal(reader.current?.readBigUInt64BE(0), 8n, 'a position reads on from there');
    assert.equal(await deleteUnder(blobs, 'gc/t/r/'), seq);
    assert.equal(blobs.objects.size, 0);
  });
});
