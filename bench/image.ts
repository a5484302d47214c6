/**
 * The benchmark's synthetic disk image: deterministic (AES-CTR keystream from a fixed seed),
 * written in 4 MiB steps (bounded memory). Every 64 MiB stripe holds 40 MiB of incompressible
 * data, 12 MiB of zeros and 12 MiB of compressible text-like bytes (16-letter alphabet with
 * spaces: zstd halves it) that differ everywhere, so neither compression nor deduplication
 * gets anything for free.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';

const MiB = 1024 * 1024;
const STRIPE = 64 * MiB;
const RANDOM_END = 40 * MiB;
const ZERO_END = 52 * MiB;
const STEP = 4 * MiB;

/** A deterministic keystream: `bytes` pseudo-random bytes for (seed, label). */
export function keystream(seed: string, label: string, bytes: number): Buffer {
  const key = createHash('sha256').update(`${seed}/${label}`).digest();
  const c = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return Buffer.concat([c.update(Buffer.alloc(bytes)), c.final()]);
}

const ALPHABET = Buffer.from('etaoinshrdlucmf ', 'latin1');

function textLike(random: Buffer): Buffer {
  const out = Buffer.allocUnsafe(random.length);
  for (let i = 0; i < random.length; i++) out[i] = ALPHABET[random[i]! & 15]!;
  return out;
}

export interface ImageLayout { random: number; zero: number; compressible: number }

/** Writes the image and returns how many bytes of each kind it holds. */
export function writeImage(file: string, size: number, seed = 'drcore-bench'): ImageLayout {
  const fd = openSync(file, 'w');
  const layout: ImageLayout = { random: 0, zero: 0, compressible: 0 };
  try {
    for (let at = 0; at < size; at += STEP) {
      const len = Math.min(STEP, size - at);
      const inStripe = at % STRIPE;
      if (inStripe >= RANDOM_END && inStripe < ZERO_END) { layout.zero += len; continue; }
      const r = keystream(seed, `step-${at}`, len);
      const data = inStripe < RANDOM_END ? r : textLike(r);
      if (inStripe < RANDOM_END) layout.random += len;
      else layout.compressible += len;
      writeSync(fd, data, 0, len, at);
    }
    ftruncateSync(fd, size); // exactly `size` bytes even when it ends in zeros (a hole)
  } finally { closeSync(fd); }
  return layout;
}

/** A small deterministic PRNG (xorshift32) for choosing blocks. */
export function prng(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x / 0x100000000; };
}

/**
 * Overwrites `fraction` of the image's `blockSize` blocks, chosen at random without
 * repetition, with fresh incompressible bytes. Returns the number of bytes changed.
 */
export function mutateBlocks(file: string, size: number, blockSize: number, fraction: number, seed: number): { blocks: number; bytes: number } {
  const total = Math.floor(size / blockSize);
  const want = Math.max(1, Math.round(total * fraction));
  const rnd = prng(seed);
  const chosen = new Set<number>();
  while (chosen.size < want) chosen.add(Math.floor(rnd() * total));
  const fd = openSync(file, 'r+');
  try {
    const data = keystream('drcore-bench-mutation', String(seed), want * blockSize);
    let k = 0;
    for (const block of [...chosen].sort((a, b) => a - b)) {
      writeSync(fd, data, k * blockSize, blockSize, block * blockSize);
      k++;
    }
  } finally { closeSync(fd); }
  return { blocks: want, bytes: want * blockSize };
}
