/**
 * A cheap test for data zstd cannot shrink (encrypted, already compressed, random): the byte
 * entropy of four 4 KiB samples spread over the buffer. When every sample is above
 * INCOMPRESSIBLE_BITS bits per byte the extent is stored raw without trying zstd at all;
 * otherwise the format's codec decides (it samples with zstd itself, and keeps compression
 * only when it saves ≥ 3 %). An estimate from 4,096 bytes of uniform data is ~7.95 bits.
 */
const SAMPLES = 4;
const SAMPLE_BYTES = 4096;
export const INCOMPRESSIBLE_BITS = 7.8;

const counts = new Uint32Array(256);

function entropy(b: Uint8Array, start: number, end: number): number {
  counts.fill(0);
  for (let i = start; i < end; i++) counts[b[i]!]!++;
  const n = end - start;
  let bits = 0;
  for (let v = 0; v < 256; v++) {
    const c = counts[v]!;
    if (c !== 0) {
      const p = c / n;
      bits -= p * Math.log2(p);
    }
  }
  return bits;
}

/** True when the bytes look incompressible (every sample's entropy ≥ INCOMPRESSIBLE_BITS). */
export function looksIncompressible(bytes: Uint8Array): boolean {
  if (bytes.length < SAMPLES * SAMPLE_BYTES) return false;
  const stride = Math.floor(bytes.length / SAMPLES);
  for (let k = 0; k < SAMPLES; k++) {
    const start = k * stride;
    if (entropy(bytes, start, start + SAMPLE_BYTES) < INCOMPRESSIBLE_BITS) return false;
  }
  return true;
}
