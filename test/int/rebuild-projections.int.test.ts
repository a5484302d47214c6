/**
 * rebuild-projections over the ports (shared/app/rebuild-projections.ts), on the local
 * adapters (SQLite) and on the AWS adapters (DynamoDB on dynalite): the same scenario on both.
 * Then the CLI on either runtime: locally on a data dir, and with --aws on the tables.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DynamoDbEventStore } from '../../shared/adapters/aws/dynamodb-event-store.js';
import { DynamoDbOperationalStore } from '../../shared/adapters/aws/dynamodb-operational-store.js';
import { DynamoDbReadModels } from '../../shared/adapters/aws/dynamodb-read-models.js';
import type { AwsClients } from '../../shared/adapters/aws/clients.js';
import { SqliteEventStore } from '../../shared/adapters/local/sqlite-event-store.js';
import { SqliteReadModels } from '../../shared/adapters/local/sqlite-read-models.js';
import { localOperationalStore } from '../../shared/runtime/local-deps.js';
import { rebuildProjections, type RebuildDeps } from '../../shared/app/rebuild-projections.js';
import { PROJECTION_DEAD_LETTERS, PROJECTION_FAILURES, type ProjectionDeadLetter } from '../../shared/app/projections/projection-dead-letters.js';
import { MACHINES, machineDocId, type MachineSummary } from '../../shared/app/projections/machines.js';
import { TENANTS, type TenantSummary } from '../../shared/app/projections/tenants.js';
import { streams } from '../../shared/ids.js';
import type { EventStore } from '../../shared/ports/event-store.js';
import { rebuildProjectionsCommand } from '../../cli/admin/rebuild-projections.js';
import { CliError } from '../../cli/args.js';
import { runCommand } from '../../cli/command.js';
import { awsClients, createEventTable, createReadModelTable, startEmulators, type Emulators } from '../support/emulators.js';

const AT = '2026-03-01T10:00:00.000Z';
const ev = (type: string, data: unknown) => ({ type, data, at: AT, actor: 'system:test' });
const T = 't-rebuild';

/** A tenant with a machine and two RPs, and one event no projection understands (a poison event). */
async function writeLog(events: EventStore): Promise<void> {
  await events.append(streams.tenant(T), 0, [ev('TenantCreated', {
    tenantId: T, name: 'ACME', email: 'ops@acme.example', quotaBytes: 1000, pairingRequestId: 'pr-1', coreId: 'acme-01',
  })]);
  const volumes = [{ name: 'sda', sizeBytes: 4096 }];
  await events.append(streams.machine(T, 'm1'), 0, [ev('MachineRegistered', { tenantId: T, machineId: 'm1', name: 'web-01', volumes })]);
  const rp = (rpId: string, addedBytes: number) => ev('RecoveryPointCommitted', {
    tenantId: T, machineId: 'm1', rpId, kind: 'base', manifest: `man-${rpId}`, volumes, chunkCount: 1, referencedBytes: addedBytes, addedBytes,
  });
  await events.append(streams.rp(T, 'rp-1'), 0, [rp('rp-1', 100)]);
  await events.append(streams.cert('00poison'), 0, [ev('CertificateMangled', { serial: '00poison' })]);
  await events.append(streams.rp(T, 'rp-2'), 0, [rp('rp-2', 50)]);
}

async function positionOf(events: EventStore, streamId: string): Promise<string> {
  const { events: all } = await events.readAll(undefined, 1000);
  const found = all.find((e) => e.streamId === streamId);
  assert.ok(found, streamId);
  return found.position;
}

