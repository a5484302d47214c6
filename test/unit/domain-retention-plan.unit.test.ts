/**
 * A retention run's plan for one machine (shared/domain/retention-plan.ts): what expires, which
 * kept RPs roll up onto which, and what is purged — never an RP some other unpurged RP's chain
 * still holds. Given RPs as the log has them, when the plan is made at a time, then these steps.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { nearestLive, neededBy, planRetention, purgeOrder, type PlanNode } from '../../shared/domain/retention-plan.js';
import { keepCounts, KEEP_RULES, type KeepCounts } from '../../shared/domain/retention-policy.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 0, 6);
const at = (h: number) => new Date(T0 + h * HOUR).toISOString();
const id = (n: number) => `rp-${String(n).padStart(2, '0')}`;
/** A chain rp-01 (base) ← rp-02 ← … ← rp-n, one RP every `every` hours. */
const chain = (n: number, every = 2): PlanNode[] => Array.from({ length: n }, (_, k) => ({
  rpId: id(k + 1), at: at(every * k), status: 'live', ...(k > 0 ? { parentRpId: id(k) } : {}),
}));

describe('retention plan: given a machine\'s RPs, when the plan is made, then', () => {
  it('30 RPs two hours apart, keep-last 3 + daily 2: 25 expire; the oldest kept becomes a base, the others rest on the kept before them', () => {
    const plan = planRetention(chain(30), keepCounts({ last: 3, daily: 2 }), at(60));
    assert.deepEqual(plan.marks.filter((m) => m.keep).map((m) => m.rpId).sort(), [id(12), id(24), id(28), id(29), id(30)]);
    assert.equal(plan.expire.length, 25);
    assert.deepEqual(plan.rollUp.map((s) => [s.rpId, s.onto, s.folded.length]), [[id(12), undefined, 11], [id(24), id(12), 11], [id(28), id(24), 3]]);
    assert.deepEqual(plan.rollUp[2]?.folded, [id(27), id(26), id(25)]);
    assert.deepEqual(plan.purge, [], 'nothing is past its bin period yet');
  });

  it('after the bin period, the rolled-up chains no longer hold the binned RPs: all of them are purged, children first', () => {
    const purgeAfter = at(60 + 14 * 24);
    const kept = new Map([[id(12), undefined], [id(24), id(12)], [id(28), id(24)], [id(29), id(28)], [id(30), id(29)]]);
    const nodes = chain(30).map((n): PlanNode => (kept.has(n.rpId)
      ? { rpId: n.rpId, at: n.at, status: 'live', parentRpId: kept.get(n.rpId) }
      : { ...n, status: 'binned', purgeAfter }));
    const plan = planRetention(nodes, keepCounts({ last: 3, daily: 2 }), purgeAfter);
    assert.deepEqual(plan.expire, []);
    assert.deepEqual(plan.rollUp, []);
    assert.equal(plan.purge.length, 25);
    // rp-11 rests on rp-10: rp-11 goes first.
    assert.ok(plan.purge.indexOf(id(11)) < plan.purge.indexOf(id(10)));
    assert.deepEqual(plan.purge.slice(0, 3), [id(27), id(26), id(25)]);
  });

  it('a kept RP not rolled up yet protects its binned parent from the purge (the log\'s parent pointers)', () => {
    const nodes: PlanNode[] = [
      { rpId: id(1), at: at(0), status: 'binned', purgeAfter: at(1) },
      { rpId: id(2), at: at(1), status: 'live', parentRpId: id(1) },
    ];
    assert.deepEqual(purgeOrder(new Map(nodes.map((n) => [n.rpId, n])), at(100)), []);
    assert.deepEqual(neededBy(new Map(nodes.map((n) => [n.rpId, n])), id(1)), [id(2)]);
  });

  it('a binned RP still in its bin period protects the binned RPs its chain holds, even past theirs', () => {
    const nodes: PlanNode[] = [
      { rpId: id(1), at: at(0), status: 'binned', purgeAfter: at(10) },
      { rpId: id(2), at: at(1), status: 'binned', parentRpId: id(1), purgeAfter: at(1000) },
      { rpId: id(3), at: at(2), status: 'live' },
    ];
    assert.deepEqual(planRetention(nodes, keepCounts({ last: 1 }), at(500)).purge, []);
    assert.deepEqual(planRetention(nodes, keepCounts({ last: 1 }), at(1000)).purge, [id(2), id(1)]);
  });

  it('a pinned RP (restored from the bin) is kept and not counted; the RP resting on a binned one rolls up over it', () => {
    const nodes: PlanNode[] = [
      { rpId: id(1), at: at(0), status: 'binned', purgeAfter: at(999) },
      { rpId: id(2), at: at(1), status: 'live', parentRpId: id(1), pinned: true },
      { rpId: id(3), at: at(2), status: 'live', parentRpId: id(2) },
      { rpId: id(4), at: at(3), status: 'live', parentRpId: id(3) },
    ];
    const plan = planRetention(nodes, keepCounts({ last: 1 }), at(4));
    assert.deepEqual(plan.expire, [id(3)]);
    assert.deepEqual(plan.rollUp.map((s) => [s.rpId, s.onto, s.folded]), [[id(2), undefined, [id(1)]], [id(4), id(2), [id(3)]]]);
  });

  it('keep-all expires nothing; a binned RP past its period with no child is purged', () => {
    const nodes: PlanNode[] = [...chain(3), { rpId: 'rp-x', at: at(-5), status: 'binned', purgeAfter: at(0) }];
    const plan = planRetention(nodes, keepCounts({}), at(10));
    assert.deepEqual([plan.expire, plan.rollUp, plan.purge], [[], [], ['rp-x']]);
  });

  it('nearestLive stops at an RP it does not know (purged or not listed)', () => {
    const nodes = new Map<string, PlanNode>([[id(2), { rpId: id(2), at: at(1), status: 'live', parentRpId: id(1) }]]);
    assert.deepEqual(nearestLive(nodes, id(2)), { rpId: id(2), onto: undefined, folded: [] });
  });
});

