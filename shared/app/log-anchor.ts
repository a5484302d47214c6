/**
 * Anchors of the event log (issue 11 item 4): a periodic checkpoint of every stream's head —
 * stream id, version, hash — signed by the core's CA key and written create-once outside the
 * event store (locally files in their own directory, on AWS an S3 bucket with Object Lock in
 * compliance mode). Each stream's hash chain proves its events up to its last one; the
 * checkpoint proves what the last one was at the time, so deleting or rewriting a stream's tail
 * — a `CertificateRevoked` deleted with SQL — no longer passes `verify-log`
 * (log-anchor-check.ts). Events appended after the newest checkpoint are anchored by the next.
 *
 * A checkpoint builds on the newest one that verifies (its heads plus the events after its log
 * position), so the job reads only the new events; when none came, nothing is written.
 * Objects: `checkpoints/<name>.json`, its signatures `.json.sig` (RSA-SHA256, base64) and
 * `.json.p7s` (CMS) written first; names sort by time.
 */
import type { BlobStore } from '../ports/blob-store.js';
import type { AppDeps } from './deps.js';
import { newestCheckpoint, type LogCheckpoint } from './log-anchor-check.js';

export const CHECKPOINT_FORMAT = 'drcore-log-checkpoint/1';
export const CHECKPOINT_PREFIX = 'checkpoints/';

/** `checkpoint-20260601T120000123Z`: sorts by time. */
export const checkpointName = (at: Date): string => `checkpoint-${at.toISOString().replace(/[-:.]/g, '')}`;
export const checkpointKey = (name: string, file: '.json' | '.json.sig' | '.json.p7s'): string => `${CHECKPOINT_PREFIX}${name}${file}`;

const PAGE = 1000;

export interface WrittenCheckpoint { readonly name: string; readonly checkpoint: LogCheckpoint }

/** Writes a checkpoint of every stream's head, unless nothing was appended since the newest. */
export async function writeLogCheckpoint(deps: Pick<AppDeps, 'events' | 'ca' | 'clock'>, anchors: BlobStore): Promise<WrittenCheckpoint | undefined> {
  if (!deps.events.capabilities.globalOrder) throw new Error('log checkpoints need an event store with a global order');
  const caPem = await deps.ca.caCertificatePem();
  const newest = await newestCheckpoint(anchors, caPem);
  const base = newest && 'checkpoint' in newest ? newest : undefined;
  const heads = new Map<string, [number, string]>(base ? base.checkpoint.heads.map(([s, v, h]) => [s, [v, h]]) : []);
  let position = base?.checkpoint.position;
  let events = base?.checkpoint.events ?? 0;
  let cursor = position;
  let added = 0;
  for (;;) {
    const page = await deps.events.readAll(cursor, PAGE);
    for (const e of page.events) {
      const known = heads.get(e.streamId);
      if (!known || e.version > known[0]) heads.set(e.streamId, [e.version, e.hash]);
      position = e.position;
      events++;
      added++;
    }
    if (page.events.length === 0 || page.next === undefined) break;
    cursor = page.next;
  }
  if (added === 0 && base) return undefined;
  if (position === undefined) return undefined; // an empty log: nothing to anchor
  const at = deps.clock();
  const checkpoint: LogCheckpoint = {
    format: CHECKPOINT_FORMAT, at: at.toISOString(), position, events, previous: base?.name ?? null,
    heads: [...heads].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([s, [v, h]]) => [s, v, h]),
  };
  const name = checkpointName(at);
  const bytes = Buffer.from(`${JSON.stringify(checkpoint)}\n`);
  const signed = await deps.ca.signDocument(bytes, { now: at });
  await anchors.put(checkpointKey(name, '.json.sig'), Buffer.from(signed.rsaSha256), { contentType: 'text/plain' });
  await anchors.put(checkpointKey(name, '.json.p7s'), Buffer.from(signed.cmsPem), { contentType: 'application/pkcs7-signature' });
  await anchors.put(checkpointKey(name, '.json'), bytes, { contentType: 'application/json' });
  return { name, checkpoint };
}
