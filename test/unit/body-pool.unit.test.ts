import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BodyPool, POOLED_BODY_BYTES } from '../../local/body-pool.js';

describe('gateway body pool', () => {
  it('reuses a large body buffer only after its lease is released, once', () => {
    const pool = new BodyPool();
    const a = pool.take(4 * 1024 * 1024);
    const b = pool.take(4 * 1024 * 1024);
    assert.notEqual(a.buffer.buffer, b.buffer.buffer, 'two leases in flight never share memory');
    a.release();
    a.release(); // idempotent: a double release must not hand the buffer out twice
    const c = pool.take(1024 * 1024);
    const d = pool.take(1024 * 1024);
    assert.equal(c.buffer.buffer, a.buffer.buffer, 'the released buffer is reused');
    assert.notEqual(d.buffer.buffer, a.buffer.buffer, 'and only once');
    assert.equal(c.buffer.length, 1024 * 1024);
  });

  it('gives small and oversized bodies fresh buffers of their exact size', () => {
    const pool = new BodyPool();
    assert.equal(pool.take(100).buffer.length, 100);
    assert.equal(pool.take(POOLED_BODY_BYTES + 1).buffer.length, POOLED_BODY_BYTES + 1);
  });
});
