/**
 * The commit service (issue 9 item 4) reads the recovery point's stream once per commit — a new
 * commit, a repeat, or a conflicting reuse of the rpId — and leaves the commit rule (what a
 * repeat is, what conflicts) to the recovery-point decider. Real local adapters in a temp dir.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { commitRecoveryPoint } from '../../shared/app/replication/commit-service.js';
import type { AppDeps } from '../../shared/app/deps.js';
import { DomainError } from '../../shared/domain/errors.js';
import { streams } from '../../shared/ids.js';
import type { EventStore } from '../../shared/ports/event-store.js';
import { buildRp, makeVolume, packsOf, startHarness, type BuiltRp, type Harness } from '../support/replication-api-harness.js';

/** The deps with an event store that records every readStream. */
function counting(deps: AppDeps, reads: string[]): AppDeps {
  const inner = deps.events;
  const events: EventStore = {
    capabilities: inner.capabilities,
    append: (streamId, expectedVersion, es) => inner.append(streamId, expectedVersion, es),
    readStream: (streamId, afterVersion) => { reads.push(streamId); return inner.readStream(streamId, afterVersion); },
    readLast: (streamId) => inner.readLast(streamId),
    readAll: (cursor, limit) => inner.readAll(cursor, limit),
  };
  return { ...deps, events };
}

async function upload(h: Harness, tenant: string, machine: string, rpId: string, rp: BuiltRp): Promise<void> {
  for (const p of packsOf(rp.chunks.values(), 3)) {
    const r = await h.call(tenant, 'PUT', `/v1/machines/${machine}/recovery-points/${rpId}/packs/${p.id}`, p.bytes);
    assert.ok(r.status === 201 || r.status === 200, r.body.toString());
  }
}

describe('commit reads the recovery point stream once', () => {
  let h: Harness;
  before(async () => { h = await startHarness(); });
  after(async () => { await h?.close(); });

  it('a new commit, its repeat and a conflicting reuse of the rpId each read rp:<tenant>:<rpId> once', async () => {
    const tenant = h.tenantA;
    const machine = 'm-once';
    assert.equal((await h.call(tenant, 'PUT', `/v1/machines/${machine}`, { name: machine, volumes: [] })).status, 201);
    const rp = buildRp([makeVolume('sda', 4, 1)]);
    await upload(h, tenant, machine, 'rp-once', rp);
    const stream = streams.rp(tenant, 'rp-once');
    const input = { kind: rp.kind, manifest: rp.manifest, volumes: rp.volumes };
    const actor = `source-core:${tenant}:00aa`;

    let reads: string[] = [];
    const first = await commitRecoveryPoint(counting(h.deps, reads), tenant, machine, 'rp-once', input, actor);
    assert.equal(first.created, true);
    const [committed] = await h.deps.events.readStream(stream);
    assert.equal(first.view.committedAt, committed?.at, 'the view is the committed event');
    assert.equal(first.view.chunkCount, rp.chunks.size);
    assert.equal(reads.filter((s) => s === stream).length, 1, `reads: ${reads.join(', ')}`);

    reads = [];
    const repeat = await commitRecoveryPoint(counting(h.deps, reads), tenant, machine, 'rp-once', { ...input, createdAt: '2025-01-01T00:00:00.000Z' }, actor);
    assert.equal(repeat.created, false);
    assert.deepEqual(repeat.view, first.view, 'a repeat returns the committed RP unchanged');
    assert.equal(reads.filter((s) => s === stream).length, 1, `reads: ${reads.join(', ')}`);

    reads = [];
    const other = buildRp([makeVolume('sda', 4, 2)]);
    await assert.rejects(commitRecoveryPoint(counting(h.deps, reads), tenant, machine, 'rp-once', { kind: other.kind, manifest: other.manifest, volumes: other.volumes }, actor),
      (e) => e instanceof DomainError && e.code === 'conflict' && /already committed with other content/.test(e.message));
    assert.equal(reads.filter((s) => s === stream).length, 1, `reads: ${reads.join(', ')}`);
    assert.equal((await h.deps.events.readStream(stream)).length, 1, 'still one event');
  });
});
