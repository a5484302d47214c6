/**
 * `drcore admin rebuild-projections [--data DIR]`: clears the read models and replays the whole
 * event log through the projections (DESIGN §4), without the outbox (no workflow message is
 * sent again). It works directly on DATA's SQLite files, so the server must be STOPPED: a
 * running server's stream dispatcher would race the rebuild. It refuses to run while
 * something answers on --url (default https://localhost:8006) unless --force is given.
 *
 * What is not a projection survives the clear: the stream dispatcher's checkpoint (so events
 * the running server already dispatched are not sent to the outbox again, and events it had
 * not yet dispatched still are) and the local notifications.
 */
import { connect } from 'node:net';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SqliteEventStore } from '../../shared/adapters/local/sqlite-event-store.js';
import { SqliteReadModels } from '../../shared/adapters/local/sqlite-read-models.js';
import { NOTIFICATIONS_COLLECTION } from '../../shared/adapters/local/file-notifier.js';
import { assertCurrentLogFormat } from '../../shared/app/log-format.js';
import { projectEvent } from '../../shared/app/projections/projector.js';
import type { EventStore } from '../../shared/ports/event-store.js';
import type { Queue } from '../../shared/ports/queue.js';
import type { ReadModels } from '../../shared/ports/read-models.js';
import { CliError } from '../args.js';
import { define } from '../command.js';
import { DATA, DEFAULT_URL, JSON_OUTPUT } from '../options.js';

/** The local stream dispatcher's checkpoint name (local/stream-dispatcher.ts). */
export const DISPATCHER_CHECKPOINT = 'stream-dispatcher';

/** No workflow message is sent during a rebuild; a send would be a bug. */
const NO_OUTBOX: Queue = new Proxy({} as Queue, {
  get: () => () => { throw new Error('rebuild-projections never sends workflow messages'); },
});

export interface RebuildResult { events: number; streams: number; seconds: number }

/** Clears `readModels` (keeping the dispatcher checkpoint and notifications) and replays every event of `events`. */
export async function rebuildProjections(events: EventStore, readModels: ReadModels): Promise<RebuildResult> {
  const started = Date.now();
  await assertCurrentLogFormat(events); // a log of the first format would project to nothing
  const checkpoint = await readModels.getCheckpoint(DISPATCHER_CHECKPOINT);
  const notifications = await readModels.list<{ id: string }>(NOTIFICATIONS_COLLECTION);
  await readModels.clear();
  for (const n of notifications) await readModels.put(NOTIFICATIONS_COLLECTION, n.id, n);
  const streams = new Set<string>();
  let count = 0;
  let cursor: string | undefined;
  for (;;) {
    const page = await events.readAll(cursor, 500);
    for (const e of page.events) {
      await projectEvent({ readModels, queue: NO_OUTBOX }, e, { outbox: false });
      streams.add(e.streamId);
      count++;
    }
    if (page.events.length === 0 || !page.next) break;
    cursor = page.next;
  }
  if (checkpoint !== undefined) await readModels.putCheckpoint(DISPATCHER_CHECKPOINT, checkpoint);
  return { events: count, streams: streams.size, seconds: (Date.now() - started) / 1000 };
}

function answers(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((ok) => {
    const socket = connect({ host: u.hostname, port: Number(u.port || 443), timeout: 500 });
    socket.once('connect', () => { socket.destroy(); ok(true); });
    socket.once('timeout', () => { socket.destroy(); ok(false); });
    socket.once('error', () => ok(false));
  });
}

export const rebuildProjectionsCommand = define({
  name: 'admin rebuild-projections',
  summary: 'Clear the read models of DATA and replay the whole event log through the projections. The server must be stopped.',
  options: {
    ...DATA,
    url: { type: 'string', value: 'URL', description: 'Refuse while a server answers here', default: DEFAULT_URL, env: 'DRCORE_URL' },
    force: { type: 'boolean', description: 'Run even though a server answers on --url (it serves another data dir)' },
    ...JSON_OUTPUT,
  },
  run: async ({ values }, io) => {
    const dataDir = resolve(values.data);
    if (!existsSync(join(dataDir, 'events.db'))) throw new CliError(`no event log in ${dataDir} (events.db)`, 'pass --data DIR (or set DRCORE_DATA)');
    if (!values.force && await answers(values.url)) {
      throw new CliError(`a server answers on ${values.url}: stop it first (rebuild-projections works on ${dataDir} directly)`, 'pass --force if that server serves another data dir');
    }
    const events = SqliteEventStore.open(join(dataDir, 'events.db'));
    const readModels = SqliteReadModels.open(join(dataDir, 'read-models.db'));
    try {
      const result = await rebuildProjections(events, readModels);
      if (values.json) io.out(JSON.stringify(result));
      else io.out(`Rebuilt the read models of ${dataDir} from ${result.events} events in ${result.streams} streams (${result.seconds.toFixed(1)} s).`);
      return 0;
    } finally {
      await Promise.all([events.close(), readModels.close()]);
    }
  },
});
