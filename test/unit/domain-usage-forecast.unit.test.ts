import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { estimatedFullDate } from '../../shared/domain/usage-forecast.js';

const GB = 1e9;
const days = (from: string, n: number, at: (i: number) => number) =>
  Array.from({ length: n }, (_, i) => ({ day: new Date(Date.parse(`${from}T00:00:00Z`) + i * 86_400_000).toISOString().slice(0, 10), storedBytes: at(i) }));

describe('estimated full date (least squares over the daily high-water marks)', () => {
  it('10 GB a day from 100 GB with a 500 GB quota: full 31 days after the last point', () => {
    const points = days('2026-11-01', 10, (i) => 100 * GB + i * 10 * GB); // last: 2026-11-10, 190 GB
    assert.equal(estimatedFullDate(points, 500 * GB, '2026-11-10'), '2026-12-11'); // (500 - 190) / 10 = 31 days
  });
  it('flat or shrinking usage, or a single day, has no date', () => {
    assert.equal(estimatedFullDate(days('2026-11-01', 5, () => 100 * GB), 500 * GB, '2026-11-05'), undefined);
    assert.equal(estimatedFullDate(days('2026-11-01', 5, (i) => (200 - i) * GB), 500 * GB, '2026-11-05'), undefined);
    assert.equal(estimatedFullDate(days('2026-11-01', 1, () => 100 * GB), 500 * GB, '2026-11-01'), undefined);
    assert.equal(estimatedFullDate([], 500 * GB, '2026-11-01'), undefined);
  });
  it('at or over the quota: today', () => {
    assert.equal(estimatedFullDate(days('2026-11-01', 3, (i) => (499 + i) * GB), 500 * GB, '2026-11-03'), '2026-11-03');
  });
  it('counts from today when the last point is older', () => {
    const points = days('2026-10-01', 10, (i) => i * GB); // 1 GB a day, last 9 GB on 2026-10-10
    assert.equal(estimatedFullDate(points, 20 * GB, '2026-11-01'), '2026-11-12'); // 11 days from today
  });
});
