/**
 * DynamoDB stream records of the event table, as Lambda receives them (view type
 * NEW_IMAGE), read with the event store's own item format. The table also holds the
 * global log entries (streamId '$log', dynamodb-event-log.ts): they are not events and
 * a projector must skip them — storedEventFromStreamRecord returns undefined for them.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import type { StoredEvent } from '../../events/envelope.js';
import { PortError } from '../../ports/errors.js';
import { itemToStoredEvent } from './dynamodb-event-item.js';
import { LOG_STREAM_ID } from './dynamodb-event-log.js';

/** The record is a global log entry (not an event). */
export function isLogEntryRecord(record: DynamoDBRecord): boolean {
  const keys = record.dynamodb?.Keys ?? record.dynamodb?.NewImage;
  return keys?.streamId?.S === LOG_STREAM_ID;
}

/**
 * The event an INSERT record carries; undefined for records that are not new events
 * (log entries; MODIFY and REMOVE, which the adapter never causes on events — the
 * emulator-only rollback aside). Throws PortError when the image is missing (the table
 * stream must be NEW_IMAGE or NEW_AND_OLD_IMAGES) or is not an event item.
 */
export function storedEventFromStreamRecord(record: DynamoDBRecord): StoredEvent | undefined {
  if (record.eventName !== 'INSERT' || isLogEntryRecord(record)) return undefined;
  const image = record.dynamodb?.NewImage;
  if (image === undefined) throw new PortError(`stream record ${record.eventID ?? '?'} has no NewImage: the table stream must include new images`);
  return itemToStoredEvent(image);
}
