import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FileBlobStore } from '../../shared/adapters/local/file-blob-store.js';
import { SqliteEventStore } from '../../shared/adapters/local/sqlite-event-store.js';
import { newestCheckpoint } from '../../shared/app/log-anchor-check.js';
import { FIRST_FORMAT_HELP } from '../../shared/app/log-format.js';
import { verifyLog, type VerifyLogOptions } from '../../shared/app/verify-log.js';
import { CliError } from '../args.js';
import { define } from '../command.js';
import { DATA, JSON_OUTPUT } from '../options.js';
import { defaultLogAnchors, LOG_ANCHORS } from '../log-anchors.js';

/** The newest checkpoint of the anchor dir, checked with DATA/pki/ca.pem; nothing when the dir does not exist. */
async function anchorOf(dataDir: string, dir: string | undefined): Promise<VerifyLogOptions> {
  const anchors = resolve(dir ?? defaultLogAnchors(dataDir));
  if (!existsSync(anchors)) {
    if (dir !== undefined) throw new CliError(`no log anchors: ${anchors} does not exist`, 'drcore serve writes them there (--log-anchors DIR)');
    return {};
  }
  const caFile = join(dataDir, 'pki', 'ca.pem');
  if (!existsSync(caFile)) throw new CliError(`no CA certificate: ${caFile} does not exist`, 'the checkpoints are checked with the core CA certificate');
  return { anchor: (await newestCheckpoint(new FileBlobStore(anchors), readFileSync(caFile, 'utf8'))) ?? null };
}

export const verifyLogCommand = define({
  name: 'admin verify-log',
  summary: "Check every hash chain of the event log in DATA/events.db, and the log against its newest signed checkpoint; exit 1 and name the first bad event if one doesn't verify.",
  details: 'The checkpoints (drcore serve writes one every hour when the log grew) anchor every stream\'s last event, so a deleted or rewritten tail of a stream is caught too. '
    + 'They are read from --log-anchors DIR (default DATA/log-anchors, when it exists) and checked with DATA/pki/ca.pem.',
  options: { ...DATA, ...LOG_ANCHORS, ...JSON_OUTPUT },
  run: async ({ values }, io) => {
    const dataDir = resolve(values.data);
    const file = join(dataDir, 'events.db');
    if (!existsSync(file)) throw new CliError(`no event log: ${file} does not exist`, 'pass --data DIR (or set DRCORE_DATA): the data dir of drcore serve');
    const options = await anchorOf(dataDir, values['log-anchors']);
    const store = SqliteEventStore.open(file);
    try {
      const result = await verifyLog(store, options);
      if (values.json) io.out(JSON.stringify(result));
      else if (result.ok) {
        const a = result.anchor;
        const anchored = !a ? '' : a.checkpoint === null ? '; no log checkpoint yet' : `; every stream head of checkpoint ${a.checkpoint} (${a.at}, ${a.streams} streams) is in the log`;
        io.out(`OK: ${result.events} events in ${result.streams} streams; every hash chain verifies${anchored}`);
      } else {
        const f = result.firstFormat;
        if (f) io.out(`FIRST FORMAT: stream ${f.streamId}${f.position ? ` (log position ${f.position})` : ''}: ${FIRST_FORMAT_HELP}`);
        if (result.anchor?.problem) io.out(`ANCHOR: ${result.anchor.problem}`);
        const b = result.firstBreak;
        if (b) io.out(`TAMPERED: first bad event: stream ${b.streamId} version ${b.version}${b.position ? ` (log position ${b.position})` : ''}: ${b.reason}`);
        else io.out(`(the hash chains of ${result.events} events in ${result.streams} streams verify)`);
      }
      return result.ok ? 0 : 1;
    } finally { await store.close?.(); }
  },
});
