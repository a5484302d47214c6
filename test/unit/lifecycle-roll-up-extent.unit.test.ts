/**
 * What a rolled-up manifest says of one extent (shared/app/lifecycle/roll-up-extent.ts): reuse
 * what already says the content, materialize only a DELTA on folded-away content or a size
 * change on the way. Given the folded links' entries (newest first), when decided, then.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideExtent, type FoldedStep } from '../../shared/app/lifecycle/roll-up-extent.js';

const L = 65_536;
const full = (c: string): FoldedStep => ({ entry: { index: 0, kind: 'FULL', chunk: c.repeat(64) }, length: L, type: 'incremental' });
const delta = (c: string): FoldedStep => ({ entry: { index: 0, kind: 'DELTA', chunk: c.repeat(64) }, length: L, type: 'incremental' });
const zero: FoldedStep = { entry: { index: 0, kind: 'ZERO' }, length: L, type: 'incremental' };
const absent: FoldedStep = { entry: undefined, length: L, type: 'incremental' };
const baseAbsent: FoldedStep = { entry: undefined, length: L, type: 'base' };

describe('roll-up, one extent: given the folded entries, when decided, then', () => {
  it('untouched by every folded link, with a new parent of the same length: left out (the parent\'s)', () => {
    assert.deepEqual(decideExtent([absent, absent], L, L), { kind: 'omit' });
  });
  it('the newest FULL says it: reused, wherever it is below', () => {
    assert.deepEqual(decideExtent([absent, full('a'), delta('b')], L, L), { kind: 'reuse', entry: full('a').entry });
    assert.deepEqual(decideExtent([full('c')], undefined, L), { kind: 'reuse', entry: full('c').entry });
  });
  it('one DELTA over content the new parent has: reused (it still applies there)', () => {
    assert.deepEqual(decideExtent([absent, delta('d'), absent], L, L), { kind: 'reuse', entry: delta('d').entry });
  });
  it('a DELTA over a folded FULL, or two DELTAs: materialized', () => {
    assert.deepEqual(decideExtent([delta('d'), full('a')], L, L), { kind: 'materialize' });
    assert.deepEqual(decideExtent([delta('d'), delta('e')], L, L), { kind: 'materialize' });
  });
  it('ZERO, or absent from a folded base: zero (a ZERO entry on a parent, left out of a base)', () => {
    assert.deepEqual(decideExtent([absent, zero], L, L), { kind: 'zero' });
    assert.deepEqual(decideExtent([absent, baseAbsent], undefined, L), { kind: 'zero' });
    assert.deepEqual(decideExtent([delta('d'), zero], L, L), { kind: 'materialize' });
  });
  it('a size change on the way (a folded link, or the new parent, holds another length): materialized', () => {
    assert.deepEqual(decideExtent([absent, { ...absent, length: L / 2 }], L, L), { kind: 'materialize' });
    assert.deepEqual(decideExtent([absent, { entry: undefined, length: 0, type: 'incremental' }], L, L), { kind: 'materialize' });
    assert.deepEqual(decideExtent([absent], L / 2, L), { kind: 'materialize' });
    assert.deepEqual(decideExtent([absent], 0, L), { kind: 'materialize' }, 'the volume did not exist at the new parent');
  });
  it('nothing fixes the extent and there is no parent: a broken chain, refused', () => {
    assert.throws(() => decideExtent([absent], undefined, L), /no base/);
  });
});
