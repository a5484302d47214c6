/**
 * Worker thread: reads extents from a volume (read-only) and runs encodeExtentJob on them —
 * signatures, zero detection, zstd and SHA-256 — so the main thread only packs and sends.
 * Each worker keeps its own read-only descriptors and one reusable 4 MiB read buffer.
 */
import { parentPort } from 'node:worker_threads';
import { encodeExtentJob } from './extent-job.js';
import { Volume } from './volume.js';
import type { WorkerReply, WorkerRequest } from './worker-messages.js';

const port = parentPort;
if (!port) throw new Error('extent-worker must run on a worker thread');

const volumes = new Map<string, Volume>();
let buffer = Buffer.allocUnsafe(0);

function volume(path: string): Volume {
  let v = volumes.get(path);
  if (!v) {
    v = Volume.open(path);
    volumes.set(path, v);
  }
  return v;
}

/** Buffers not worth transferring (small, or slices of Node's shared pool) are copied instead. */
function transferable(b: Buffer): boolean {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.byteLength >= 64 * 1024;
}

port.on('message', (msg: WorkerRequest) => {
  if (msg.type === 'close') {
    volumes.get(msg.path)?.close();
    volumes.delete(msg.path);
    return;
  }
  try {
    if (buffer.length < msg.length) buffer = Buffer.allocUnsafe(msg.length);
    const bytes = volume(msg.path).readAt(buffer, msg.length, msg.offset);
    const out = encodeExtentJob({
      bytes, previous: msg.previous, type: msg.rpType, subBlockSize: msg.subBlockSize,
      encode: { level: msg.level, compress: msg.compress },
    });
    const reply: WorkerReply = {
      seq: msg.seq, ok: true, decision: out.decision, signatures: out.signatures, changedBytes: out.changedBytes,
      ...(out.chunk && out.chunkId ? { chunk: out.chunk, chunkId: out.chunkId } : {}),
      ...(out.bitmap !== undefined ? { bitmap: out.bitmap.toString(16) } : {}),
    };
    const transfer = out.chunk && transferable(out.chunk) ? [out.chunk.buffer as ArrayBuffer] : [];
    port.postMessage(reply, transfer);
  } catch (err) {
    const reply: WorkerReply = { seq: msg.seq, ok: false, error: err instanceof Error ? err.message : String(err) };
    port.postMessage(reply);
  }
});
