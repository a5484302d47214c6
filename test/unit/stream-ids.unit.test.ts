/**
 * Stream ids (shared/ids.ts, DESIGN §4): the map from (kind, tenant, id) to a stream id is
 * injective by construction, so one tenant's ids can never name another tenant's stream,
 * whatever `-`, `.` or `_` the ids contain.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { assertStreamId, formatStreamId, InvalidIdError, parseStreamId, streamKindOf, streams } from '../../shared/ids.js';

const ID_CHARS = [...'abcXYZ019._-'];
const notDots = (s: string): boolean => s !== '.' && s !== '..';
/**
 * Valid ids (ID_PATTERN, not "." or ".."): any of them, or short ones over `a` and `-` so that
 * a join which is not injective shows up as a collision within a few hundred runs.
 */
const anId = fc.oneof(
  fc.string({ unit: fc.constantFrom(...ID_CHARS), minLength: 1, maxLength: 64 }),
  fc.string({ unit: fc.constantFrom('a', '-'), minLength: 1, maxLength: 3 }),
).filter(notDots);

type Ref =
  | { kind: 'pairing' | 'tenant' | 'cert' | 'seed'; id: string }
  | { kind: 'machine' | 'rp'; tenantId: string; id: string };

const KINDS = ['pairing', 'tenant', 'cert', 'seed', 'machine', 'rp'] as const;
const refOfKind = (kind: Ref['kind']): fc.Arbitrary<Ref> => (kind === 'machine' || kind === 'rp'
  ? fc.record({ kind: fc.constant(kind), tenantId: anId, id: anId })
  : fc.record({ kind: fc.constant(kind), id: anId }));
const aRef = fc.constantFrom(...KINDS).chain(refOfKind);
/** Two refs, most often of the same kind (where a join that is not injective collides). */
const twoRefs = fc.oneof(fc.tuple(aRef, aRef), aRef.chain((a) => fc.tuple(fc.constant(a), refOfKind(a.kind))));

function format(ref: Ref): string {
  switch (ref.kind) {
    case 'pairing': return streams.pairing(ref.id);
    case 'tenant': return streams.tenant(ref.id);
    case 'cert': return streams.cert(ref.id);
    case 'seed': return streams.seed(ref.id);
    case 'machine': return streams.machine(ref.tenantId, ref.id);
    case 'rp': return streams.rp(ref.tenantId, ref.id);
  }
}

describe('stream ids', () => {
  it('two tenants whose ids contain "-" get different streams (rp-a-b + c vs rp-a + b-c)', () => {
    assert.notEqual(streams.rp('a-b', 'c'), streams.rp('a', 'b-c'));
    assert.notEqual(streams.machine('t-1', 'web'), streams.machine('t', '1-web'));
    assert.notEqual(streams.tenant('x'), streams.pairing('x'));
  });

  it('property: different (kind, tenant, id) triples never give the same stream id', () => {
    fc.assert(fc.property(twoRefs, ([a, b]) => {
      fc.pre(JSON.stringify(a) !== JSON.stringify(b));
      assert.notEqual(format(a), format(b));
    }), { numRuns: 5000 });
  });

  it('property: a tenant-scoped stream of tenant A is never a stream of another tenant B', () => {
    fc.assert(fc.property(anId, anId, anId, anId, fc.constantFrom('machine', 'rp') as fc.Arbitrary<'machine' | 'rp'>, (a, b, x, y, kind) => {
      fc.pre(a !== b);
      assert.notEqual(streams[kind](a, x), streams[kind](b, y));
      assert.notEqual(streams[kind](a, x), streams.tenant(b));
      assert.equal(parseStreamId(streams[kind](a, x)).parts[0], a, 'the stream names its own tenant, and only it');
    }), { numRuns: 5000 });
  });

  it('property: parse(format(x)) = x, and the format is a valid stream id for the stores', () => {
    fc.assert(fc.property(aRef, (ref) => {
      const id = format(ref);
      const parts = 'tenantId' in ref ? [ref.tenantId, ref.id] : [ref.id];
      assert.equal(formatStreamId({ kind: ref.kind, parts }), id);
      assert.deepEqual(parseStreamId(id), { kind: ref.kind, parts });
      assert.equal(assertStreamId(id), id);
      assert.equal(streamKindOf(id), ref.kind);
    }), { numRuns: 2000 });
  });

  it('the format: kind, then the parts, joined by ":"', () => {
    assert.equal(streams.rp('t-1', 'rp-20250101T120000Z-ab12'), 'rp:t-1:rp-20250101T120000Z-ab12');
    assert.equal(streams.machine('t-1', 'web-01'), 'machine:t-1:web-01');
    assert.equal(streams.pairing('pr-1'), 'pairing:pr-1');
  });

  it('refuses ids that are not ids, wrong arity, unknown kinds and the first (":"-less) format', () => {
    for (const bad of ['a:b', '', '.', '..', 'x'.repeat(65), 'a/b', 'a b']) {
      assert.throws(() => streams.rp('t1', bad), InvalidIdError, bad);
      assert.throws(() => streams.rp(bad, 'r1'), InvalidIdError, bad);
    }
    assert.throws(() => formatStreamId({ kind: 'rp', parts: ['t1'] }), InvalidIdError);
    assert.throws(() => formatStreamId({ kind: 'tenant', parts: ['t1', 'x'] }), InvalidIdError);
    for (const bad of ['rp-t1-r1', 'tenant-t1', 'machine-t-1-m-1', 'rp:t1', 'rp:t1:r1:x', 'tenant:t1:x', 'nope:x', 'rp::r1', 'rp:t1:', 'tenant:..', 'Tenant:x', 'tenant:a/b', 42, null]) {
      assert.throws(() => parseStreamId(bad), InvalidIdError, String(bad));
    }
    for (const bad of ['rp-t1-r1', 'tenant-t1', 'tenant:', ':x', 'tenant::x', 'tenant:..', 'tenant:a:b:c', `tenant:${'a'.repeat(65)}`, 'TENANT:x', 'tenant:é']) {
      assert.throws(() => assertStreamId(bad), InvalidIdError, bad);
    }
    assert.equal(streamKindOf('tenant-t1'), undefined);
  });
});
