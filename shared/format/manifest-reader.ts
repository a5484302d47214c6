/**
 * Lazy access to a stored manifest: the root chunk is decoded at once, parts are fetched (and
 * verified) only when an extent in their range is looked up, with a small cache. Memory stays
 * bounded by a few parts (≤ 2.4 MB each) whatever the volume size.
 */
import { decodeChunk } from './chunk.js';
import { fetchChunk } from './chunk-source.js';
import { ManifestFormatError } from './errors.js';
import type { Geometry } from './geometry.js';
import { decodePartPayload, decodeRootPayload } from './manifest-codec.js';
import type { ExtentEntry, GetChunk, ManifestPartRef, ManifestRoot, ManifestType, VolumeIndex } from './manifest-types.js';
import { checkPart, checkRoot } from './manifest-validate.js';

function manifestPayload(chunk: Uint8Array, what: string): Buffer {
  const decoded = decodeChunk(chunk);
  if (decoded.kind !== 'MANIFEST') throw new ManifestFormatError(`${what} is a ${decoded.kind} chunk, not a manifest`);
  return decoded.data;
}

/** Decodes and validates a manifest root chunk (no part is fetched). */
export function decodeManifestRoot(rootChunk: Uint8Array): ManifestRoot {
  return checkRoot(decodeRootPayload(manifestPayload(rootChunk, 'manifest root')));
}

/** Ids of the part chunks a root references (a manifest's chunks besides its root). */
export function manifestPartIds(rootChunk: Uint8Array | ManifestRoot): string[] {
  const root = rootChunk instanceof Uint8Array ? decodeManifestRoot(rootChunk) : rootChunk;
  return [...new Set(root.volumes.flatMap((v) => v.parts.map((p) => p.id)))];
}

/** Fetches, verifies, decodes and checks one part. */
export async function readPart(getChunk: GetChunk, ref: ManifestPartRef, type: ManifestType, volume: string, verify = true): Promise<ExtentEntry[]> {
  const entries = decodePartPayload(manifestPayload(await fetchChunk(getChunk, ref.id, verify), `manifest part ${ref.id}`));
  checkPart(entries, ref, type, volume);
  return entries;
}

export interface ManifestReaderOptions {
  /** Verify each part's SHA-256 against its id (default true). */
  readonly verify?: boolean;
  /** Parts kept decoded (default 4). */
  readonly cacheParts?: number;
}

export class ManifestReader {
  readonly type: ManifestType;
  readonly geometry: Geometry;
  readonly volumes: readonly VolumeIndex[];
  private readonly byName: Map<string, VolumeIndex>;
  private readonly cache = new Map<string, Promise<ExtentEntry[]>>();

  constructor(readonly root: ManifestRoot, private readonly getChunk: GetChunk, private readonly options: ManifestReaderOptions = {}) {
    this.type = root.type;
    this.geometry = root.geometry;
    this.volumes = root.volumes;
    this.byName = new Map(root.volumes.map((v) => [v.name, v]));
  }

  static open(rootChunk: Uint8Array, getChunk: GetChunk, options?: ManifestReaderOptions): ManifestReader {
    return new ManifestReader(decodeManifestRoot(rootChunk), getChunk, options);
  }

  volume(name: string): VolumeIndex | undefined {
    return this.byName.get(name);
  }

  private part(volume: VolumeIndex, ref: ManifestPartRef): Promise<ExtentEntry[]> {
    const key = `${volume.name}\u0000${ref.first}`;
    let hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
    } else {
      hit = readPart(this.getChunk, ref, this.type, volume.name, this.options.verify ?? true);
      hit.catch(() => this.cache.delete(key));
    }
    this.cache.set(key, hit);
    const max = Math.max(1, this.options.cacheParts ?? 4);
    for (const oldest of this.cache.keys()) {
      if (this.cache.size <= max) break;
      this.cache.delete(oldest);
    }
    return hit;
  }

  /** The entry for extent `index` of `volumeName`, or undefined when not listed. */
  async lookup(volumeName: string, index: number): Promise<ExtentEntry | undefined> {
    const volume = this.byName.get(volumeName);
    if (!volume) return undefined;
    const ref = findPart(volume.parts, index);
    if (!ref) return undefined;
    return findEntry(await this.part(volume, ref), index);
  }

  /** A volume's entries part by part (index order), one part in memory at a time. */
  async *parts(volumeName: string): AsyncGenerator<ExtentEntry[]> {
    const volume = this.byName.get(volumeName);
    if (!volume) return;
    for (const ref of volume.parts) yield await readPart(this.getChunk, ref, this.type, volume.name, this.options.verify ?? true);
  }

  /** A volume's entries one by one (index order), one part in memory at a time. */
  async *entries(volumeName: string): AsyncGenerator<ExtentEntry> {
    for await (const part of this.parts(volumeName)) yield* part;
  }
}

function findPart(parts: readonly ManifestPartRef[], index: number): ManifestPartRef | undefined {
  let lo = 0;
  let hi = parts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const p = parts[mid];
    if (!p) break;
    if (index < p.first) hi = mid - 1;
    else if (index > p.last) lo = mid + 1;
    else return p;
  }
  return undefined;
}

/** Binary search of an ascending extent list. */
export function findEntry(entries: readonly ExtentEntry[], index: number): ExtentEntry | undefined {
  let lo = 0;
  let hi = entries.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const e = entries[mid];
    if (!e) break;
    if (index < e.index) hi = mid - 1;
    else if (index > e.index) lo = mid + 1;
    else return e;
  }
  return undefined;
}
