/**
 * The answer to `POST …/recovery-points/{rpId}/chunks/read` (docs/replication-protocol.md):
 * `application/octet-stream`, header `x-drcore-chunk-count: n` (1 ≤ n ≤ ids asked), and a body of
 * n frames `[u32 little-endian length][that many bytes]`, in request order, for the first n ids.
 * Parsed strictly: anything but exactly n whole frames is refused with an error naming what is
 * wrong, never read as chunks. The frames are views of the body, not copies.
 */
import type { HttpResponse } from './client.js';

export const CHUNK_COUNT_HEADER = 'x-drcore-chunk-count';

/** An answer to a chunk read that is not n well-formed frames (a protocol error: not retried). */
export class ChunkFramesError extends Error {
  override readonly name = 'ChunkFramesError';
  constructor(detail: string) {
    super(`read chunks: ${detail}`);
  }
}

function header(res: HttpResponse, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** The chunks of an answer to a read of `asked` ids (the first `x-drcore-chunk-count` of them). */
export function parseChunkFrames(res: HttpResponse, asked: number): Buffer[] {
  const type = header(res, 'content-type');
  if (type === undefined || !/^application\/octet-stream\s*(;|$)/i.test(type)) {
    throw new ChunkFramesError(`the answer is ${type ?? 'untyped'}, not application/octet-stream`);
  }
  const countText = header(res, CHUNK_COUNT_HEADER);
  if (countText === undefined || !/^\d{1,9}$/.test(countText)) throw new ChunkFramesError(`the answer has no valid ${CHUNK_COUNT_HEADER} (${JSON.stringify(countText)})`);
  const count = Number(countText);
  if (count < 1 || count > asked) throw new ChunkFramesError(`${CHUNK_COUNT_HEADER} is ${count} for ${asked} ids asked (1..${asked})`);
  const body = res.body;
  const frames: Buffer[] = [];
  let at = 0;
  for (let k = 1; k <= count; k++) {
    if (body.length - at < 4) throw new ChunkFramesError(`the body ends at byte ${body.length}, inside the length of frame ${k} of ${count}`);
    const length = body.readUInt32LE(at);
    at += 4;
    if (length > body.length - at) throw new ChunkFramesError(`frame ${k} of ${count} declares ${length} bytes, the body has ${body.length - at} left`);
    frames.push(body.subarray(at, at + length));
    at += length;
  }
  if (at !== body.length) throw new ChunkFramesError(`${body.length - at} bytes follow the last of ${count} frames`);
  return frames;
}
