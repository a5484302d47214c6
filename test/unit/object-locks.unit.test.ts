/**
 * Retention-class locks: the lock period by the rule that keeps an RP (shared/domain/lock-period.ts),
 * and the S3ObjectLocks adapter over a MOCK of S3's retention API (test/support/mock-s3-retention.ts:
 * no emulator here has Object Lock): it extends, never shortens, and translates S3's errors.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { S3ObjectLocks } from '../../shared/adapters/aws/s3-object-locks.js';
import { lockUntil } from '../../shared/domain/lock-period.js';
import { checkRetention } from '../../shared/domain/retention-policy.js';
import { InvalidIdError } from '../../shared/ids.js';
import { NotFoundError } from '../../shared/ports/errors.js';
import { mockRetentionS3 } from '../support/mock-s3-retention.js';

const r = checkRetention({ keep: { last: 3, hourly: 24, daily: 14, weekly: 8, monthly: 12, yearly: 2 }, binDays: 7 });
const at = '2026-01-31T10:00:00.000Z';
const now = '2026-02-01T00:00:00.000Z';
const iso = (d: Date) => d.toISOString();

describe('lock period by retention class', () => {
  it('each rule locks to the end of its span from the RP\'s time, plus the bin period', () => {
    assert.equal(iso(lockUntil('hourly', at, now, r)), '2026-02-08T10:00:00.000Z', '24 h + 7 days');
    assert.equal(iso(lockUntil('daily', at, now, r)), '2026-02-21T10:00:00.000Z', '14 days + 7');
    assert.equal(iso(lockUntil('weekly', at, now, r)), '2026-04-04T10:00:00.000Z', '8 weeks + 7 days');
    assert.equal(iso(lockUntil('monthly', at, now, r)), '2027-02-07T10:00:00.000Z', '12 calendar months + 7 days');
    assert.equal(iso(lockUntil('yearly', at, now, r)), '2028-02-07T10:00:00.000Z', '2 years + 7 days');
  });
  it('a monthly is locked longer than a daily; rules with no span lock the bin period from now', () => {
    assert.ok(lockUntil('monthly', at, now, r) > lockUntil('daily', at, now, r));
    for (const by of ['last', 'pinned', 'keep-all'] as const) assert.equal(iso(lockUntil(by, at, now, r)), '2026-02-08T00:00:00.000Z');
    assert.equal(iso(lockUntil('hourly', '2025-01-01T00:00:00.000Z', now, r)), '2026-02-08T00:00:00.000Z', 'a span long over: still the bin period from now');
  });
});

describe('S3ObjectLocks (MOCK S3 retention API)', () => {
  const stored = new Set(['tenants/t/packs/a', 'tenants/t/packs/b']);
  const head = async (key: string) => (stored.has(key) ? { size: 1 } : undefined);
  it('locks an object never locked, extends an earlier lock, and leaves a later one as it is', async () => {
    const s3 = mockRetentionS3({ head });
    const locks = new S3ObjectLocks({ client: s3.client, bucket: 'data' });
    assert.equal(await locks.lockedUntil('tenants/t/packs/a'), undefined);
    await locks.extend('tenants/t/packs/a', new Date('2026-03-01T00:00:00Z'));
    assert.equal(iso((await locks.lockedUntil('tenants/t/packs/a'))!), '2026-03-01T00:00:00.000Z');
    await locks.extend('tenants/t/packs/a', new Date('2026-02-01T00:00:00Z'));
    assert.equal(iso((await locks.lockedUntil('tenants/t/packs/a'))!), '2026-03-01T00:00:00.000Z', 'never shortened');
    await locks.extend('tenants/t/packs/a', new Date('2027-01-01T00:00:00Z'));
    assert.equal(iso((await locks.lockedUntil('tenants/t/packs/a'))!), '2027-01-01T00:00:00.000Z');
    assert.deepEqual(s3.puts, ['tenants/t/packs/a', 'tenants/t/packs/a'], 'the earlier date sent no PutObjectRetention (governance would refuse it without bypass)');
  });
  it('a missing object is NotFoundError; a bad key is refused before any request', async () => {
    const s3 = mockRetentionS3({ head });
    const locks = new S3ObjectLocks({ client: s3.client, bucket: 'data' });
    await assert.rejects(locks.extend('tenants/t/packs/zz', new Date()), NotFoundError);
    await assert.rejects(locks.lockedUntil('tenants/../x'), InvalidIdError);
  });
});
