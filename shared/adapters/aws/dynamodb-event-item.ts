/**
 * The event log's DynamoDB item format, both ways. The same format arrives in DynamoDB
 * stream records (NEW_IMAGE), so the projector reads events with itemToStoredEvent too.
 *
 * Item: streamId (S), version (N), type (S), data (S, JSON), at (S), actor (S),
 * prevHash (S), hash (S).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { StoredEvent } from '../../events/envelope.js';
import { PortError } from '../../ports/errors.js';

export type EventItem = Record<string, AttributeValue>;

/** The part of an attribute value the event format uses: SDK items and Lambda stream images both fit. */
export type ImageItem = Readonly<Record<string, { readonly S?: string; readonly N?: string } | undefined>>;

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
export class MalformedEventItemError extends PortError {
  override readonly name = 'MalformedEventItemError';
}

function str(item: ImageItem, name: string): string {
  const v = item[name]?.S;
  if (typeof v !== 'string') throw new MalformedEventItemError(`event item: ${name} is not a string attribute`);
  return v;
}

function num(item: ImageItem, name: string): number {
  const raw = item[name]?.N;
  const v = raw === undefined ? NaN : Number(raw);
  if (!Number.isSafeInteger(v) || v < 1) throw new MalformedEventItemError(`event item: ${name} is not a positive integer`);
  return v;
}

/** Accepts SDK items and the Lambda stream-record images (same JSON shape). */
export function itemToStoredEvent(item: ImageItem): StoredEvent {
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
