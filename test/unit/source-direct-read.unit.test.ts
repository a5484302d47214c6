/**
 * The O_DIRECT read helper (direct-read.ts) against a fake device that refuses what the kernel
 * refuses (EINVAL): a position or a length off the alignment, except a last span that ends
 * exactly at the device's end, whose size is a multiple of its logical block size. The real
 * device is in test/e2e/blockdev.e2e.test.ts. Disk images keep the buffered path (volume.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { directScratch, readDirect, SCRATCH_BYTES, type DirectSource, type PositionalRead } from '../../source/direct-read.js';
import { Volume } from '../../source/volume.js';

const MiB = 1024 * 1024;
const EXTENT = 4 * MiB;

function pattern(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i += 4) b.writeUInt32LE((i * 2654435761) >>> 0, i);
  return b;
}

/** A device of `bytes` with logical block size `lbs`; `maxPerCall` mimics short reads. */
function fakeDevice(bytes: number, lbs: number, maxPerCall = Infinity) {
  const data = pattern(bytes);
  const calls: { position: number; length: number; at: number }[] = [];
  const read: PositionalRead = (_fd, into, at, length, position) => {
    calls.push({ position, length, at });
    const einval = position % lbs !== 0 || at % lbs !== 0 || (length % lbs !== 0 && position + length !== bytes);
    if (einval) throw Object.assign(new Error(`EINVAL: read ${length} at ${position} into +${at}`), { code: 'EINVAL' });
    if (position >= bytes) return 0;
    const n = Math.min(length, bytes - position, maxPerCall);
    return data.copy(into, at, position, position + n);
  };
  return { data, calls, read, src: (align: number): DirectSource => ({ fd: -1, path: '/dev/fake', sizeBytes: bytes, align }) };
}

describe('O_DIRECT reads through an aligned scratch', () => {
  it('reads every extent of a volume whose size is a multiple of neither 4 MiB nor 4 KiB, the short tail included', () => {
    const size = 3 * EXTENT + 5 * 512;
    const dev = fakeDevice(size, 512);
    const into = Buffer.alloc(EXTENT);
    for (let offset = 0; offset < size; offset += EXTENT) {
      const length = Math.min(EXTENT, size - offset);
      readDirect(dev.src(4096), into, length, offset, dev.read);
      assert.ok(into.subarray(0, length).equals(dev.data.subarray(offset, offset + length)), `extent at ${offset}`);
    }
    assert.ok(dev.calls.every((c) => c.position % 4096 === 0 && c.at === 0 && c.length <= SCRATCH_BYTES), 'whole aligned spans into the start of the scratch');
    const last = dev.calls[dev.calls.length - 1]!;
    assert.deepEqual(last, { position: 3 * EXTENT, length: 5 * 512, at: 0 }, 'the tail is read up to the device end, no further');
  });

  it('reads any byte range exactly, with a 4 KiB logical block size and short reads from the device', () => {
    const size = 2 * EXTENT + 3 * 4096;
    const dev = fakeDevice(size, 4096, 8192);
    fc.assert(fc.property(fc.nat({ max: size - 1 }), fc.nat({ max: 3 * MiB }), (offset, want) => {
      const length = Math.min(want, size - offset);
      const into = Buffer.alloc(length);
      readDirect(dev.src(4096), into, length, offset, dev.read);
      return into.equals(dev.data.subarray(offset, offset + length));
    }), { numRuns: 200 });
  });

  it('fails plainly past the end of the device, and on a device that ends early', () => {
    const dev = fakeDevice(EXTENT, 512);
    assert.throws(() => readDirect(dev.src(4096), Buffer.alloc(8192), 8192, EXTENT - 4096, dev.read), /ended at byte 4194304/);
    const liar = { ...dev.src(4096), sizeBytes: 2 * EXTENT };
    assert.throws(() => readDirect(liar, Buffer.alloc(EXTENT), EXTENT, EXTENT, dev.read), /\/dev\/fake ended at byte 4194304, expected 8388608 bytes/);
  });

  it('keeps one scratch per thread, on whole 64 KiB pages', () => {
    const a = directScratch();
    assert.equal(a.length % 65536, 0);
    assert.ok(a.length >= SCRATCH_BYTES);
    assert.equal(directScratch(), a);
    assert.equal(a.byteOffset, 0);
  });
});

describe('disk images keep the buffered path', () => {
  it('opens a regular file buffered and refuses O_DIRECT for it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'drcore-volume-'));
    try {
      const file = join(dir, 'disk.img');
      const bytes = pattern(3 * 4096 + 100);
      writeFileSync(file, bytes);
      const v = Volume.open(file);
      try {
        assert.equal(v.readPath, 'buffered');
        assert.equal(v.sizeBytes, bytes.length);
        assert.ok(v.readAt(Buffer.alloc(200), 150, 12_000).equals(bytes.subarray(12_000, 12_150)));
      } finally { v.close(); }
      assert.throws(() => Volume.open(file, 'direct'), /not a block device/);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});
