import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { SparseWriter } from '../../source/sparse-writer.js';

const KiB = 1024;
const MiB = 1024 * KiB;

function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'drcore-sparse-'));
  return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

describe('sparse restore writer', () => {
  it('leaves zero extents and zero sub-blocks as holes and reads back byte-identical', () => withDir(async (dir) => {
    const size = 16 * MiB + 1234;
    const file = join(dir, 'vol.img');
    const expected = Buffer.alloc(size);
    const w = new SparseWriter(file, size);
    // Extent 1: data with a zero 64 KiB sub-block in the middle. Extent 3: all zero. Last: short, data.
    const e1 = Buffer.alloc(4 * MiB, 0xab);
    e1.fill(0, 128 * KiB, 192 * KiB);
    const last = Buffer.alloc(1234, 0x5c);
    await Promise.all([w.write(4 * MiB, e1), w.write(12 * MiB, Buffer.alloc(4 * MiB)), w.write(16 * MiB, last)]);
    e1.copy(expected, 4 * MiB);
    last.copy(expected, 16 * MiB);
    assert.equal(existsSync(file), false, 'only the partial file exists before finish');
    w.finish();
    assert.equal(w.stats.bytesWritten, 4 * MiB - 64 * KiB + 1234);
    const st = statSync(file);
    assert.equal(st.size, size);
    assert.deepEqual(readFileSync(file), expected);
    // Allocated blocks cover what was written, not the 16 MiB of zeros (filesystem permitting).
    assert.ok(st.blocks * 512 < 6 * MiB, `allocated ${st.blocks * 512} bytes`);
  }));

  it('writes any pattern of zero and non-zero runs exactly (property)', () => withDir(async (dir) => {
    let n = 0;
    await fc.assert(fc.asyncProperty(
      fc.array(fc.record({ len: fc.integer({ min: 1, max: 40 }), zero: fc.boolean() }), { minLength: 1, maxLength: 12 }),
      async (runs) => {
        const granule = 16;
        const data = Buffer.concat(runs.map((r, i) => Buffer.alloc(r.len, r.zero ? 0 : (i % 250) + 1)));
        const file = join(dir, `p${n++}.img`);
        const w = new SparseWriter(file, data.length + 7, granule);
        await w.write(7, data);
        w.finish();
        const back = readFileSync(file);
        assert.deepEqual(back.subarray(7), data);
        assert.ok(back.subarray(0, 7).every((b) => b === 0));
      }), { numRuns: 100 });
  }));

  it('refuses writes outside the image and removes the partial file on abort', () => withDir(async (dir) => {
    const file = join(dir, 'x.img');
    const w = new SparseWriter(file, 100);
    await assert.rejects(w.write(90, Buffer.alloc(20, 1)), RangeError);
    w.abort();
    assert.equal(existsSync(`${file}.partial`), false);
    assert.equal(existsSync(file), false);
  }));

  it('does not replace a file that appeared under the final name meanwhile, unless told to', () => withDir(async (dir) => {
    const file = join(dir, 'late.img');
    const w = new SparseWriter(file, 10);
    await w.write(0, Buffer.alloc(10, 7));
    writeFileSync(file, 'someone else');
    assert.throws(() => w.finish(), /late\.img already exists/);
    w.abort();
    assert.equal(readFileSync(file, 'utf8'), 'someone else');
    assert.equal(existsSync(`${file}.partial`), false);
    const forced = new SparseWriter(file, 10, undefined, { replace: true });
    await forced.write(0, Buffer.alloc(10, 7));
    forced.finish();
    assert.deepEqual(readFileSync(file), Buffer.alloc(10, 7));
  }));

  it('never writes through a symlink at the partial file name', () => withDir(async (dir) => {
    const file = join(dir, 'v.img');
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'precious');
    symlinkSync(victim, `${file}.partial`);
    const w = new SparseWriter(file, 10);
    await w.write(0, Buffer.alloc(10, 1));
    w.finish();
    assert.equal(readFileSync(victim, 'utf8'), 'precious');
    assert.deepEqual(readFileSync(file), Buffer.alloc(10, 1));
  }));
});
