/**
 * The bench's reading of a `drcore serve` child's request counters (local/request-metering.ts):
 * SIGUSR2, then DATA/request-counts.json once it carries that process's pid and a newer
 * sequence number. settledCounters waits for the core to go idle first (the projector runs
 * after a commit has answered), so a phase's figures include everything it caused.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REQUEST_COUNTS_FILE, type RequestCountsDump } from '../local/request-metering.js';
import { totalCalls, type CounterSnapshot } from '../shared/adapters/counting/request-counter.js';
import type { CoreProcess } from '../test/support/core-process.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function readDump(file: string): RequestCountsDump | undefined {
  try {
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as RequestCountsDump) : undefined;
  } catch { return undefined; } // a rename in progress
}

export async function readCounters(core: CoreProcess): Promise<CounterSnapshot> {
  const pid = core.pid;
  if (!pid) throw new Error('the core is not running');
  const file = join(core.dataDir, REQUEST_COUNTS_FILE);
  const before = readDump(file);
  const lastSeq = before?.pid === pid ? before.seq : 0;
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 500; i++) {
    const d = readDump(file);
    if (d && d.pid === pid && d.seq > lastSeq) return d.counts;
    await sleep(10);
  }
  throw new Error(`drcore serve (pid ${pid}) wrote no request counts to ${file}: was it started with DRCORE_COUNT_REQUESTS=1?`);
}

/** Counters once two readings 300 ms apart agree (at most ~15 s). */
export async function settledCounters(core: CoreProcess): Promise<CounterSnapshot> {
  let last = await readCounters(core);
  for (let i = 0; i < 50; i++) {
    await sleep(300);
    const now = await readCounters(core);
    if (totalCalls(now) === totalCalls(last)) return now;
    last = now;
  }
  return last;
}
