/**
 * The prune selection (shared/domain/prune.ts): Proxmox Backup Server's keep-* semantics, as
 * its documentation and prune simulator state them — each keep-X keeps the newest RP of each of
 * the X newest periods that hold one, rules applied in order last, hourly, daily, weekly,
 * monthly, yearly, a period already covered by an earlier rule's RP not counted again.
 * Given RPs at these times, when this policy selects, then exactly these are kept; then the
 * properties every selection has, over random histories.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { periodOf, selectPrune, type PruneCandidate } from '../../shared/domain/prune.js';
import { KEEP_RULES, keepCounts, type KeepCounts } from '../../shared/domain/retention-policy.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 0, 6); // Monday 6 January 2025, 00:00 UTC
const rp = (n: number, hoursAfterT0: number, pinned = false): PruneCandidate => ({
  rpId: `rp-${String(n).padStart(2, '0')}`, at: new Date(T0 + hoursAfterT0 * HOUR).toISOString(), ...(pinned ? { pinned } : {}),
});
const kept = (cs: readonly PruneCandidate[], keep: KeepCounts) => selectPrune(cs, keep).filter((m) => m.keep).map((m) => m.rpId).sort();
const ids = (...ns: number[]) => ns.map((n) => `rp-${String(n).padStart(2, '0')}`).sort();

describe('prune selection: given RPs, when a policy selects, then these are kept', () => {
  it('keep-last 3 of 5 keeps the three newest', () => {
    const cs = [1, 2, 3, 4, 5].map((n) => rp(n, n));
    assert.deepEqual(kept(cs, keepCounts({ last: 3 })), ids(3, 4, 5));
  });

  it('keep-daily 2 keeps the newest RP of each of the two newest days', () => {
    const cs = [rp(1, 1), rp(2, 5), rp(3, 25), rp(4, 30), rp(5, 49), rp(6, 50)];
    assert.deepEqual(kept(cs, keepCounts({ daily: 2 })), ids(4, 6));
  });

  it('the issue\'s case — 30 RPs two hours apart, keep-last 3 + keep-daily 2: the three newest (day 3, so day 3 is covered), then day 2\'s and day 1\'s newest', () => {
    const cs = Array.from({ length: 30 }, (_, k) => rp(k + 1, 2 * k));
    // RP n is at 2(n-1) h: day 1 holds rp-01..rp-12, day 2 rp-13..rp-24, day 3 rp-25..rp-30.
    assert.deepEqual(kept(cs, keepCounts({ last: 3, daily: 2 })), ids(12, 24, 28, 29, 30));
  });

  it('a period covered by an earlier rule is not counted again: keep-last 1 + keep-hourly 2 over three hours', () => {
    const cs = [rp(1, 0), rp(2, 0.5), rp(3, 1), rp(4, 1.5), rp(5, 2), rp(6, 2.5)];
    // keep-last takes rp-06 (hour 2); hourly skips hour 2 and takes hours 1 and 0.
    assert.deepEqual(kept(cs, keepCounts({ last: 1, hourly: 2 })), ids(2, 4, 6));
  });

  it('an RP a rule passed over (not its period\'s newest) is not taken by a later rule (PBS marks it removed)', () => {
    // hourly 1 keeps rp-03 (hour 0's newest) and passes rp-02 and rp-01; daily 1 finds day 1 covered.
    const cs = [rp(1, 0.1), rp(2, 0.2), rp(3, 0.3)];
    assert.deepEqual(kept(cs, keepCounts({ hourly: 1, daily: 1 })), ids(3));
  });

  it('periods without an RP do not count: keep-daily 2 over RPs ten days apart keeps both', () => {
    assert.deepEqual(kept([rp(1, 0), rp(2, 240), rp(3, 241)], keepCounts({ daily: 2 })), ids(1, 3));
  });

  it('weekly uses ISO weeks (Monday to Sunday); monthly and yearly by calendar', () => {
    // Sunday 5 Jan 2025 is in 2025-W01; Monday 30 Dec 2024 also (the week-numbering year).
    assert.equal(periodOf('weekly', { rpId: 'a', at: '2025-01-05T23:00:00.000Z' }), '2025-W01');
    assert.equal(periodOf('weekly', { rpId: 'a', at: '2024-12-30T00:00:00.000Z' }), '2025-W01');
    assert.equal(periodOf('weekly', { rpId: 'a', at: '2021-01-03T12:00:00.000Z' }), '2020-W53');
    assert.equal(periodOf('weekly', { rpId: 'a', at: '2025-01-06T00:00:00.000Z' }), '2025-W02');
    assert.equal(periodOf('monthly', { rpId: 'a', at: '2025-02-28T23:59:59.999Z' }), '2025-02');
    assert.equal(periodOf('yearly', { rpId: 'a', at: '2025-12-31T23:59:59.999Z' }), '2025');
    const cs = [rp(1, 0), rp(2, 24 * 6), rp(3, 24 * 7), rp(4, 24 * 8)]; // Mon W02, Sun W02, Mon W03, Tue W03
    assert.deepEqual(kept(cs, keepCounts({ weekly: 2 })), ids(2, 4));
  });

  it('a pinned RP is always kept and counts for no rule', () => {
    const cs = [rp(1, 1), rp(2, 2, true), rp(3, 3), rp(4, 4)];
    const marks = selectPrune(cs, keepCounts({ last: 2 }));
    assert.deepEqual(marks.filter((m) => m.keep).map((m) => [m.rpId, m.keep && m.by]), [['rp-04', 'last'], ['rp-03', 'last'], ['rp-02', 'pinned']]);
  });

  it('every count 0 keeps everything (PBS "keep all")', () => {
    const cs = [rp(1, 1), rp(2, 2)];
    assert.deepEqual(selectPrune(cs, keepCounts({})).map((m) => m.keep && m.by), ['keep-all', 'keep-all']);
  });

  it('marks come newest first, equal times ordered by rpId', () => {
    const cs = [rp(1, 5), rp(3, 5), rp(2, 7)];
    assert.deepEqual(selectPrune(cs, keepCounts({ last: 1 })).map((m) => [m.rpId, m.keep]), [['rp-02', true], ['rp-03', false], ['rp-01', false]]);
  });
});

const candidates = fc.uniqueArray(
  fc.record({ n: fc.integer({ min: 0, max: 10_000 }), hours: fc.integer({ min: 0, max: 24 * 800 }), pinned: fc.boolean() }),
  { minLength: 0, maxLength: 60, selector: (r) => r.n },
).map((rs) => rs.map((r) => ({ rpId: `rp-${r.n}`, at: new Date(T0 + r.hours * HOUR).toISOString(), ...(r.pinned && r.n % 7 === 0 ? { pinned: true } : {}) })));
const policies = fc.record(Object.fromEntries(KEEP_RULES.map((r) => [r, fc.integer({ min: 0, max: 6 })])) as Record<keyof KeepCounts, fc.Arbitrary<number>>);
const keepsSomething = (k: KeepCounts) => KEEP_RULES.some((r) => k[r] > 0);
const newest = (cs: readonly PruneCandidate[]) => selectPrune(cs, keepCounts({ last: 1 }))[0];

describe('prune selection: properties', () => {
  it('marks every candidate exactly once, newest first, whatever the input order', () => {
    fc.assert(fc.property(candidates, policies, fc.integer(), (cs, keep, seed) => {
      const marks = selectPrune(cs, keep);
      assert.deepEqual(marks.map((m) => m.rpId).sort(), cs.map((c) => c.rpId).sort());
      for (let i = 1; i < marks.length; i++) assert.ok(Date.parse(marks[i - 1]!.at) >= Date.parse(marks[i]!.at));
      const k = cs.length ? Math.abs(seed) % cs.length : 0;
      const shuffled = [...cs.slice(k), ...cs.slice(0, k)].reverse();
      assert.deepEqual(selectPrune(shuffled, keep), marks);
    }));
  });

  it('the newest RP is kept whenever a rule keeps something; pinned RPs always', () => {
    fc.assert(fc.property(candidates, policies, (cs, keep) => {
      const marks = new Map(selectPrune(cs, keep).map((m) => [m.rpId, m.keep]));
      const top = newest(cs);
      if (top && keepsSomething(keep)) assert.equal(marks.get(top.rpId), true);
      for (const c of cs) if (c.pinned) assert.equal(marks.get(c.rpId), true);
    }));
  });

  it('keeps at most Σ counts unpinned RPs, and at most one per period per rule', () => {
    fc.assert(fc.property(candidates, policies, (cs, keep) => {
      const marks = selectPrune(cs, keep);
      if (!keepsSomething(keep)) { assert.ok(marks.every((m) => m.keep)); return; }
      const byRule = marks.filter((m) => m.keep && m.by !== 'pinned');
      assert.ok(byRule.length <= KEEP_RULES.reduce((n, r) => n + keep[r], 0));
      for (const rule of KEEP_RULES) {
        const mine = byRule.filter((m) => m.keep && m.by === rule);
        assert.ok(mine.length <= keep[rule]);
        assert.equal(new Set(mine.map((m) => periodOf(rule, m))).size, mine.length, `keep-${rule} keeps one per period`);
      }
    }));
  });

  it('keep-last N alone keeps exactly the min(N, n) newest', () => {
    fc.assert(fc.property(candidates, fc.integer({ min: 1, max: 70 }), (cs, n) => {
      const unpinned = cs.map(({ pinned: _p, ...c }) => c);
      const marks = selectPrune(unpinned, keepCounts({ last: n }));
      assert.deepEqual(marks.map((m) => m.keep), marks.map((_, i) => i < n));
    }));
  });

  it('is idempotent: the kept RPs, selected again, are all kept (a second run expires nothing)', () => {
    fc.assert(fc.property(candidates, policies, (cs, keep) => {
      const keptIds = new Set(selectPrune(cs, keep).filter((m) => m.keep).map((m) => m.rpId));
      const again = selectPrune(cs.filter((c) => keptIds.has(c.rpId)), keep);
      assert.ok(again.every((m) => m.keep), JSON.stringify(again.filter((m) => !m.keep)));
    }));
  });

  it('a newer RP never brings back an older one the policy expired (so a run that misses the newest RP expires less, never more)', () => {
    fc.assert(fc.property(candidates, policies, fc.integer({ min: 1, max: 48 }), (cs, keep, later) => {
      const top = newest(cs);
      const next = { rpId: 'rp-new', at: new Date((top ? Date.parse(top.at) : T0) + later * HOUR).toISOString() };
      const before = new Map(selectPrune(cs, keep).map((m) => [m.rpId, m.keep]));
      for (const m of selectPrune([...cs, next], keep)) if (m.rpId !== 'rp-new' && m.keep) assert.equal(before.get(m.rpId), true, m.rpId);
    }));
  });
});