/** The same scenario on any adapters. */
function rebuildScenario(name: string, make: () => Promise<RebuildDeps & { cleanup(): Promise<void> }>): void {
  describe(`rebuild-projections over the ports: ${name}`, () => {
    it('replays the whole log (small pages) into cleared read models; a poison event is dead-lettered and reported, the rest rebuilt', async () => {
      const deps = await make();
      try {
        await writeLog(deps.events);
        const poison = await positionOf(deps.events, streams.cert('00poison'));
        const fixed = await positionOf(deps.events, streams.rp(T, 'rp-1'));
        // Before: a stale projection, and the operational records of a running core.
        await deps.readModels.put(MACHINES, machineDocId(T, 'stale'), { junk: true });
        await deps.operational.putCheckpoint('stream-dispatcher', 'kept');
        await deps.operational.put('notifications', 'n1', { id: 'n1', at: AT, kind: 'pairing-request', subject: 's', body: 'b' });
        const oldLetter = { position: fixed, streamId: streams.rp(T, 'rp-1'), version: 1, type: 'RecoveryPointCommitted', attempts: 11, error: 'Error: since fixed', firstFailedAt: AT, deadLetteredAt: AT };
        await deps.operational.put(PROJECTION_DEAD_LETTERS, fixed, oldLetter);
        await deps.operational.put(PROJECTION_FAILURES, 'elsewhere', { position: 'elsewhere', streamId: 'tenant:x', version: 1, type: 'X', error: 'e', failures: 1, firstFailedAt: AT, lastFailedAt: AT });

        const result = await rebuildProjections({ ...deps, clock: () => new Date('2026-03-02T00:00:00.000Z') }, { pageSize: 2 });

        assert.equal(result.events, 5);
        assert.equal(result.streams, 5);
        const expected: ProjectionDeadLetter = {
          position: poison, streamId: streams.cert('00poison'), version: 1, type: 'CertificateMangled', attempts: 1,
          error: 'Error: unknown certificate event {"streamId":"cert:00poison","version":1,"type":"CertificateMangled"',
          firstFailedAt: '2026-03-02T00:00:00.000Z', deadLetteredAt: '2026-03-02T00:00:00.000Z',
        };
        assert.equal(result.deadLetters.length, 1);
        const [letter] = result.deadLetters;
        assert.deepEqual({ ...letter, error: letter!.error.slice(0, expected.error.length) }, expected);
        assert.deepEqual(await deps.operational.list(PROJECTION_DEAD_LETTERS), [letter], 'the poison event is dead-lettered; the old letter of an event now projected is gone');
        assert.deepEqual(await deps.operational.list(PROJECTION_FAILURES), [], 'failure notes of before the rebuild are gone');

        // The events after the poison event were projected.
        const tenant = await deps.readModels.get<TenantSummary>(TENANTS, T);
        assert.deepEqual(tenant?.usage, { storedBytes: 150, byMachine: { m1: 150 }, binBytes: 0, binCount: 0, logicalBytes: 2 * 4096 }, 'two RPs of one 4 KiB volume');
        const machines = await deps.readModels.list<MachineSummary>(MACHINES);
        assert.deepEqual(machines.map((m) => [m.machineId, m.rpCount, m.storedBytes, m.latestRp?.rpId]), [['m1', 2, 150, 'rp-2']], 'the stale document went with the clear');
        // What is not a projection stays.
        assert.equal(await deps.operational.getCheckpoint('stream-dispatcher'), 'kept');
        assert.equal((await deps.operational.list('notifications')).length, 1);
      } finally {
        await deps.cleanup();
      }
    });

    it('moves operational records the read models still hold (written before the OperationalStore) out of the way of the clear', async () => {
      const deps = await make();
      try {
        await writeLog(deps.events);
        await deps.readModels.put('notifications', 'n-old', { id: 'n-old', at: AT, kind: 'k', subject: 's', body: 'b' });
        await deps.operational.put('notifications', 'n-new', { id: 'n-new', at: AT, kind: 'k', subject: 's', body: 'b' });
        await rebuildProjections(deps);
        assert.deepEqual((await deps.operational.list<{ id: string }>('notifications')).map((n) => n.id), ['n-new', 'n-old']);
        assert.deepEqual(await deps.readModels.list('notifications'), []);
      } finally {
        await deps.cleanup();
      }
    });
  });
}

rebuildScenario('SQLite (local)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'drcore-rebuild-'));
  const events = SqliteEventStore.open(join(dir, 'events.db'));
  const readModels = SqliteReadModels.open(join(dir, 'read-models.db'));
  const operational = localOperationalStore(dir);
  return {
    events, readModels, operational,
    cleanup: async () => { await Promise.all([events.close(), readModels.close(), operational.close()]); await rm(dir, { recursive: true, force: true }); },
  };
});

