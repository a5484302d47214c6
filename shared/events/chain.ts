import { createHash } from 'node:crypto';
import type { NewEvent, StoredEvent } from './envelope.js';

export const GENESIS_HASH = '0'.repeat(64);

/** Deterministic JSON: keys sorted at every level, so a hash never depends on key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function eventHash(e: Omit<StoredEvent, 'hash'>): string {
  const body = canonicalJson({
    streamId: e.streamId, version: e.version, type: e.type, data: e.data, at: e.at, actor: e.actor, prevHash: e.prevHash,
  });
  return createHash('sha256').update(body).digest('hex');
}

/** Numbers and chains new events onto a stream whose last event is `last` (or none). */
export function chainEvents(streamId: string, last: { version: number; hash: string } | undefined, events: readonly NewEvent[]): StoredEvent[] {
  let version = last?.version ?? 0;
  let prevHash = last?.hash ?? GENESIS_HASH;
  return events.map((e) => {
    version += 1;
    const partial = { streamId, version, type: e.type, data: e.data, at: e.at, actor: e.actor, prevHash };
    const stored: StoredEvent = { ...partial, hash: eventHash(partial) };
    prevHash = stored.hash;
    return stored;
  });
}

export interface ChainBreak {
  readonly streamId: string;
  readonly version: number;
  readonly reason: string;
}

/**
 * Verifies one stream's events as read back (in stored order). Returns the first
 * break: an edited event (hash mismatch), a deleted one (version gap or prevHash
 * mismatch), or a reordered one (version out of order).
 */
export function verifyStream(events: readonly StoredEvent[]): ChainBreak | undefined {
  let expectedVersion = 1;
  let prevHash = GENESIS_HASH;
  for (const e of events) {
    if (e.version !== expectedVersion) {
      return { streamId: e.streamId, version: e.version, reason: `expected version ${expectedVersion}, found ${e.version} (an event was deleted or reordered)` };
    }
    if (e.prevHash !== prevHash) {
      return { streamId: e.streamId, version: e.version, reason: 'prevHash does not match the previous event (an event was deleted, replaced or reordered)' };
    }
    if (eventHash(e) !== e.hash) {
      return { streamId: e.streamId, version: e.version, reason: 'hash does not match the event content (the event was edited)' };
    }
    prevHash = e.hash;
    expectedVersion += 1;
  }
  return undefined;
}
