import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiClient } from '../../cli/http-client.js';
import type { PairingView } from '../../shared/app/pairing-service.js';
import { createCsr } from '../../shared/pki/csr.js';
import { generateKeyPair } from '../../shared/pki/keys.js';
import { streams } from '../../shared/ids.js';
import { eventually, startCore, type TestCore } from '../support/in-process-core.js';

/**
 * Every core's handlers are built over its own adapters (makeHandler(deps)), not a
 * process-wide bag: two `serve()` in one process, each over its own data dir, share nothing.
 */
describe('two cores in one process', () => {
  let a: TestCore;
  let b: TestCore;
  const clients: Record<'a' | 'b', { enrollment: ApiClient; admin: ApiClient }> = {} as never;

  before(async () => {
    a = await startCore();
    b = await startCore();
    for (const [name, core] of [['a', a], ['b', b]] as const) {
      clients[name] = { enrollment: await core.client('enrollment'), admin: await core.client('admin') };
    }
  });
  after(async () => { await Promise.all([a.stop(), b.stop()]); });

  it('a pairing request filed on one core is stored, projected and served by that core only', async () => {
    const created = await clients.a.enrollment.json<PairingView>('POST', '/v1/pairing-requests', {
      coreName: 'ACME core', coreId: 'acme-01', email: 'ops@acme.example', csr: createCsr(generateKeyPair(), 'acme'),
    });

    // In the log of core a, not in the log of core b.
    assert.ok((await a.deps.events.readStream(streams.pairing(created.id))).length >= 1, 'in the log of core a');
    assert.deepEqual(await b.deps.events.readStream(streams.pairing(created.id)), [], 'not in the log of core b');

    // Core a's workflow and projector run over core a's adapters: acknowledged and in its review queue.
    await eventually(async () => {
      const { items } = await clients.a.admin.json<{ items: { id: string; acknowledged: boolean }[] }>('GET', '/v1/admin/pairing-requests?status=all');
      return items.find((i) => i.id === created.id)?.acknowledged ? true : undefined;
    }, 15_000, 'the request acknowledged in core a');
    const mine = await clients.a.enrollment.json<PairingView>('GET', `/v1/pairing-requests/${created.id}`);
    assert.equal(mine.id, created.id);

    // Core b knows nothing of it: not in its review queue, not readable, no workflow message ran there.
    const { items } = await clients.b.admin.json<{ items: { id: string }[] }>('GET', '/v1/admin/pairing-requests?status=all');
    assert.deepEqual(items.filter((i) => i.id === created.id), []);
    const other = await clients.b.enrollment.send('GET', `/v1/pairing-requests/${created.id}`);
    assert.equal(other.status, 404);
    assert.deepEqual(await b.deps.events.readStream(streams.pairing(created.id)), []);
  });
});
