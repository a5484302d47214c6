/**
 * `drcore admin rebuild-projections`: clears the read models and replays the whole event log
 * through the projections (shared/app/rebuild-projections.ts), on either runtime.
 *
 * - Local (default): on DATA's SQLite files, so the server must be STOPPED (a running
 *   server's stream dispatcher would race the rebuild). It refuses while something answers on
 *   --url (default https://localhost:8006) unless --force is given.
 * - AWS (--aws): on the deployment's DynamoDB tables (--events-table, --read-models-table;
 *   credentials and region from the AWS SDK's usual chain). The projector function keeps
 *   running there, so disable its event source mapping first (README) and pass --force to say
 *   so; it refuses without.
 *
 * Notifications, the dispatcher checkpoint and the projection dead letters are in the
 * operational store, which the rebuild does not clear. An event that cannot be projected is
 * dead-lettered and reported; the rebuild goes on, and exits 1.
 */
import { connect } from 'node:net';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { rebuildProjections, type RebuildDeps, type RebuildResult } from '../../shared/app/rebuild-projections.js';
import { CliError } from '../args.js';
import { define, type Io } from '../command.js';
import { DATA, DEFAULT_URL, JSON_OUTPUT } from '../options.js';

function answers(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((ok) => {
    const socket = connect({ host: u.hostname, port: Number(u.port || 443), timeout: 500 });
    socket.once('connect', () => { socket.destroy(); ok(true); });
    socket.once('timeout', () => { socket.destroy(); ok(false); });
    socket.once('error', () => ok(false));
  });
}

/** The ports of a stopped local core's data dir. */
async function localStores(dataDir: string): Promise<{ deps: RebuildDeps; close(): Promise<void> }> {
  const [{ SqliteEventStore }, { SqliteReadModels }, { localOperationalStore }] = await Promise.all([
    import('../../shared/adapters/local/sqlite-event-store.js'),
    import('../../shared/adapters/local/sqlite-read-models.js'),
    import('../../shared/runtime/local-deps.js'),
  ]);
  const events = SqliteEventStore.open(join(dataDir, 'events.db'));
  const operational = localOperationalStore(dataDir);
  const readModels = SqliteReadModels.open(join(dataDir, 'read-models.db'));
  return { deps: { events, readModels, operational }, close: async () => { await Promise.all([events.close(), readModels.close(), operational.close()]); } };
}

/** The ports of a deployment's tables (the AWS SDK is loaded only here). */
async function awsStores(eventsTable: string, readModelsTable: string): Promise<{ deps: RebuildDeps; close(): Promise<void> }> {
  const [{ DynamoDbEventStore }, { DynamoDbReadModels }, { DynamoDbOperationalStore }] = await Promise.all([
    import('../../shared/adapters/aws/dynamodb-event-store.js'),
    import('../../shared/adapters/aws/dynamodb-read-models.js'),
    import('../../shared/adapters/aws/dynamodb-operational-store.js'),
  ]);
  return {
    deps: {
      events: new DynamoDbEventStore({ tableName: eventsTable }),
      readModels: new DynamoDbReadModels({ tableName: readModelsTable }),
      operational: new DynamoDbOperationalStore({ tableName: readModelsTable }),
    },
    close: async () => {},
  };
}

function report(result: RebuildResult, where: string, json: boolean | undefined, io: Io): number {
  if (json) io.out(JSON.stringify(result));
  else io.out(`Rebuilt the read models of ${where} from ${result.events} events in ${result.streams} streams (${result.seconds.toFixed(1)} s).`);
  if (result.deadLetters.length === 0) return 0;
  if (!json) for (const d of result.deadLetters) io.err(`dead-lettered: ${d.streamId} v${d.version} ${d.type} (position ${d.position}): ${d.error}`);
  throw new CliError(`${result.deadLetters.length} of ${result.events} events could not be projected: they are dead-lettered, the rest is rebuilt`,
    'drcore admin dead-letters lists them; fix the cause, then rebuild again');
}

export const rebuildProjectionsCommand = define({
  name: 'admin rebuild-projections',
  summary: 'Clear the read models and replay the whole event log through the projections. Locally the server must be stopped.',
  details: 'Local: the SQLite files of DATA. AWS (--aws): the DynamoDB tables of a deployment, with the projector\'s event source mapping disabled meanwhile (README).',
  options: {
    ...DATA,
    url: { type: 'string', value: 'URL', description: 'Local: refuse while a server answers here', default: DEFAULT_URL, env: 'DRCORE_URL' },
    force: { type: 'boolean', description: 'Local: run even though a server answers on --url (it serves another data dir). AWS: the projector is paused' },
    aws: { type: 'boolean', description: 'Rebuild a deployment\'s DynamoDB tables instead of DATA' },
    'events-table': { type: 'string', value: 'TABLE', description: 'AWS: the event log table (stack output EventsTableName)', env: 'DRCORE_EVENTS_TABLE' },
    'read-models-table': { type: 'string', value: 'TABLE', description: 'AWS: the read-model table (stack output ReadModelsTableName)', env: 'DRCORE_READ_MODELS_TABLE' },
    ...JSON_OUTPUT,
  },
  run: async ({ values }, io) => {
    if (values.aws) {
      const eventsTable = values['events-table'];
      const readModelsTable = values['read-models-table'];
      if (!eventsTable || !readModelsTable) {
        throw new CliError('--aws needs --events-table and --read-models-table', 'the stack outputs EventsTableName and ReadModelsTableName name them');
      }
      if (!values.force) {
        throw new CliError('on AWS the projector keeps projecting while the rebuild runs: disable its event source mapping first',
          'README "Rebuilding the projections on AWS"; then pass --force');
      }
      const stores = await awsStores(eventsTable, readModelsTable);
      try {
        return report(await rebuildProjections(stores.deps), `table ${readModelsTable}`, values.json, io);
      } finally {
        await stores.close();
      }
    }
    const dataDir = resolve(values.data);
    if (!existsSync(join(dataDir, 'events.db'))) throw new CliError(`no event log in ${dataDir} (events.db)`, 'pass --data DIR (or set DRCORE_DATA)');
    if (!values.force && await answers(values.url)) {
      throw new CliError(`a server answers on ${values.url}: stop it first (rebuild-projections works on ${dataDir} directly)`, 'pass --force if that server serves another data dir');
    }
    const stores = await localStores(dataDir);
    try {
      return report(await rebuildProjections(stores.deps), dataDir, values.json, io);
    } finally {
      await stores.close();
    }
  },
});
