/**
 * Recovery-point manifests stored as chunks (DESIGN §5). `encodeManifest` splits each volume's
 * extent list in parts of at most `partEntries` entries (MANIFEST chunks, zstd'd) and writes a
 * compact root chunk listing, per volume, its size and its parts (id, first and last extent
 * index, entry count). The root's id is the manifest's id. No manifest chunk exceeds 4 MiB
 * whatever the volume size (see manifest-codec.ts for the layout and bounds).
 */
import { encodeManifestChunk } from './chunk.js';
import type { EncodeOptions } from './codec.js';
import { ManifestFormatError } from './errors.js';
import { DEFAULT_GEOMETRY, type Geometry } from './geometry.js';
import { chunkId } from './hash.js';
import { encodePartPayload, encodeRootPayload, MAX_PART_ENTRIES, PART_ENTRIES_CEILING } from './manifest-codec.js';
import { findEntry, ManifestReader, type ManifestReaderOptions } from './manifest-reader.js';
import type { ExtentEntry, GetChunk, Manifest, ManifestPartRef, VolumeIndex, VolumeManifest } from './manifest-types.js';
import { checkGeometry, checkVolume, checkVolumes } from './manifest-validate.js';

export type * from './manifest-types.js';
export { decodeManifestRoot, manifestPartIds, ManifestReader } from './manifest-reader.js';
export { MAX_PART_ENTRIES } from './manifest-codec.js';

export interface EncodedManifest {
  /** The root chunk; its id (`rootId`) identifies the manifest. */
  readonly rootChunk: Buffer;
  readonly rootId: string;
  /** Part chunks (kind MANIFEST), deduplicated; store them with the root. */
  readonly chunks: readonly Buffer[];
  readonly chunkIds: readonly string[];
}

export interface ManifestEncodeOptions extends EncodeOptions {
  /** Entries per part chunk; default MAX_PART_ENTRIES (65,536). Smaller values suit tests. */
  readonly partEntries?: number;
}

export const manifestGeometry = (m: Pick<Manifest, 'geometry'>): Geometry => m.geometry ?? DEFAULT_GEOMETRY;

export function encodeManifest(m: Manifest, options: ManifestEncodeOptions = {}): EncodedManifest {
  const geometry = checkGeometry(manifestGeometry(m));
  if (m.type !== 'base' && m.type !== 'incremental') throw new ManifestFormatError('manifest type must be base or incremental');
  checkVolumes(m.volumes, geometry, m.type);
  const per = options.partEntries ?? MAX_PART_ENTRIES;
  if (!Number.isInteger(per) || per < 1 || per > PART_ENTRIES_CEILING) {
    throw new ManifestFormatError(`partEntries must be in 1..${PART_ENTRIES_CEILING}`);
  }
  const chunks = new Map<string, Buffer>();
  const volumes: VolumeIndex[] = m.volumes.map((v) => {
    const parts: ManifestPartRef[] = [];
    for (let at = 0; at < v.extents.length; at += per) {
      const slice = v.extents.slice(at, at + per);
      const chunk = encodeManifestChunk(encodePartPayload(slice), options);
      const id = chunkId(chunk);
      chunks.set(id, chunk);
      parts.push({ id, first: slice[0]?.index ?? 0, last: slice[slice.length - 1]?.index ?? 0, count: slice.length });
    }
    return { name: v.name, sizeBytes: v.sizeBytes, entryCount: v.extents.length, parts };
  });
  const rootChunk = encodeManifestChunk(encodeRootPayload({ type: m.type, geometry, volumes }), options);
  return { rootChunk, rootId: chunkId(rootChunk), chunks: [...chunks.values()], chunkIds: [...chunks.keys()] };
}

/**
 * Decodes a whole manifest: the root, then every part through `getChunk` (each verified
 * against its id unless `verify` is false). For bounded memory on huge volumes, use
 * ManifestReader instead.
 */
export async function decodeManifest(rootChunk: Uint8Array, getChunk: GetChunk, options: ManifestReaderOptions = {}): Promise<Manifest> {
  const reader = ManifestReader.open(rootChunk, getChunk, options);
  const volumes: VolumeManifest[] = [];
  for (const v of reader.volumes) {
    const parts: ExtentEntry[][] = [];
    for await (const part of reader.parts(v.name)) parts.push(part);
    const extents = parts.length === 1 ? (parts[0] as ExtentEntry[]) : parts.flat();
    volumes.push({ name: v.name, sizeBytes: v.sizeBytes, extents });
  }
  return { type: reader.type, geometry: reader.geometry, volumes };
}

/** Ids of the data chunks (FULL and DELTA) a manifest references, each once, in order. */
export function referencedChunks(m: Manifest): string[] {
  const ids = new Set<string>();
  for (const v of m.volumes) for (const e of v.extents) if (e.kind !== 'ZERO') ids.add(e.chunk);
  return [...ids];
}

const checked = new WeakSet<VolumeManifest>();

/** The volume of that name in a manifest (validated once before first use), or undefined. */
export function findVolume(m: Manifest, name: string): VolumeManifest | undefined {
  const v = m.volumes.find((x) => x.name === name);
  if (v && !checked.has(v)) {
    checkVolume(v, checkGeometry(manifestGeometry(m)), m.type);
    checked.add(v);
  }
  return v;
}

/** The entry for extent `index` of a volume, or undefined when the manifest does not list it. */
export function lookupExtent(m: Manifest, volumeName: string, index: number): ExtentEntry | undefined {
  const v = findVolume(m, volumeName);
  return v ? findEntry(v.extents, index) : undefined;
}
