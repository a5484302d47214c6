import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SqliteEventStore } from '../../shared/adapters/local/sqlite-event-store.js';
import { FIRST_FORMAT_HELP } from '../../shared/app/log-format.js';
import { verifyLog } from '../../shared/app/verify-log.js';
import { CliError } from '../args.js';
import { define } from '../command.js';
import { DATA, JSON_OUTPUT } from '../options.js';

export const verifyLogCommand = define({
  name: 'admin verify-log',
  summary: "Check every hash chain of the event log in DATA/events.db; exit 1 and name the first bad event if one doesn't verify.",
  options: { ...DATA, ...JSON_OUTPUT },
  run: async ({ values }, io) => {
    const file = join(resolve(values.data), 'events.db');
    if (!existsSync(file)) throw new CliError(`no event log: ${file} does not exist`, 'pass --data DIR (or set DRCORE_DATA): the data dir of drcore serve');
    const store = SqliteEventStore.open(file);
    try {
      const result = await verifyLog(store);
      if (values.json) io.out(JSON.stringify(result));
      else if (result.ok) io.out(`OK: ${result.events} events in ${result.streams} streams; every hash chain verifies`);
      else {
        const f = result.firstFormat;
        if (f) io.out(`FIRST FORMAT: stream ${f.streamId}${f.position ? ` (log position ${f.position})` : ''}: ${FIRST_FORMAT_HELP}`);
        const b = result.firstBreak;
        if (b) io.out(`TAMPERED: first bad event: stream ${b.streamId} version ${b.version}${b.position ? ` (log position ${b.position})` : ''}: ${b.reason}`);
        else io.out(`(the hash chains of ${result.events} events in ${result.streams} streams verify)`);
      }
      return result.ok ? 0 : 1;
    } finally { await store.close?.(); }
  },
});
