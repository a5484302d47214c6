/**
 * Writes a seed's files onto its media (issue 12; the format is shared/format/seed.ts): the
 * uploader's target when the RP goes to disk instead of the network. Each pack the uploader
 * hands over — the very packs `drcore source replicate` would PUT — is encrypted into the next
 * seed file; a medium is full at `maxSize` (its label and the seed manifest included), then the
 * next medium folder starts. A file is written to a temporary name, fsynced, recorded in the
 * journal, then renamed: after a crash the journal names exactly the complete files, and a resume
 * writes only the chunks they do not hold.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { decodePack } from '../shared/format/pack.js';
import {
  fileListSha256, MEDIUM_FILE, mediumName, SEED_FILE_OVERHEAD, SEED_FORMAT, SEED_MANIFEST_FILE, sealSeedFile, seedFileName,
  type MediumLabel, type SeedFile, type SeedManifest,
} from '../shared/format/seed.js';
import { appendJournal, readJournal, type JournalEntry } from './seed-state.js';

/** Room kept free on every medium for its label and the seed manifest. */
export const MEDIUM_RESERVE_BYTES = 256 * 1024;
/** Bytes of a file's line in its medium label, at most. */
const LABEL_BYTES_PER_FILE = 256;
export const MIN_MEDIUM_BYTES = 10_000_000;

export interface SeedWriterOptions {
  readonly out: string;
  readonly seedId: string;
  readonly mediumSetId: string;
  readonly maxSize: number;
  readonly dataKey: Buffer;
  readonly journal: string;
  readonly rpId: string;
}

function writeDurably(path: string, bytes: Uint8Array): void {
  const fd = openSync(path, 'w', 0o600);
  try {
    let at = 0;
    while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
  } finally { closeSync(fd); }
}

export class SeedWriter {
  private readonly files: JournalEntry[] = [];
  private readonly written = new Set<string>();
  private medium = 1;
  private used = 0;
  private next = 1;
  bytesWritten = 0;

  constructor(private readonly o: SeedWriterOptions) {
    if (o.maxSize < MIN_MEDIUM_BYTES) throw new Error(`--max-size must be at least ${MIN_MEDIUM_BYTES} bytes (10M)`);
    mkdirSync(o.out, { recursive: true, mode: 0o700 });
    // A resume: the files the journal names and that are there whole.
    for (const e of readJournal(o.journal)) {
      const path = join(o.out, e.path);
      if (!existsSync(path) || statSync(path).size !== e.size) continue;
      this.files.push(e);
      for (const c of e.chunks) this.written.add(c);
    }
    for (const e of this.files) {
      const n = Number(e.path.split('/')[1]?.slice(0, -'.dseed'.length));
      this.next = Math.max(this.next, n + 1);
      if (e.medium > this.medium) { this.medium = e.medium; this.used = 0; }
      if (e.medium === this.medium) this.used += e.size + LABEL_BYTES_PER_FILE;
    }
  }

  /** Files already written (a resume). */
  get resumedFiles(): number { return this.files.length; }

  /** The chunks among `ids` not in a seed file yet. */
  missing(ids: readonly string[]): string[] {
    return ids.filter((id) => !this.written.has(id));
  }

  /** Encrypts the pack into the next seed file, on the current medium or the next one. */
  putPack(_packId: string, pack: Buffer): void {
    const size = pack.length + SEED_FILE_OVERHEAD;
    if (this.used > 0 && this.used + size + LABEL_BYTES_PER_FILE > this.o.maxSize - MEDIUM_RESERVE_BYTES) { this.medium++; this.used = 0; }
    const folder = mediumName(this.medium);
    mkdirSync(join(this.o.out, folder), { recursive: true, mode: 0o700 });
    const path = `${folder}/${seedFileName(this.next++)}`;
    const sealed = sealSeedFile(pack, this.o.dataKey, { seedId: this.o.seedId, mediumSetId: this.o.mediumSetId, path });
    const tmp = join(this.o.out, `${path}.tmp`);
    writeDurably(tmp, sealed);
    const entry: JournalEntry = {
      path, medium: this.medium, rpId: this.o.rpId, size: sealed.length, sha256: createHash('sha256').update(sealed).digest('hex'),
      chunks: decodePack(pack).map((e) => e.id),
    };
    appendJournal(this.o.journal, entry);
    renameSync(tmp, join(this.o.out, path));
    this.files.push(entry);
    for (const c of entry.chunks) this.written.add(c);
    this.used += sealed.length + LABEL_BYTES_PER_FILE;
    this.bytesWritten += sealed.length;
  }

  /** The media: their labels (every file with its size and SHA-256) and the manifest's entries for them. */
  finishMedia(): { media: SeedManifest['media']; labels: MediumLabel[]; files: number; bytes: number } {
    const count = Math.max(1, ...this.files.map((f) => f.medium));
    const media: SeedManifest['media'][number][] = [];
    const labels: MediumLabel[] = [];
    for (let medium = 1; medium <= count; medium++) {
      const files: SeedFile[] = this.files.filter((f) => f.medium === medium).map(({ chunks: _c, ...f }) => f);
      media.push({ medium, name: mediumName(medium), files: files.length, bytes: files.reduce((n, f) => n + f.size, 0), listSha256: fileListSha256(files) });
      labels.push({ format: SEED_FORMAT, seedId: this.o.seedId, mediumSetId: this.o.mediumSetId, medium, of: count, files });
    }
    return { media, labels, files: this.files.length, bytes: media.reduce((n, m) => n + m.bytes, 0) };
  }

  /** Writes every medium's label and the signed seed manifest on every medium (last: a medium without seed.json is incomplete). */
  writeLabels(labels: readonly MediumLabel[], manifest: SeedManifest): void {
    const text = `${JSON.stringify(manifest, null, 2)}\n`;
    for (const label of labels) {
      const dir = join(this.o.out, mediumName(label.medium));
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeDurably(join(dir, `.${MEDIUM_FILE}.tmp`), Buffer.from(`${JSON.stringify(label)}\n`));
      renameSync(join(dir, `.${MEDIUM_FILE}.tmp`), join(dir, MEDIUM_FILE));
      writeFileSync(join(dir, `.${SEED_MANIFEST_FILE}.tmp`), text, { mode: 0o600 });
      renameSync(join(dir, `.${SEED_MANIFEST_FILE}.tmp`), join(dir, SEED_MANIFEST_FILE));
    }
  }
}
