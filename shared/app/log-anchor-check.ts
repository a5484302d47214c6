/**
 * Checks the event log against its newest anchor (log-anchor.ts): the checkpoint's signature
 * must verify with the CA certificate, and every stream head it names must still be in the log
 * with the same hash. A head that is gone means the stream's tail was deleted; a head with
 * another hash, that it was rewritten. Streams and events after the checkpoint are the next
 * checkpoint's to anchor.
 */
import { verify, X509Certificate } from 'node:crypto';
import type { StoredEvent } from '../events/envelope.js';
import type { BlobStore } from '../ports/blob-store.js';
import { NotFoundError } from '../ports/errors.js';

export interface LogCheckpoint {
  format: string;
  at: string;
  /** The log position of the last event it includes. */
  position: string;
  /** Events it includes (the whole log up to `position`). */
  events: number;
  /** The checkpoint it was built on. */
  previous: string | null;
  /** Every stream's head at `position`: [streamId, version, hash], by stream id. */
  heads: [string, number, string][];
}

export type NewestCheckpoint = { name: string; checkpoint: LogCheckpoint } | { name: string; problem: string };

const isCheckpoint = (c: Partial<LogCheckpoint>): c is LogCheckpoint => typeof c.at === 'string' && typeof c.position === 'string'
  && typeof c.events === 'number' && Array.isArray(c.heads)
  && c.heads.every((h) => Array.isArray(h) && typeof h[0] === 'string' && Number.isSafeInteger(h[1]) && typeof h[2] === 'string');

/** The newest checkpoint in `anchors` (by name), verified against the CA certificate; undefined when there is none. */
export async function newestCheckpoint(anchors: BlobStore, caCertificatePem: string): Promise<NewestCheckpoint | undefined> {
  let newest: string | undefined;
  for await (const key of anchors.list('checkpoints/')) {
    const m = /^checkpoints\/(checkpoint-[0-9TZ]+)\.json$/.exec(key);
    if (m && (newest === undefined || m[1]! > newest)) newest = m[1]!;
  }
  if (newest === undefined) return undefined;
  const bytes = await anchors.get(`checkpoints/${newest}.json`);
  let sig: Buffer;
  try {
    sig = Buffer.from((await anchors.get(`checkpoints/${newest}.json.sig`)).toString('utf8').trim(), 'base64');
  } catch (err) {
    if (err instanceof NotFoundError) return { name: newest, problem: 'its signature is missing' };
    throw err;
  }
  if (!verify('sha256', bytes, new X509Certificate(caCertificatePem).publicKey, sig)) return { name: newest, problem: 'its signature does not verify with the CA certificate' };
  let parsed: Partial<LogCheckpoint>;
  try {
    parsed = JSON.parse(bytes.toString('utf8')) as Partial<LogCheckpoint>;
  } catch {
    return { name: newest, problem: 'it is not JSON' };
  }
  if (!isCheckpoint(parsed)) return { name: newest, problem: 'it is not a log checkpoint' };
  return { name: newest, checkpoint: parsed };
}

export interface AnchorBreak { streamId: string; version: number; reason: string }

/** The first stream (by id) whose anchored head is gone from the log or differs; undefined when every head is there. */
export function checkAnchor(checkpoint: { name: string; checkpoint: LogCheckpoint }, byStream: ReadonlyMap<string, readonly StoredEvent[]>): AnchorBreak | undefined {
  const { name, checkpoint: c } = checkpoint;
  for (const [streamId, version, hash] of c.heads) {
    const events = byStream.get(streamId) ?? [];
    const at = events.find((e) => e.version === version);
    const last = events.at(-1)?.version ?? 0;
    if (!at) {
      return {
        streamId, version,
        reason: `checkpoint ${name} (${c.at}) anchors stream ${streamId} at version ${version}, the log holds ${last === 0 ? 'none of its events' : `only versions 1..${last}`}: `
          + `its event${version - last > 1 ? 's' : ''} ${last + 1 === version ? version : `${last + 1}..${version}`} (and any after) were deleted`,
      };
    }
    if (at.hash !== hash) {
      return { streamId, version, reason: `checkpoint ${name} (${c.at}) anchors stream ${streamId} version ${version} with another hash: the stream's tail was rewritten` };
    }
  }
  return undefined;
}
