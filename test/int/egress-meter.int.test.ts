/**
 * Egress metering (issue 11 item 5) on the real operational store (SQLite): a serving process
 * stores its running total at its first read of a tenant's day, then only after 64 MiB or 10 s
 * more (one write per read cost about $0.66 per TB restored); another process sees what was
 * stored, the serving process itself also what it has not stored yet; nothing is ever counted
 * twice, and each process's record holds only its own total.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { egressCollection, egressOn, FLUSH_BYTES, FLUSH_MS, meterEgress } from '../../shared/app/replication/egress-meter.js';
import { localDeps } from '../../shared/runtime/local-deps.js';

describe('egress meter', () => {
  let dir: string;
  const clock = { now: Date.UTC(2026, 11, 1, 12) };
  const day = '2026-12-01';
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'drcore-egress-')); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  it('stores at the first read, then every 64 MiB or 10 s; the serving process counts what it holds, another what was stored', async () => {
    const serving = Object.assign(localDeps(dir), { clock: () => new Date(clock.now) });
    const other = localDeps(dir); // another process: its own meter, the same store
    let puts = 0;
    const put = serving.operational.put.bind(serving.operational);
    serving.operational.put = async (c, id, r) => { if (c.startsWith('egress/')) puts++; return put(c, id, r); };

    await meterEgress(serving, 't-1', 1000);
    assert.equal(puts, 1, 'the first read of the day is stored');
    for (let i = 0; i < 15; i++) await meterEgress(serving, 't-1', 4 * 1024 * 1024 - 1);
    const small = 1000 + 15 * (4 * 1024 * 1024 - 1);
    assert.ok(small - 1000 < FLUSH_BYTES);
    assert.equal(puts, 1, '15 reads of just under 4 MiB within a second: not one more write');
    assert.equal(await egressOn(serving, 't-1', day), small, 'the serving process counts what it holds');
    assert.equal(await egressOn(other, 't-1', day), 1000, 'another process sees what was stored');

    await meterEgress(serving, 't-1', 5 * 1024 * 1024);
    assert.equal(puts, 2, 'past 64 MiB unstored: stored');
    assert.equal(await egressOn(other, 't-1', day), small + 5 * 1024 * 1024);

    await meterEgress(serving, 't-1', 10);
    assert.equal(puts, 2);
    clock.now += FLUSH_MS;
    await meterEgress(serving, 't-1', 10);
    assert.equal(puts, 3, '10 s after the last store: stored');
    const total = small + 5 * 1024 * 1024 + 20;
    assert.deepEqual([await egressOn(serving, 't-1', day), await egressOn(other, 't-1', day)], [total, total], 'all stored: nothing counted twice');
    assert.equal((await other.operational.list(egressCollection('t-1', day))).length, 1, 'one record per serving process');
  });
});
