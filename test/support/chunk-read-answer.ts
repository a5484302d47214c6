/**
 * A fake target's answer to `POST …/recovery-points/{rpId}/chunks/read`, as the server answers
 * it: frames `[u32 LE length][chunk]` for the first ids asked, in order, stopping before the body
 * would pass 4 MiB (always at least one), `x-drcore-chunk-count` saying how many; a 404 problem
 * when an id is not stored.
 */
import type { HttpResponse } from '../../source/client.js';

const ANSWER_BYTES = 4 * 1024 * 1024;

export function chunkReadAnswer(requestBody: Buffer | undefined, stored: (id: string) => Buffer | undefined): HttpResponse {
  const ids = (JSON.parse(String(requestBody)) as { chunks: string[] }).chunks;
  const pieces: Buffer[] = [];
  let size = 0;
  for (const id of ids) {
    const c = stored(id);
    if (!c) return { status: 404, headers: { 'content-type': 'application/problem+json' }, body: Buffer.from(JSON.stringify({ title: 'Not Found', detail: `chunk ${id}` })) };
    if (pieces.length > 0 && size + 4 + c.length > ANSWER_BYTES) break;
    const len = Buffer.alloc(4);
    len.writeUInt32LE(c.length);
    pieces.push(len, c);
    size += 4 + c.length;
  }
  return { status: 200, headers: { 'content-type': 'application/octet-stream', 'x-drcore-chunk-count': String(pieces.length / 2) }, body: Buffer.concat(pieces, size) };
}
