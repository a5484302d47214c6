/**
 * BlobStore on the local file system (DESIGN §2): one file per key under rootDir.
 *
 * put() writes a temp file beside the target, fsyncs it, then hard-links it to the
 * final name: link() never replaces an existing file, so create-once holds across
 * processes, and a reader sees the whole object or none. The directory is fsynced
 * after the link. Files are 0600, directories 0700.
 *
 * Temp names contain '~', which no valid key segment contains, so they never collide
 * with a key and list() never yields them. Limitation: a key cannot also be a prefix
 * "directory" of another key ('a' and 'a/b'); the second put throws BlobConflictError.
 * getRange keeps read handles open (file-handle-cache.ts): a file deleted behind the store's
 * back, not through delete(), may still be read by this process until its handle is evicted.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { link, mkdir, open, opendir, readdir, readFile, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { assertSha256, InvalidIdError } from '../../ids.js';
import { assertByteRange, assertListPage, isValidBlobKey, isValidBlobPrefix, type BlobListing, type BlobListPage, type BlobStore } from '../../ports/blob-store.js';
import { BlobConflictError, NotFoundError, PortError } from '../../ports/errors.js';
import { FileHandleCache } from './file-handle-cache.js';

const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

export class FileBlobStore implements BlobStore {
  readonly #root: string;
  /** Objects are immutable once created (a delete evicts the handle), so open handles are reused by getRange. */
  readonly #handles = new FileHandleCache();

  constructor(rootDir: string) {
    this.#root = resolve(rootDir);
  }

  async put(key: string, bytes: Uint8Array, options?: { sha256?: string; contentType?: string }): Promise<{ created: boolean }> {
    const file = this.#path(key);
    if (options?.sha256 !== undefined) {
      const expected = assertSha256(options.sha256);
      const actual = createHash('sha256').update(bytes).digest('hex');
      if (actual !== expected) throw new PortError(`blob ${key}: sha256 mismatch (expected ${expected}, got ${actual})`);
    }
    const existing = await this.#compareExisting(key, file, bytes);
    if (existing !== undefined) return existing;

    const dir = dirname(file);
    const firstCreated = await mkdir(dir, { recursive: true, mode: DIR_MODE }).catch((err: unknown) => {
      if (hasCode(err, 'EEXIST', 'ENOTDIR')) throw new BlobConflictError(`blob ${key}: a parent of the key is itself an object`, { cause: err });
      throw err;
    });
    const tmp = `${file}~tmp-${randomBytes(8).toString('hex')}`;
    const fh = await open(tmp, 'wx', FILE_MODE);
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    let created = true;
    try {
      await link(tmp, file);
    } catch (err) {
      if (!hasCode(err, 'EEXIST')) throw err;
      created = false; // someone else created it meanwhile: same bytes is fine, other bytes a conflict
    } finally {
      await unlink(tmp);
    }
    await fsyncDirs(dir, firstCreated === undefined ? dir : dirname(firstCreated));
    if (!created) {
      const again = await this.#compareExisting(key, file, bytes);
      if (again === undefined) throw new PortError(`blob ${key}: vanished during put`);
      return again;
    }
    return { created: true };
  }

  async get(key: string): Promise<Buffer> {
    const file = this.#path(key);
    try {
      return await readFile(file);
    } catch (err) {
      if (hasCode(err, 'ENOENT', 'ENOTDIR', 'EISDIR')) throw new NotFoundError(`blob ${key} not found`, { cause: err });
      throw err;
    }
  }

  /** Positional reads of just the range into one buffer, on a cached open handle (file-handle-cache.ts). */
  async getRange(key: string, offset: number, length: number): Promise<Buffer> {
    const file = this.#path(key);
    assertByteRange(offset, length);
    if (length === 0) return Buffer.alloc(0);
    try {
      return await this.#handles.use(file, async (fh, fileSize) => {
        const size = Math.max(0, Math.min(length, fileSize - offset));
        const buffer = Buffer.allocUnsafe(size);
        let filled = 0;
        while (filled < size) {
          const { bytesRead } = await fh.read(buffer, filled, size - filled, offset + filled);
          if (bytesRead === 0) break;
          filled += bytesRead;
        }
        return filled === size ? buffer : buffer.subarray(0, filled);
      });
    } catch (err) {
      if (hasCode(err, 'ENOENT', 'ENOTDIR', 'EISDIR')) throw new NotFoundError(`blob ${key} not found`, { cause: err });
      throw err;
    }
  }

  async head(key: string): Promise<{ size: number } | undefined> {
    const file = this.#path(key);
    try {
      const s = await stat(file);
      return s.isFile() ? { size: s.size } : undefined;
    } catch (err) {
      if (hasCode(err, 'ENOENT', 'ENOTDIR')) return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    const file = this.#path(key);
    await this.#handles.evict(file);
    try {
      await unlink(file);
    } catch (err) {
      if (hasCode(err, 'ENOENT', 'ENOTDIR', 'EISDIR', 'EPERM')) return;
      throw err;
    }
    await fsyncDirs(dirname(file), dirname(file));
  }

  async *list(prefix: string): AsyncIterable<string> {
    if (!isValidBlobPrefix(prefix)) throw new InvalidIdError('blob prefix', prefix);
    const slash = prefix.lastIndexOf('/');
    const dirKey = slash < 0 ? '' : prefix.slice(0, slash);
    const partial = prefix.slice(slash + 1);
    yield* this.#walk(dirKey, partial);
  }

  /** The walk of list(), from the first key after `after`: subtrees wholly before it are not read. */
  async listPage(prefix: string, options: { after?: string; limit: number }): Promise<BlobListPage> {
    assertListPage(prefix, options);
    const slash = prefix.lastIndexOf('/');
    const keys: string[] = [];
    let more = false;
    const need = () => options.limit + 1 - keys.length;
    for await (const key of this.#walkPage(slash < 0 ? '' : prefix.slice(0, slash), prefix.slice(slash + 1), options.after, need)) {
      if (keys.length === options.limit) { more = true; break; }
      keys.push(key);
    }
    const stats = await Promise.all(keys.map(async (key) => {
      try {
        return await stat(this.#path(key));
      } catch (err) {
        if (hasCode(err, 'ENOENT')) return undefined; // deleted since the directory was read
        throw err;
      }
    }));
    const objects: BlobListing[] = [];
    stats.forEach((s, i) => { if (s) objects.push({ key: keys[i] as string, size: s.size, modifiedMs: Math.floor(s.mtimeMs) }); });
    return { objects, next: more ? keys.at(-1) : undefined };
  }

  /**
   * The keys of #walk after `after`, for a page of at most `need()` more keys: each directory is
   * read streaming (opendir) and only its `need()` smallest children wanted are kept (a bounded
   * heap), read again from the last one when the page wants more — memory O(page), not O(directory),
   * however many packs a tenant's flat packs/ directory holds.
   */
  async *#walkPage(dirKey: string, partial: string, after: string | undefined, need: () => number): AsyncGenerator<string> {
    const keyOf = (name: string) => (dirKey === '' ? name : `${dirKey}/${name}`);
    const wanted = (name: string, dir: boolean) => after === undefined || (dir ? `${keyOf(name)}/` > after || after.startsWith(`${keyOf(name)}/`) : keyOf(name) > after);
    let past: string | undefined; // the sort key of the last child done
    for (;;) {
      const n = need();
      if (n <= 0) return;
      const heap: { name: string; dir: boolean; sortKey: string }[] = []; // max-heap by sortKey, at most n
      const bigger = (a: { sortKey: string }, b: { sortKey: string }) => a.sortKey > b.sortKey;
      let dir;
      try {
        dir = await opendir(dirKey === '' ? this.#root : join(this.#root, ...dirKey.split('/')), { bufferSize: 256 });
      } catch (err) {
        if (hasCode(err, 'ENOENT', 'ENOTDIR')) return;
        throw err;
      }
      for await (const e of dir) {
        if (!(e.isFile() || e.isDirectory()) || !e.name.startsWith(partial) || !isValidBlobKey(e.name) || !wanted(e.name, e.isDirectory())) continue;
        const sortKey = e.isDirectory() ? `${e.name}/` : e.name;
        if (past !== undefined && sortKey <= past) continue;
        if (heap.length === n && !bigger(heap[0] as { sortKey: string }, { sortKey })) continue;
        const item = { name: e.name, dir: e.isDirectory(), sortKey };
        if (heap.length === n) heap[0] = item; else heap.push(item);
        // Restore the max-heap: sift the changed slot up (push) or down (replace).
        let i = heap.length === n && heap[0] === item ? 0 : heap.length - 1;
        if (i > 0) {
          while (i > 0) { const up = (i - 1) >> 1; if (!bigger(heap[i] as typeof item, heap[up] as typeof item)) break; [heap[i], heap[up]] = [heap[up] as typeof item, heap[i] as typeof item]; i = up; }
        } else {
          for (;;) {
            const l = 2 * i + 1; const r = l + 1; let m = i;
            if (l < heap.length && bigger(heap[l] as typeof item, heap[m] as typeof item)) m = l;
            if (r < heap.length && bigger(heap[r] as typeof item, heap[m] as typeof item)) m = r;
            if (m === i) break;
            [heap[i], heap[m]] = [heap[m] as typeof item, heap[i] as typeof item];
            i = m;
          }
        }
      }
      if (heap.length === 0) return;
      const picked = heap.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
      for (const child of picked) {
        if (child.dir) yield* this.#walkPage(keyOf(child.name), '', after, need);
        else yield keyOf(child.name);
        past = child.sortKey;
        if (need() <= 0) return;
      }
      if (picked.length < n) return; // the directory had no more
    }
  }

  /**
   * Depth-first, siblings sorted with a directory compared as `name/`: every key below
   * `name/` sorts exactly there among its siblings' keys, so the output is lexicographic.
   * With `after`, only keys greater than it (a directory wholly before it is skipped unread).
   */
  async *#walk(dirKey: string, partial: string, after?: string): AsyncGenerator<string> {
    let entries: Dirent[];
    try {
      entries = await readdir(dirKey === '' ? this.#root : join(this.#root, ...dirKey.split('/')), { withFileTypes: true });
    } catch (err) {
      if (hasCode(err, 'ENOENT', 'ENOTDIR')) return;
      throw err;
    }
    const keyOf = (name: string) => (dirKey === '' ? name : `${dirKey}/${name}`);
    // Entries wholly before `after` are dropped before the sort (a page of a big directory sorts only what follows).
    const wanted = (name: string, dir: boolean) => after === undefined || (dir ? `${keyOf(name)}/` > after || after.startsWith(`${keyOf(name)}/`) : keyOf(name) > after);
    const children = entries
      .filter((e) => (e.isFile() || e.isDirectory()) && e.name.startsWith(partial) && isValidBlobKey(e.name) && wanted(e.name, e.isDirectory()))
      .map((e) => ({ name: e.name, dir: e.isDirectory(), sortKey: e.isDirectory() ? `${e.name}/` : e.name }))
      .sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
    for (const child of children) {
      const key = keyOf(child.name);
      if (child.dir) yield* this.#walk(key, '', after);
      else yield key;
    }
  }

  #path(key: string): string {
    if (!isValidBlobKey(key)) throw new InvalidIdError('blob key', key);
    return join(this.#root, ...key.split('/'));
  }

  /** created:false if the same bytes are stored, BlobConflictError if others are, undefined if none. */
  async #compareExisting(key: string, file: string, bytes: Uint8Array): Promise<{ created: false } | undefined> {
    let stored: Buffer;
    try {
      stored = await readFile(file);
    } catch (err) {
      if (hasCode(err, 'ENOENT')) return undefined;
      if (hasCode(err, 'EISDIR', 'ENOTDIR')) throw new BlobConflictError(`blob ${key}: clashes with a key prefix`, { cause: err });
      throw err;
    }
    if (!stored.equals(bytes)) throw new BlobConflictError(`blob ${key} already exists with different bytes`);
    return { created: false };
  }
}

/** fsyncs `dir` and each of its ancestors up to and including `upTo` (new directory entries). */
async function fsyncDirs(dir: string, upTo: string): Promise<void> {
  let current = dir;
  for (;;) {
    const fh = await open(current, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (current === upTo || dirname(current) === current) return;
    current = dirname(current);
  }
}

function hasCode(err: unknown, ...codes: string[]): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && codes.includes(String((err as { code: unknown }).code));
}
