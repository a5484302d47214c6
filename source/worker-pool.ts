/**
 * A small pool of extent workers (extent-worker.ts). Jobs go to the least busy worker; results
 * come back as promises. Under tsx (TypeScript sources) each worker is started with the tsx
 * loader so it can import .ts modules; from the build (dist/, `npm run build`) the worker is the
 * .js file next to this one, with no loader.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { WorkerReply, WorkerRequest } from './worker-messages.js';

type ExtentRequest = Omit<Extract<WorkerRequest, { type: 'extent' }>, 'seq' | 'type'>;
export type ExtentReply = Extract<WorkerReply, { ok: true }>;

interface Slot {
  worker: Worker;
  busy: number;
  waiting: Map<number, { resolve: (r: ExtentReply) => void; reject: (e: Error) => void }>;
}

/** Default number of workers: the cores of this machine, at most 4. */
export const defaultThreads = (): number => Math.max(1, Math.min(4, availableParallelism()));

export class ExtentWorkerPool {
  private readonly slots: Slot[] = [];
  private seq = 0;
  private recycled = 0;
  private failure: Error | undefined;

  constructor(threads: number = defaultThreads()) {
    const fromSources = import.meta.url.endsWith('.ts');
    const url = new URL(fromSources ? './extent-worker.ts' : './extent-worker.js', import.meta.url);
    const execArgv = fromSources ? ['--import', import.meta.resolve('tsx')] : [];
    for (let i = 0; i < Math.max(1, threads); i++) {
      const slot: Slot = { worker: new Worker(url, { execArgv }), busy: 0, waiting: new Map() };
      slot.worker.on('message', (reply: WorkerReply) => {
        const w = slot.waiting.get(reply.seq);
        if (!w) return;
        slot.waiting.delete(reply.seq);
        slot.busy--;
        if (reply.ok) w.resolve(reply);
        else w.reject(new Error(reply.error));
      });
      slot.worker.on('error', (err) => this.fail(slot, err));
      slot.worker.on('exit', (code) => { if (slot.waiting.size) this.fail(slot, new Error(`extent worker exited with code ${code}`)); });
      this.slots.push(slot);
    }
  }

  private fail(slot: Slot, err: Error): void {
    this.failure ??= err;
    for (const w of slot.waiting.values()) w.reject(err);
    slot.waiting.clear();
  }

  get size(): number {
    return this.slots.length;
  }

  /** Reads and encodes one extent on the least busy worker. */
  run(request: ExtentRequest): Promise<ExtentReply> {
    if (this.failure) return Promise.reject(this.failure);
    let slot = this.slots[0] as Slot;
    for (const s of this.slots) if (s.busy < slot.busy) slot = s;
    const seq = ++this.seq;
    slot.busy++;
    return new Promise((resolve, reject) => {
      slot.waiting.set(seq, { resolve, reject });
      const msg: WorkerRequest = { type: 'extent', seq, ...request };
      slot.worker.postMessage(msg);
    });
  }

  /** Hands a spent pack buffer back to a worker to read the next extents into (transferred). */
  recycle(buffer: ArrayBuffer): void {
    if (this.failure || buffer.byteLength === 0) return;
    const slot = this.slots[this.recycled++ % this.slots.length] as Slot;
    const msg: WorkerRequest = { type: 'recycle', frame: buffer };
    slot.worker.postMessage(msg, [buffer]);
  }

  /** Lets the workers close their descriptors of a volume. */
  closeVolume(path: string): void {
    for (const s of this.slots) s.worker.postMessage({ type: 'close', path } satisfies WorkerRequest);
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
