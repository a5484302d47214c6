/**
 * Rebuilding the projections (DESIGN §4), over the ports, so it runs on either runtime:
 * clears the read models and replays the whole event log (EventStore.readAll, page by page)
 * through the projections, without the outbox (no workflow message is sent again).
 *
 * - The OperationalStore is not touched by the clear: notifications, the local dispatcher's
 *   checkpoint (so events the running core already dispatched are not sent to the outbox
 *   again) and the projection dead letters stay.
 * - An event a projection fails on does not stop the rebuild: it is dead-lettered
 *   (projection-dead-letters.ts, one attempt) and returned, and the replay goes on.
 * - Once the replay has gone through the whole log, the projection failures and dead letters
 *   recorded before the rebuild are deleted: their events were just re-projected, and those
 *   that still fail were dead-lettered again by this rebuild. A rebuild that stops half-way
 *   (the store unavailable, …) deletes none of them.
 * - Nothing else may project meanwhile: locally the server is stopped; on AWS the projector's
 *   event source mapping is disabled for the rebuild (README).
 */
import type { PositionedEvent } from '../events/envelope.js';
import type { Queue } from '../ports/queue.js';
import type { AppDeps } from './deps.js';
import { assertCurrentLogFormat } from './log-format.js';
import {
  deadLetterProjection, noteProjectionFailure, PROJECTION_DEAD_LETTERS, PROJECTION_FAILURES,
  type ProjectionDeadLetter, type ProjectionFailure,
} from './projections/projection-dead-letters.js';
import { projectEvent } from './projections/projector.js';

export type RebuildDeps = Pick<AppDeps, 'events' | 'readModels' | 'operational'> & { readonly clock?: () => Date };

export interface RebuildResult {
  events: number;
  streams: number;
  seconds: number;
  /** The events that could not be projected, dead-lettered by this rebuild. */
  deadLetters: ProjectionDeadLetter[];
}

const PAGE_SIZE = 500;

/** No workflow message is sent during a rebuild; a send would be a bug. */
const NO_OUTBOX: Queue = new Proxy({} as Queue, {
  get: () => () => { throw new Error('rebuild-projections never sends workflow messages'); },
});

/**
 * Collections in which the read models held operational records before these had their own
 * store ('notifications' is the LocalNotifier's), with each record's id. A rebuild first moves
 * what it finds there into the OperationalStore (a record already there wins), so the clear
 * cannot lose it. (The local store moves them when it opens: SqliteOperationalStore.open.)
 */
export const OPERATIONAL_COLLECTIONS_IN_READ_MODELS: Readonly<Record<string, (record: Record<string, unknown>) => unknown>> = {
  notifications: (n) => n['id'],
  [PROJECTION_FAILURES]: (f) => f['position'],
  [PROJECTION_DEAD_LETTERS]: (d) => d['position'],
};

async function adoptOperationalRecords(deps: RebuildDeps): Promise<void> {
  for (const [collection, idOf] of Object.entries(OPERATIONAL_COLLECTIONS_IN_READ_MODELS)) {
    for (const record of await deps.readModels.list<Record<string, unknown>>(collection)) {
      const id = idOf(record);
      if (typeof id !== 'string' || id === '') continue;
      if ((await deps.operational.get(collection, id)) === undefined) await deps.operational.put(collection, id, record);
    }
  }
}

export async function rebuildProjections(deps: RebuildDeps, options: { pageSize?: number } = {}): Promise<RebuildResult> {
  const started = Date.now();
  const now = () => (deps.clock?.() ?? new Date()).toISOString();
  await assertCurrentLogFormat(deps.events); // a log of the first format would project to nothing
  await adoptOperationalRecords(deps);
  const failedBefore = (await deps.operational.list<ProjectionFailure>(PROJECTION_FAILURES)).map((f) => f.position);
  const lettersBefore = (await deps.operational.list<ProjectionDeadLetter>(PROJECTION_DEAD_LETTERS)).map((d) => d.position);
  await deps.readModels.clear();

  const streams = new Set<string>();
  const deadLetters: ProjectionDeadLetter[] = [];
  let count = 0;
  let cursor: string | undefined;
  for (;;) {
    const page = await deps.events.readAll(cursor, options.pageSize ?? PAGE_SIZE);
    for (const e of page.events) {
      const letter = await project(deps, e, now);
      if (letter) deadLetters.push(letter);
      streams.add(e.streamId);
      count++;
    }
    if (page.events.length === 0 || !page.next) break;
    cursor = page.next;
  }

  const letteredNow = new Set(deadLetters.map((d) => d.position));
  for (const position of lettersBefore) if (!letteredNow.has(position)) await deps.operational.delete(PROJECTION_DEAD_LETTERS, position);
  for (const position of failedBefore) await deps.operational.delete(PROJECTION_FAILURES, position);
  return { events: count, streams: streams.size, seconds: (Date.now() - started) / 1000, deadLetters };
}

/** Projects one event; if a projection throws, dead-letters it with that error and returns the letter. */
async function project(deps: RebuildDeps, e: PositionedEvent, now: () => string): Promise<ProjectionDeadLetter | undefined> {
  try {
    await projectEvent({ readModels: deps.readModels, queue: NO_OUTBOX }, e, { outbox: false });
    return undefined;
  } catch (error) {
    const record = { position: e.position, streamId: e.streamId, version: e.version, type: e.type };
    const at = now();
    await noteProjectionFailure(deps.operational, record, error, at);
    return deadLetterProjection(deps.operational, record, 1, at, at);
  }
}
