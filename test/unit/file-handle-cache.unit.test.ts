import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FileHandleCache } from '../../shared/adapters/local/file-handle-cache.js';

describe('FileHandleCache (FileBlobStore.getRange)', () => {
  it('reuses one handle per file, closes evicted ones once unused, and reopens after evict', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drcore-fh-'));
    try {
      const files = [0, 1, 2].map((i) => { const f = join(dir, `f${i}`); writeFileSync(f, Buffer.alloc(10 + i, i)); return f; });
      const cache = new FileHandleCache(2);
      const seen: unknown[] = [];
      await cache.use(files[0]!, async (fh, size) => { seen.push(fh); assert.equal(size, 10); });
      await cache.use(files[0]!, async (fh) => { seen.push(fh); });
      assert.equal(seen[0], seen[1], 'the same handle twice');
      // A read in progress keeps its handle usable while newer files push it out of the cache.
      await cache.use(files[0]!, async (fh) => {
        await cache.use(files[1]!, async () => {});
        await cache.use(files[2]!, async () => {});
        const b = Buffer.alloc(10);
        await fh.read(b, 0, 10, 0);
        assert.ok(b.equals(Buffer.alloc(10, 0)));
      });
      let reopened: unknown;
      await cache.use(files[0]!, async (fh) => { reopened = fh; });
      assert.notEqual(reopened, seen[0], 'evicted, then opened again');
      await cache.evict(files[0]!);
      await assert.rejects(cache.use(join(dir, 'absent'), async () => {}), /ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
