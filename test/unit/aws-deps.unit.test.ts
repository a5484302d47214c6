import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { EventStore } from '../../shared/ports/event-store.js';
import type { OperationalStore } from '../../shared/ports/operational-store.js';
import { awsDeps, awsNotifier } from '../../shared/runtime/aws-deps.js';
import { ENV } from '../../shared/runtime/env.js';

/**
 * The deps of a Lambda entry (functions/<name>.ts): only the ports it names, each built on
 * first use, so importing an entry builds no adapter and no SDK client.
 */
describe('awsDeps', () => {
  it('builds a named port on first use, once', () => {
    const store = { readStream: async () => [] } as unknown as EventStore;
    let built = 0;
    const deps = awsDeps('authorizer', { events: () => { built++; return store; } });
    assert.equal(built, 0, 'nothing is built with the deps');
    assert.equal(deps.events, store);
    assert.equal(deps.events, store);
    assert.equal(built, 1);
  });

  it('refuses a port the function does not name, saying which and where they are named', () => {
    const deps = awsDeps('authorizer', { events: () => ({}) as EventStore });
    assert.throws(() => deps.blobs, { message: 'authorizer does not use the blobs port: functions/authorizer.ts names the ports it uses' });
    assert.throws(() => deps.ca, /authorizer does not use the ca port/);
  });

  it('gives a factory the other ports: the notifier stores into the operational store', async () => {
    const stored: unknown[] = [];
    const operational = { get: async () => undefined, put: async (_c: string, _id: string, doc: unknown) => { stored.push(doc); } } as unknown as OperationalStore;
    const deps = awsDeps('workflow-worker', { operational: () => operational, notifier: awsNotifier });
    await deps.notifier.notify({ id: 'n1', at: '2026-11-25T06:00:00.000Z', kind: 'test', subject: 's', body: 'b' });
    assert.deepEqual(stored, [{ id: 'n1', at: '2026-11-25T06:00:00.000Z', kind: 'test', subject: 's', body: 'b' }]);
  });

  it('every Lambda entry imports with no AWS environment: no adapter is built at import', async () => {
    for (const name of Object.values(ENV)) delete process.env[name];
    const entries = readdirSync(new URL('../../functions/', import.meta.url)).filter((f) => f.endsWith('.ts'));
    assert.ok(entries.length >= 8);
    for (const entry of entries) {
      const mod = (await import(`../../functions/${entry}`)) as { handler?: unknown };
      assert.equal(typeof mod.handler, 'function', `functions/${entry} exports its handler`);
    }
  });
});
