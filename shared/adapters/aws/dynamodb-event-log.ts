/**
 * The global log index of the DynamoDB event store: what makes readAll exact.
 *
 * A Scan cannot resume from a cursor with "every event appended after it" (new events of
 * a stream land anywhere in scan order), so every append also writes one log entry
 * (a pointer) in the same table, in the same TransactWriteItems as its events:
 *
 *   streamId = '$log' (never a valid stream id), version = seq (1, 2, 3 … gapless),
 *   stream = the appended stream, from = its first version, count = number of events.
 *
 * Entry seq n+1 is written with attribute_not_exists, after reading n as the last one:
 * entries are gapless and appear in commit order, so readAll reads them with a
 * consistent Query and gets every event after a cursor exactly once, in global order.
 * The cost is one hot item collection, fine for the control-plane event rate (packs are
 * not events, DESIGN §4). Projectors reading the table's stream skip these items
 * (dynamodb-stream-records.ts).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { InvalidIdError } from '../../ids.js';
import { PortError } from '../../ports/errors.js';

export const LOG_STREAM_ID = '$log';

export interface LogEntry {
  readonly seq: number;
  readonly streamId: string;
  readonly from: number;
  readonly count: number;
}

type Item = Record<string, AttributeValue>;

export function logEntryToItem(e: LogEntry): Item {
  return {
    streamId: { S: LOG_STREAM_ID },
    version: { N: String(e.seq) },
    stream: { S: e.streamId },
    from: { N: String(e.from) },
    count: { N: String(e.count) },
  };
}

export function itemToLogEntry(item: Item): LogEntry {
  const seq = Number(item.version?.N);
  const from = Number(item.from?.N);
  const count = Number(item.count?.N);
  const streamId = item.stream?.S;
  if (item.streamId?.S !== LOG_STREAM_ID || streamId === undefined || ![seq, from, count].every((n) => Number.isSafeInteger(n) && n >= 1)) {
    throw new PortError('DynamoDB event log: malformed log entry');
  }
  return { seq, streamId, from, count };
}

/** A readAll position: `offset` events of log entry `seq` have been read (start: 0/0). */
export interface LogPosition {
  readonly seq: number;
  readonly offset: number;
}

export const LOG_START: LogPosition = { seq: 0, offset: 0 };

/** Opaque cursor: base64url of {"q":seq,"o":offset}. */
export function encodePosition(p: LogPosition): string {
  return Buffer.from(JSON.stringify({ q: p.seq, o: p.offset }), 'utf8').toString('base64url');
}

/** Decodes a cursor made by encodePosition; anything else is bad input (InvalidIdError). */
export function decodePosition(cursor: string): LogPosition {
  let parsed: unknown;
  try {
    if (typeof cursor !== 'string' || cursor.length > 256 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('not base64url');
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidIdError('cursor', cursor);
  }
  const p = parsed as { q?: unknown; o?: unknown } | null;
  const ok = p !== null && typeof p === 'object'
    && typeof p.q === 'number' && Number.isSafeInteger(p.q) && p.q >= 0
    && typeof p.o === 'number' && Number.isSafeInteger(p.o) && p.o >= 0;
  if (!ok) throw new InvalidIdError('cursor', cursor);
  return { seq: p.q as number, offset: p.o as number };
}
