/**
 * Files for the block-device test: a seeded tree of text files and one large binary file, and
 * the changes a user makes between two recovery points. Returns the bytes each step wrote.
 * (Not a test file: no .test.ts suffix.)
 */
import { appendFileSync, closeSync, mkdirSync, openSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const KiB = 1024;
const MiB = 1024 * KiB;
const WORDS = 'extent chunk pack replica tenant machine volume recovery point signature manifest incremental base zero delta full restore verify quota seed the a of to and in is on with'.split(' ');

/** mulberry32: a small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function text(r: () => number, bytes: number): Buffer {
  const parts: string[] = [];
  let n = 0;
  while (n < bytes) {
    const w = WORDS[Math.floor(r() * WORDS.length)] as string;
    const sep = r() < 0.08 ? '\n' : ' ';
    parts.push(w, sep);
    n += w.length + 1;
  }
  return Buffer.from(parts.join('')).subarray(0, bytes);
}

function binary(r: () => number, bytes: number): Buffer {
  const b = Buffer.allocUnsafe(bytes);
  for (let i = 0; i < bytes; i += 4) b.writeUInt32LE(Math.floor(r() * 4294967296), i);
  return b;
}

export const BIG_FILE = 'big.bin';
const DIRS = 20;
const FILES_PER_DIR = 20;

/** 400 text files of 1–48 KiB in 20 directories, plus a 32 MiB binary file. */
export function writeTree(root: string, seed = 1): number {
  const r = random(seed);
  let bytes = 0;
  for (let d = 0; d < DIRS; d++) {
    const dir = join(root, `dir-${String(d).padStart(2, '0')}`);
    mkdirSync(dir);
    for (let f = 0; f < FILES_PER_DIR; f++) {
      const body = text(r, KiB + Math.floor(r() * 47 * KiB));
      writeFileSync(join(dir, `file-${f}.txt`), body);
      bytes += body.length;
    }
  }
  const fd = openSync(join(root, BIG_FILE), 'w');
  try {
    for (let i = 0; i < 32; i++) bytes += writeSync(fd, binary(r, MiB));
  } finally { closeSync(fd); }
  return bytes;
}

export interface TreeChanges { added: number; appended: number; overwritten: number; deletedDir: string; bytes: number }

/** Adds 300 files, appends to 200, deletes a directory, overwrites 256 KiB inside the big file. */
export function changeTree(root: string, seed = 2): TreeChanges {
  const r = random(seed);
  const deletedDir = 'dir-07';
  rmSync(join(root, deletedDir), { recursive: true });
  let added = 0;
  mkdirSync(join(root, 'added'));
  for (let f = 0; f < 300; f++) {
    const body = text(r, KiB + Math.floor(r() * 31 * KiB));
    writeFileSync(join(root, 'added', `new-${f}.txt`), body);
    added += body.length;
  }
  let appended = 0;
  const existing = readdirSync(root).filter((d) => d.startsWith('dir-')).flatMap((d) => readdirSync(join(root, d)).map((f) => join(root, d, f)));
  for (const file of existing.slice(0, 200)) {
    const body = text(r, 2 * KiB + Math.floor(r() * 6 * KiB));
    appendFileSync(file, body);
    appended += body.length;
  }
  const overwritten = 256 * KiB;
  const fd = openSync(join(root, BIG_FILE), 'r+');
  try { writeSync(fd, binary(r, overwritten), 0, overwritten, 9 * MiB + 12 * KiB); } finally { closeSync(fd); }
  return { added, appended, overwritten, deletedDir, bytes: added + appended + overwritten };
}
