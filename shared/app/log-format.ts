/**
 * The stream-id format of an event log. Stream ids were first `<kind>-<id>[-<id>]` (e.g.
 * `rp-<tenantId>-<rpId>`), which is ambiguous once ids contain '-'; since then they are
 * `<kind>:<id>[:<id>]` (shared/ids.ts). There is no migration: a stream id is inside every
 * event's hash, so renaming streams would re-write the whole chain, and no log of the first
 * format was deployed (drcore 0.1.0, development only). A log of the first format is refused,
 * with this explanation, rather than read as if it were empty.
 */
import { isValidStreamId } from '../ids.js';
import type { EventStore } from '../ports/event-store.js';

export const FIRST_FORMAT_HELP =
  'this event log was written before stream ids took the form kind:id (e.g. rp:<tenantId>:<rpId>); ' +
  'this drcore cannot read it and has no migration for it: keep it for reference and start from an empty data directory';

/** Where a log holds a stream id that is not of the current format. */
export interface FirstFormatStream {
  readonly streamId: string;
  readonly position?: string;
}

export class FirstFormatLogError extends Error {
  override readonly name = 'FirstFormatLogError';
  constructor(readonly found: FirstFormatStream) {
    super(`${FIRST_FORMAT_HELP} (found stream ${found.streamId}${found.position ? ` at log position ${found.position}` : ''})`);
  }
}

/**
 * Throws FirstFormatLogError when the log's first event has a stream id of the first format.
 * drcore never appends to such a log (serve checks before its first append), so the first
 * event tells the format of the whole log.
 */
export async function assertCurrentLogFormat(store: EventStore): Promise<void> {
  const [first] = (await store.readAll(undefined, 1)).events;
  if (first && !isValidStreamId(first.streamId)) throw new FirstFormatLogError({ streamId: first.streamId, position: first.position });
}
