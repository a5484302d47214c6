/**
 * Open read handles of immutable files, kept for reuse (FileBlobStore.getRange): a restore reads
 * many ranges of the same packs, and an open + fstat + close per range cost more CPU than the
 * read itself (profile of the bench's restore: 1.2 ms per range, 60 % of the server's file time).
 *
 * A handle is shared by concurrent reads and closed only once it is both evicted (least recently
 * used past `capacity`, or `evict`ed because its file is deleted) and no read holds it.
 */
import { open, type FileHandle } from 'node:fs/promises';

interface Entry { readonly opened: Promise<{ fh: FileHandle; size: number }>; users: number; evicted: boolean }

export class FileHandleCache {
  readonly #entries = new Map<string, Entry>();

  constructor(private readonly capacity = 64) {}

  /** Runs `fn` with an open handle of `file` and its size; open errors pass through (nothing is cached). */
  async use<T>(file: string, fn: (fh: FileHandle, size: number) => Promise<T>): Promise<T> {
    let entry = this.#entries.get(file);
    if (entry) {
      this.#entries.delete(file); // most recently used last
      this.#entries.set(file, entry);
    } else {
      const opened = open(file, 'r').then(async (fh) => {
        try {
          const s = await fh.stat();
          if (!s.isFile()) throw Object.assign(new Error(`${file} is not a file`), { code: 'EISDIR' });
          return { fh, size: s.size };
        } catch (err) {
          await fh.close();
          throw err;
        }
      });
      entry = { opened, users: 0, evicted: false };
      this.#entries.set(file, entry);
      opened.catch(() => { if (this.#entries.get(file) === entry) this.#entries.delete(file); });
      this.#trim();
    }
    entry.users++;
    try {
      const { fh, size } = await entry.opened;
      return await fn(fh, size);
    } finally {
      entry.users--;
      if (entry.evicted && entry.users === 0) await this.#close(entry);
    }
  }

  /** Forgets `file` (deleted or replaced): its handle closes once no read holds it. */
  async evict(file: string): Promise<void> {
    const entry = this.#entries.get(file);
    if (!entry) return;
    this.#entries.delete(file);
    entry.evicted = true;
    if (entry.users === 0) await this.#close(entry);
  }

  #trim(): void {
    for (const [file, entry] of this.#entries) {
      if (this.#entries.size <= this.capacity) break;
      this.#entries.delete(file);
      entry.evicted = true;
      if (entry.users === 0) void this.#close(entry);
    }
  }

  async #close(entry: Entry): Promise<void> {
    try {
      await (await entry.opened).fh.close();
    } catch {
      // never opened, or already closed: nothing held
    }
  }
}
