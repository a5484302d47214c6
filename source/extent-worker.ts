/**
 * Worker thread: reads extents from a volume (read-only) and runs encodeExtentJob on them —
 * signatures, zero detection, zstd, SHA-256 and one-chunk packs — so the main thread only asks,
 * packs small chunks and sends. Extents are read into a frame with room for the pack and chunk
 * headers; a raw FULL extent leaves in that very frame (transferred, not copied).
 */
import { parentPort } from 'node:worker_threads';
import { encodeExtentJob } from './extent-job.js';
import { SOLO_DATA_OFFSET } from './solo-pack.js';
import { Volume, type ReadPath } from './volume.js';
import type { WorkerReply, WorkerRequest } from './worker-messages.js';

const port = parentPort;
if (!port) throw new Error('extent-worker must run on a worker thread');

const volumes = new Map<string, Volume>();
let frame: Buffer | undefined;
/** Frames handed back by the main thread after their pack was sent (fresh 4 MiB buffers cost page faults). */
const spare: Buffer[] = [];
const MAX_SPARE = 4;

function volume(path: string, read: ReadPath): Volume {
  let v = volumes.get(path);
  if (!v) {
    v = Volume.open(path, read);
    volumes.set(path, v);
  }
  return v;
}

/** A buffer that owns its whole ArrayBuffer can be transferred; others (pool slices) are copied. */
const ownsBuffer = (b: Uint8Array): boolean => b.byteOffset === 0 && b.byteLength === b.buffer.byteLength;

port.on('message', (msg: WorkerRequest) => {
  if (msg.type === 'close') {
    volumes.get(msg.path)?.close();
    volumes.delete(msg.path);
    return;
  }
  if (msg.type === 'recycle') {
    if (spare.length < MAX_SPARE && msg.frame.byteLength >= SOLO_DATA_OFFSET + 4 * 1024 * 1024) spare.push(Buffer.from(msg.frame));
    return;
  }
  try {
    if (!frame || frame.length < SOLO_DATA_OFFSET + msg.length) {
      const reuse = spare.pop();
      frame = reuse && reuse.length >= SOLO_DATA_OFFSET + msg.length ? reuse : Buffer.allocUnsafe(SOLO_DATA_OFFSET + Math.max(msg.length, 4 * 1024 * 1024));
    }
    const bytes = volume(msg.path, msg.read).readAt(frame.subarray(SOLO_DATA_OFFSET), msg.length, msg.offset);
    const out = encodeExtentJob({
      bytes, previous: msg.previous, type: msg.rpType, subBlockSize: msg.subBlockSize, key: msg.key,
      encode: { level: msg.level }, frame,
    });
    if (out.frameUsed) frame = undefined; // it leaves with the pack
    const reply: WorkerReply = {
      seq: msg.seq, ok: true, decision: out.decision, signatures: out.signatures, changedBytes: out.changedBytes,
      ...(out.chunkId ? { chunkId: out.chunkId } : {}),
      ...(out.chunk ? { chunk: out.chunk } : {}),
      ...(out.pack ? { pack: out.pack.bytes, packId: out.pack.packId } : {}),
    };
    const transfer: ArrayBuffer[] = [];
    if (out.pack && (out.frameUsed || ownsBuffer(out.pack.bytes))) transfer.push(out.pack.bytes.buffer as ArrayBuffer);
    if (out.chunk && ownsBuffer(out.chunk) && out.chunk.length >= 64 * 1024) transfer.push(out.chunk.buffer as ArrayBuffer);
    port.postMessage(reply, transfer);
  } catch (err) {
    const reply: WorkerReply = { seq: msg.seq, ok: false, error: err instanceof Error ? err.message : String(err) };
    port.postMessage(reply);
  }
});
