/**
 * SHA-256 helpers for the replication formats (DESIGN §5): a chunk's id is the SHA-256 of its
 * stored bytes, a pack's id the SHA-256 of its header and index (pack.ts). Ids are lowercase hex (64 chars),
 * the form `assertSha256` in shared/ids.ts accepts.
 */
import { createHash } from 'node:crypto';

export type Bytes = Uint8Array;

/** Lowercase hex SHA-256 of one buffer or of several buffers taken in order (no concatenation). */
export function sha256Hex(data: Bytes | readonly Bytes[]): string {
  return digest(data).toString('hex');
}

/** Raw 32-byte SHA-256 digest. */
export function sha256Raw(data: Bytes | readonly Bytes[]): Buffer {
  return digest(data);
}

function digest(data: Bytes | readonly Bytes[]): Buffer {
  const h = createHash('sha256');
  if (data instanceof Uint8Array) h.update(data);
  else for (const part of data) h.update(part);
  return h.digest();
}

/** A chunk's id: SHA-256 (hex) of its stored (encoded) bytes. */
export const chunkId = (stored: Bytes): string => sha256Hex(stored);

/** Lowercase 64-char hex, checked by char codes (a regex costs ~5× more per manifest entry). */
export function isSha256Hex(s: string): boolean {
  if (s.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}
