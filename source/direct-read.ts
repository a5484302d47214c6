/**
 * Reading a block device as it is on the device: O_DIRECT, past the kernel's block-device page
 * cache (a mounted file system writes file data past that cache, so pages a buffered reader
 * left there go stale; see volume.ts).
 *
 * O_DIRECT wants the device offset, the length and the memory aligned. Node's Buffers are not
 * page aligned (measured with Node 22: a 1 MiB or larger ArrayBuffer starts 16 bytes past a page
 * boundary; smaller ones anywhere on 16 bytes), and transferable frames cannot be made aligned.
 * So each thread reads into one scratch on whole pages — the memory of a WebAssembly.Memory,
 * which V8 maps page by page — in spans aligned to `align` (the last one clipped at the device's
 * end, whose size is a multiple of its logical block size), and copies the wanted bytes out.
 * The copy costs a memcpy per extent; the device read it replaces is far slower.
 */
import { readSync } from 'node:fs';

export const SCRATCH_BYTES = 1024 * 1024;

/** pread(2) as Node's readSync does it; a seam for tests. */
export type PositionalRead = (fd: number, into: Buffer, at: number, length: number, position: number) => number;

interface WasmMemory { readonly buffer: ArrayBuffer }
type WasmGlobal = { WebAssembly?: { Memory: new (d: { initial: number; maximum: number }) => WasmMemory } };

let scratch: Buffer | undefined;

/**
 * This thread's page-aligned scratch (of at least `bytes`, a multiple of 64 KiB). Where
 * WebAssembly is disabled (--jitless) it is a plain ArrayBuffer: the first read through it
 * (Volume.open's check) then shows whether the device accepts it.
 */
export function directScratch(bytes = SCRATCH_BYTES): Buffer {
  if (scratch && scratch.length >= bytes) return scratch;
  const wasm = (globalThis as WasmGlobal).WebAssembly;
  const pages = Math.ceil(bytes / 65536);
  scratch = wasm ? Buffer.from(new wasm.Memory({ initial: pages, maximum: pages }).buffer) : Buffer.from(new ArrayBuffer(pages * 65536));
  return scratch;
}

export interface DirectSource {
  readonly fd: number;
  readonly path: string;
  /** The device's size: reads stop there (it is a multiple of the logical block size). */
  readonly sizeBytes: number;
  /** Offsets and lengths are multiples of this (≥ the logical block size, divides the scratch). */
  readonly align: number;
}

/** Fills `buf[0, length)` from `position`, failing at the device's end. */
function fill(src: DirectSource, buf: Buffer, length: number, position: number, read: PositionalRead): void {
  let got = 0;
  while (got < length) {
    const n = read(src.fd, buf, got, length - got, position + got);
    if (n === 0) throw new Error(`${src.path} ended at byte ${position + got}, expected ${src.sizeBytes} bytes`);
    got += n;
  }
}

/** Reads exactly `length` bytes at `offset` into `into[0, length)` through aligned O_DIRECT spans. */
export function readDirect(src: DirectSource, into: Buffer, length: number, offset: number, read: PositionalRead = readSync, buf: Buffer = directScratch(Math.max(SCRATCH_BYTES, src.align))): void {
  if (offset < 0 || length < 0 || offset + length > src.sizeBytes) {
    throw new Error(`${src.path} ended at byte ${src.sizeBytes}, asked for bytes ${offset}..${offset + length}`);
  }
  const window = buf.length - (buf.length % src.align);
  const end = offset + length;
  const alignedEnd = Math.min(Math.ceil(end / src.align) * src.align, src.sizeBytes);
  let done = 0;
  while (done < length) {
    const pos = offset + done;
    const start = pos - (pos % src.align);
    const stop = Math.min(alignedEnd, start + window);
    fill(src, buf, stop - start, start, read);
    const take = Math.min(stop, end) - pos;
    buf.copy(into, done, pos - start, pos - start + take);
    done += take;
  }
}

/** Checks that O_DIRECT reads work on this device with this thread's scratch (EINVAL if not). */
export function checkDirect(src: DirectSource, read: PositionalRead = readSync): void {
  const buf = directScratch(Math.max(SCRATCH_BYTES, src.align));
  const length = Math.min(128 * 1024, src.sizeBytes);
  if (length > 0) fill(src, buf, length, 0, read);
}
