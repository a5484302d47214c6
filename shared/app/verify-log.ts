import type { PositionedEvent, StoredEvent } from '../events/envelope.js';
import { verifyStream, type ChainBreak } from '../events/chain.js';
import type { EventStore } from '../ports/event-store.js';

export interface LogVerification {
  readonly ok: boolean;
  readonly events: number;
  readonly streams: number;
  readonly firstBreak?: ChainBreak & { position?: string };
}

/**
 * Reads the whole log and checks every stream's hash chain (edited, deleted, reordered
 * events). Where positions are gapless integers (the local adapter), a deleted event is
 * also caught by the gap it leaves — even the last event of a stream.
 */
export async function verifyLog(store: EventStore): Promise<LogVerification> {
  const byStream = new Map<string, PositionedEvent[]>();
  let cursor: string | undefined;
  let count = 0;
  let previousPosition: number | undefined;
  let gap: (ChainBreak & { position: string }) | undefined;
  for (;;) {
    const page = await store.readAll(cursor, 1000);
    for (const e of page.events) {
      count++;
      (byStream.get(e.streamId) ?? byStream.set(e.streamId, []).get(e.streamId)!).push(e);
      const pos = Number(e.position);
      if (store.capabilities.globalOrder && Number.isInteger(pos)) {
        if (!gap && previousPosition !== undefined && pos !== previousPosition + 1) {
          gap = { streamId: e.streamId, version: e.version, position: e.position, reason: `log positions ${previousPosition + 1}..${pos - 1} are missing (events were deleted)` };
        }
        previousPosition = pos;
      }
    }
    if (!page.next || page.events.length === 0) break;
    cursor = page.next;
  }
  let first: (ChainBreak & { position?: string }) | undefined;
  for (const events of byStream.values()) {
    const brk = verifyStream(events as StoredEvent[]);
    if (!brk) continue;
    const at = events.find((e) => e.version === brk.version) ?? events[0];
    const candidate = { ...brk, ...(at ? { position: at.position } : {}) };
    if (!first || Number(candidate.position) < Number(first.position)) first = candidate;
  }
  if (gap && (!first || Number(gap.position) <= Number(first.position))) first = gap;
  return { ok: !first, events: count, streams: byStream.size, ...(first ? { firstBreak: first } : {}) };
}
