/**
 * Recovery-point manifest model (DESIGN §5). Per volume, the extents that differ from the
 * parent RP, each FULL or DELTA (with the chunk holding it) or ZERO. A base lists every
 * non-zero extent: an extent absent from a base is zero. An extent absent from an incremental
 * is the same as in the parent. A volume absent from a manifest did not exist at that point.
 */
import type { Geometry } from './geometry.js';

export type ExtentKind = 'FULL' | 'DELTA' | 'ZERO';
export type ManifestType = 'base' | 'incremental';

export type ExtentEntry =
  | { readonly index: number; readonly kind: 'FULL' | 'DELTA'; readonly chunk: string }
  | { readonly index: number; readonly kind: 'ZERO' };

export interface VolumeManifest {
  /** 1..1024 UTF-8 bytes, unique within a manifest. */
  readonly name: string;
  readonly sizeBytes: number;
  /** Strictly ascending by index; each index < extentCount(sizeBytes). */
  readonly extents: readonly ExtentEntry[];
}

export interface Manifest {
  readonly type: ManifestType;
  /** Defaults to DEFAULT_GEOMETRY (4 MiB extents, 64 KiB sub-blocks) when omitted. */
  readonly geometry?: Geometry;
  readonly volumes: readonly VolumeManifest[];
}

/** One part of a volume's extent list, as the manifest root lists it. */
export interface ManifestPartRef {
  readonly id: string;
  readonly first: number;
  readonly last: number;
  readonly count: number;
}

export interface VolumeIndex {
  readonly name: string;
  readonly sizeBytes: number;
  readonly entryCount: number;
  readonly parts: readonly ManifestPartRef[];
}

/** The decoded root chunk of a manifest: everything but the extent entries themselves. */
export interface ManifestRoot {
  readonly type: ManifestType;
  readonly geometry: Geometry;
  readonly volumes: readonly VolumeIndex[];
}

/** Fetches a stored chunk's bytes by id (sync or async). */
export type GetChunk = (id: string) => Uint8Array | Promise<Uint8Array>;
