/**
 * The event log's DynamoDB item format, both ways. The same format arrives in DynamoDB
 * stream records (NEW_IMAGE), so the projector reads events with itemToStoredEvent too.
 *
 * Item: streamId (S), version (N), type (S), data (S, JSON), at (S), actor (S),
 * prevHash (S), hash (S).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { StoredEvent } from '../../events/envelope.js';
import { InvalidIdError } from '../../ids.js';

export type EventItem = Record<string, AttributeValue>;

export function storedEventToItem(e: StoredEvent): EventItem {
  return {
    streamId: { S: e.streamId },
    version: { N: String(e.version) },
    type: { S: e.type },
    data: { S: JSON.stringify(e.data) ?? 'null' },
    at: { S: e.at },
    actor: { S: e.actor },
    prevHash: { S: e.prevHash },
    hash: { S: e.hash },
  };
}

/** Thrown when an item does not have the event format (a foreign or damaged item). */
export class MalformedEventItemError extends Error {
  override readonly name = 'MalformedEventItemError';
}

function str(item: EventItem, name: string): string {
  const v = item[name]?.S;
  if (typeof v !== 'string') throw new MalformedEventItemError(`event item: ${name} is not a string attribute`);
  return v;
}

function num(item: EventItem, name: string): number {
  const raw = item[name]?.N;
  const v = raw === undefined ? NaN : Number(raw);
  if (!Number.isSafeInteger(v) || v < 1) throw new MalformedEventItemError(`event item: ${name} is not a positive integer`);
  return v;
}

/** Accepts SDK items and the Lambda stream-record images (same JSON shape). */
export function itemToStoredEvent(item: EventItem): StoredEvent {
  let data: unknown;
  try {
    data = JSON.parse(str(item, 'data'));
  } catch (err) {
    throw new MalformedEventItemError('event item: data is not JSON', { cause: err });
  }
  return {
    streamId: str(item, 'streamId'),
    version: num(item, 'version'),
    type: str(item, 'type'),
    data,
    at: str(item, 'at'),
    actor: str(item, 'actor'),
    prevHash: str(item, 'prevHash'),
    hash: str(item, 'hash'),
  };
}

/** The primary key of an event item. */
export interface EventKey {
  readonly streamId: string;
  readonly version: number;
}

export function eventKeyToItem(key: EventKey): EventItem {
  return { streamId: { S: key.streamId }, version: { N: String(key.version) } };
}

/** readAll cursor: base64url of the JSON of the last evaluated key. */
export function encodeCursor(key: EventKey): string {
  return Buffer.from(JSON.stringify({ s: key.streamId, v: key.version }), 'utf8').toString('base64url');
}

/** Decodes a cursor made by encodeCursor; anything else is bad input (InvalidIdError). */
export function decodeCursor(cursor: string): EventKey {
  let parsed: unknown;
  try {
    if (cursor.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('not base64url');
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidIdError('cursor', cursor);
  }
  const p = parsed as { s?: unknown; v?: unknown } | null;
  if (p === null || typeof p !== 'object' || typeof p.s !== 'string' || p.s.length === 0
    || typeof p.v !== 'number' || !Number.isSafeInteger(p.v) || p.v < 1) {
    throw new InvalidIdError('cursor', cursor);
  }
  return { streamId: p.s, version: p.v };
}
