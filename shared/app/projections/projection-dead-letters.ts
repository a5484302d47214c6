/**
 * Events the projector fails on, for the operator (EVENT_STREAM_DELIVERY: a failing record is
 * retried, then dead-lettered so that later events keep flowing).
 *
 * - `projection-failures`: the projector's last error for a record it failed on (written by
 *   functions/projector.ts on AWS and locally, best effort). The stream mapping's dead letter
 *   holds only a record's coordinates; this note holds why.
 * - `projection-dead-letters`: the records the local stream dispatcher gave up on, with that
 *   error. (On AWS the same role is the projector's on-failure SQS queue, alarmed.)
 *
 * - rebuild-projections (shared/app/rebuild-projections.ts) dead-letters here too each event it
 *   cannot project, with one attempt.
 *
 * Operational records (OperationalStore), not projections: rebuild-projections clears the
 * read models, not these. Once a rebuild has gone through the whole log, it deletes the
 * failures and dead letters recorded before it started (it re-projected their events; those
 * that still fail it has dead-lettered anew).
 *
 * Keys are the record's position in the log (its stream sequence number). Error texts are the
 * projection's message, cut short: never a body, a key or a certificate. The events themselves
 * stay in the log.
 */
import type { OperationalStore } from '../../ports/operational-store.js';

export const PROJECTION_FAILURES = 'projection-failures';
export const PROJECTION_DEAD_LETTERS = 'projection-dead-letters';
const MAX_ERROR_LENGTH = 500;

/** Which event a stream record carries, as far as it can be read. */
export interface RecordCoordinates {
  /** The event's position in the log — the stream record's sequence number. */
  position: string;
  streamId: string;
  version: number;
  type: string;
}

export interface ProjectionFailure extends RecordCoordinates {
  error: string;
  /** Failed invocations of the projector with this record. */
  failures: number;
  firstFailedAt: string;
  lastFailedAt: string;
}

export interface ProjectionDeadLetter extends RecordCoordinates {
  /** How many times the projector was called with it. */
  attempts: number;
  /** The projection's last error message. */
  error: string;
  firstFailedAt: string;
  deadLetteredAt: string;
}

export function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}

/** The projector failed on this record (again). */
export async function noteProjectionFailure(store: OperationalStore, record: RecordCoordinates, error: unknown, at: string): Promise<void> {
  const before = await store.get<ProjectionFailure>(PROJECTION_FAILURES, record.position);
  await store.put<ProjectionFailure>(PROJECTION_FAILURES, record.position, {
    ...record, error: errorText(error), failures: (before?.failures ?? 0) + 1, firstFailedAt: before?.firstFailedAt ?? at, lastFailedAt: at,
  });
}

/** The stream mapping gave up on this record: it is dead-lettered with the projector's last error. */
export async function deadLetterProjection(store: OperationalStore, record: RecordCoordinates, attempts: number, firstFailedAt: string, at: string): Promise<ProjectionDeadLetter> {
  const failure = await store.get<ProjectionFailure>(PROJECTION_FAILURES, record.position);
  const letter: ProjectionDeadLetter = {
    ...record, attempts, error: failure?.error ?? 'unknown (the projector recorded no error; see its log)',
    firstFailedAt: failure?.firstFailedAt ?? firstFailedAt, deadLetteredAt: at,
  };
  await store.put(PROJECTION_DEAD_LETTERS, record.position, letter);
  await store.delete(PROJECTION_FAILURES, record.position);
  return letter;
}

/** A record that failed before has now been projected: its failure note goes. */
export async function clearProjectionFailure(store: OperationalStore, position: string): Promise<void> {
  await store.delete(PROJECTION_FAILURES, position);
}

export async function listProjectionDeadLetters(store: OperationalStore): Promise<ProjectionDeadLetter[]> {
  return (await store.list<ProjectionDeadLetter>(PROJECTION_DEAD_LETTERS)).sort((a, b) => a.deadLetteredAt.localeCompare(b.deadLetteredAt));
}