/** Random machines: chains with branches (an RP rests on any older one), some binned already, some pinned. */
const machines = fc.array(fc.record({ parentBack: fc.integer({ min: 0, max: 4 }), gap: fc.integer({ min: 1, max: 30 }), binned: fc.boolean(), pinned: fc.boolean(), binEnds: fc.integer({ min: -48, max: 48 }) }),
  { minLength: 1, maxLength: 40 }).map((rs) => {
  let h = 0;
  return rs.map((r, k): PlanNode => {
    h += r.gap;
    const parent = k === 0 || r.parentBack === 0 ? undefined : id(Math.max(1, k + 1 - r.parentBack));
    return r.binned && k % 3 === 0
      ? { rpId: id(k + 1), at: at(h), status: 'binned', parentRpId: parent, purgeAfter: at(h + r.binEnds) }
      : { rpId: id(k + 1), at: at(h), status: 'live', parentRpId: parent, ...(r.pinned && k % 5 === 0 ? { pinned: true } : {}) };
  });
});
const policies = fc.record(Object.fromEntries(KEEP_RULES.map((r) => [r, fc.integer({ min: 0, max: 4 })])) as Record<keyof KeepCounts, fc.Arbitrary<number>>);

describe('retention plan: properties', () => {
  it('after the plan, every kept RP rests on kept RPs only, and no purged RP is in any remaining RP\'s chain', () => {
    fc.assert(fc.property(machines, policies, fc.integer({ min: 0, max: 2000 }), (nodes, keep, hours) => {
      const plan = planRetention(nodes, keep, at(hours));
      const expired = new Set(plan.expire);
      const purged = new Set(plan.purge);
      const after = new Map(nodes.map((n) => [n.rpId, expired.has(n.rpId) ? { ...n, status: 'binned' as const } : n]));
      const rolled = new Map(plan.rollUp.map((s) => [s.rpId, s.onto]));
      const parentOf = (n: PlanNode) => (rolled.has(n.rpId) ? rolled.get(n.rpId) : n.parentRpId);
      for (const n of after.values()) {
        if (purged.has(n.rpId)) {
          assert.equal(n.status, 'binned', `${n.rpId} purged but not binned`);
          assert.ok(n.purgeAfter !== undefined && Date.parse(n.purgeAfter) <= Date.parse(at(hours)), `${n.rpId} purged before its bin period ended`);
          continue;
        }
        const seen = new Set<string>();
        for (let p = parentOf(n); p !== undefined && !seen.has(p); p = after.get(p) ? parentOf(after.get(p)!) : undefined) {
          seen.add(p);
          assert.ok(!purged.has(p), `${n.rpId}'s chain holds purged ${p}`);
          if (n.status === 'live') assert.equal(after.get(p)?.status, 'live', `kept ${n.rpId} rests on binned ${p} after the roll-ups`);
        }
      }
    }));
  });

  it('never expires a pinned RP or the newest live one (when a rule keeps something); a second plan on the result expires nothing', () => {
    fc.assert(fc.property(machines, policies, (nodes, keep) => {
      const plan = planRetention(nodes, keep, at(0));
      for (const n of nodes) if (n.pinned) assert.ok(!plan.expire.includes(n.rpId));
      const live = nodes.filter((n) => n.status === 'live').sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
      if (live[0] && KEEP_RULES.some((r) => keep[r] > 0)) assert.ok(!plan.expire.includes(live[0].rpId));
      const expired = new Set(plan.expire);
      const again = planRetention(nodes.map((n) => (expired.has(n.rpId) ? { ...n, status: 'binned' as const, purgeAfter: at(1e6) } : n)), keep, at(0));
      assert.deepEqual(again.expire, []);
    }));
  });
});
