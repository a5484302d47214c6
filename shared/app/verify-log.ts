import type { PositionedEvent, StoredEvent } from '../events/envelope.js';
import { verifyStream, type ChainBreak } from '../events/chain.js';
import { isValidStreamId } from '../ids.js';
import type { EventStore } from '../ports/event-store.js';
import { checkAnchor, type NewestCheckpoint } from './log-anchor-check.js';
import type { FirstFormatStream } from './log-format.js';

export interface LogVerification {
  readonly ok: boolean;
  readonly events: number;
  readonly streams: number;
  readonly firstBreak?: ChainBreak & { position?: string };
  /** The first stream id of the first format (log-format.ts): this drcore cannot serve the log. */
  readonly firstFormat?: FirstFormatStream;
  /**
   * The newest log checkpoint the log was checked against (log-anchor.ts): its name and time, or
   * why it could not be used (a signature that does not verify: the log is not OK). Absent when
   * no anchors were given; `{ checkpoint: null }` when they hold none yet.
   */
  readonly anchor?: { readonly checkpoint: string | null; readonly at?: string; readonly streams?: number; readonly problem?: string };
}

export interface VerifyLogOptions {
  /** The newest checkpoint of the log's anchors (newestCheckpoint), or null when there is none yet. */
  readonly anchor?: NewestCheckpoint | null;
}

type Break = ChainBreak & { position?: string };
interface Gap { from: number; to: number; next: PositionedEvent | undefined }

/**
 * Reads the whole log and checks every stream's hash chain (edited, deleted, reordered
 * events). Where positions are gapless integers from 1 (the local adapter), a deleted
 * event is also caught by the hole it leaves — even the last event of a stream, the
 * first of the log, or (with lastAssignedPosition) the last of the log. A log that holds a
 * stream id of the first format (log-format.ts) is not OK either, whatever its chains say.
 * With an anchor (the newest signed checkpoint of every stream's head, log-anchor.ts), a
 * stream whose tail was deleted or rewritten since is caught too, on any adapter.
 */
export async function verifyLog(store: EventStore, options: VerifyLogOptions = {}): Promise<LogVerification> {
  const byStream = new Map<string, PositionedEvent[]>();
  const numbered = store.capabilities.globalOrder;
  let cursor: string | undefined;
  let count = 0;
  let previous = 0;
  let gap: Gap | undefined;
  let firstFormat: FirstFormatStream | undefined;
  for (;;) {
    const page = await store.readAll(cursor, 1000);
    for (const e of page.events) {
      count++;
      if (!firstFormat && !isValidStreamId(e.streamId)) firstFormat = { streamId: e.streamId, position: e.position };
      (byStream.get(e.streamId) ?? byStream.set(e.streamId, []).get(e.streamId)!).push(e);
      const pos = Number(e.position);
      if (numbered && Number.isInteger(pos)) {
        if (!gap && pos !== previous + 1) gap = { from: previous + 1, to: pos - 1, next: e };
        previous = pos;
      }
    }
    if (!page.next || page.events.length === 0) break;
    cursor = page.next;
  }
  if (numbered && !gap && store.lastAssignedPosition) {
    const head = Number(await store.lastAssignedPosition());
    if (Number.isInteger(head) && head > previous) gap = { from: previous + 1, to: head, next: undefined };
  }

  let first: Break | undefined;
  const streamBreaks: Break[] = [];
  for (const events of byStream.values()) {
    const brk = verifyStream(events as StoredEvent[]);
    if (!brk) continue;
    const at = events.find((e) => e.version === brk.version) ?? events[0];
    const candidate = { ...brk, ...(at ? { position: at.position } : {}) };
    streamBreaks.push(candidate);
    if (!first || Number(candidate.position) < Number(first.position)) first = candidate;
  }
  if (gap && (!first || gap.from <= Number(first.position))) first = gapBreak(gap, streamBreaks);
  let anchor: LogVerification['anchor'];
  const a = options.anchor;
  if (a === null) anchor = { checkpoint: null };
  else if (a && 'problem' in a) anchor = { checkpoint: a.name, problem: `checkpoint ${a.name}: ${a.problem}` };
  else if (a) {
    anchor = { checkpoint: a.name, at: a.checkpoint.at, streams: a.checkpoint.heads.length };
    // A chain break is the more precise finding; a tail lost since the checkpoint shows only here.
    first ??= checkAnchor(a, byStream as Map<string, StoredEvent[]>);
  }
  return {
    ok: !first && !firstFormat && !anchor?.problem, events: count, streams: byStream.size,
    ...(first ? { firstBreak: first } : {}), ...(firstFormat ? { firstFormat } : {}), ...(anchor ? { anchor } : {}),
  };
}

/** A hole in the positions, attributed to the stream that lost a version there, if any. */
function gapBreak(gap: Gap, streamBreaks: readonly Break[]): Break {
  const reason = gap.next
    ? `log positions ${gap.from}..${gap.to} are missing (events were deleted)`
    : `log positions ${gap.from}..${gap.to} are missing at the end of the log (events were deleted)`;
  const owner = streamBreaks
    .filter((b) => /expected version/.test(b.reason) && Number(b.position) > gap.to)
    .sort((a, b) => Number(a.position) - Number(b.position))[0];
  if (owner) {
    return { streamId: owner.streamId, version: owner.version, position: String(gap.to + 1), reason: `${reason}; stream ${owner.streamId}: ${owner.reason}` };
  }
  if (gap.next) return { streamId: gap.next.streamId, version: gap.next.version, position: gap.next.position, reason };
  return { streamId: '(end of log)', version: 0, position: String(gap.from), reason };
}