let started: Promise<{ emulators: Emulators; clients: AwsClients }> | undefined;
const aws = () => (started ??= startEmulators().then((emulators) => ({ emulators, clients: awsClients(emulators.endpoints) })));
after(async () => {
  if (started === undefined) return;
  const { emulators, clients } = await started;
  clients.destroy();
  await emulators.stop();
});

async function awsTables() {
  const { clients } = await aws();
  const [eventsTable, readModelsTable] = await Promise.all([createEventTable(clients.dynamodb), createReadModelTable(clients.dynamodb)]);
  return {
    eventsTable, readModelsTable,
    events: new DynamoDbEventStore({ client: clients.dynamodb, tableName: eventsTable, transactions: 'emulated-sequential' }),
    readModels: new DynamoDbReadModels({ client: clients.dynamodb, tableName: readModelsTable }),
    operational: new DynamoDbOperationalStore({ client: clients.dynamodb, tableName: readModelsTable }),
  };
}

rebuildScenario('DynamoDB on dynalite (AWS; operational records in the read-model table)', async () => ({ ...(await awsTables()), cleanup: async () => {} }));

describe('drcore admin rebuild-projections', () => {
  const run = async (argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const outcome = await runCommand(rebuildProjectionsCommand, argv, { out: (l) => out.push(l), err: (l) => err.push(l) }).then((code) => code, (e: unknown) => e);
    return { outcome, out, err };
  };

  it('locally: rebuilds DATA (server stopped), reports the dead-lettered event on stderr and fails (exit 1) after rebuilding the rest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'drcore-rebuild-cli-'));
    try {
      const events = SqliteEventStore.open(join(dir, 'events.db'));
      await writeLog(events);
      await events.close();
      const { outcome, out, err } = await run(['--data', dir, '--url', 'https://127.0.0.1:9', '--json']);
      assert.ok(outcome instanceof CliError && /1 of 5 events could not be projected/.test(outcome.message), String(outcome));
      const result = JSON.parse(out[0] ?? '{}') as { events: number; deadLetters: ProjectionDeadLetter[] };
      assert.equal(result.events, 5);
      assert.deepEqual(result.deadLetters.map((d) => d.type), ['CertificateMangled']);
      assert.deepEqual(err, [], '--json: the dead letters are in the JSON');
      const readModels = SqliteReadModels.open(join(dir, 'read-models.db'));
      assert.equal((await readModels.get<TenantSummary>(TENANTS, T))?.usage?.storedBytes, 150);
      await readModels.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('--aws: refuses without --force (the projector must be paused), then rebuilds the tables named by the flags', async () => {
    const tables = await awsTables();
    await writeLog(tables.events);
    const { emulators } = await aws();
    const saved = { ...process.env };
    Object.assign(process.env, {
      DRCORE_AWS_ENDPOINT: JSON.stringify({ dynamodb: emulators.endpoints.dynamodb }),
      AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test',
    });
    try {
      const argv = ['--aws', '--events-table', tables.eventsTable, '--read-models-table', tables.readModelsTable];
      const refused = await run(argv);
      assert.ok(refused.outcome instanceof CliError && /disable its event source mapping/.test(refused.outcome.message), String(refused.outcome));
      assert.equal(await tables.readModels.get(TENANTS, T), undefined, 'refused: nothing done');
      const missing = await run(['--aws', '--events-table', tables.eventsTable, '--force']);
      assert.ok(missing.outcome instanceof CliError && /--read-models-table/.test(missing.outcome.message), String(missing.outcome));

      const { outcome, out, err } = await run([...argv, '--force']);
      assert.ok(outcome instanceof CliError, String(outcome));
      assert.match(out[0] ?? '', new RegExp(`^Rebuilt the read models of table ${tables.readModelsTable} from 5 events in 5 streams`));
      assert.equal(err.length, 1);
      assert.match(err[0] ?? '', /^dead-lettered: cert:00poison v1 CertificateMangled \(position .+\): Error: unknown certificate event/);
      assert.equal((await tables.readModels.get<TenantSummary>(TENANTS, T))?.usage?.storedBytes, 150);
      assert.equal((await tables.operational.list(PROJECTION_DEAD_LETTERS)).length, 1);
    } finally {
      for (const k of ['DRCORE_AWS_ENDPOINT', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
  });
});
