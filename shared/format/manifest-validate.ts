/**
 * Consistency rules of manifests, applied when encoding (to what a caller built) and when
 * decoding (to what came off the wire). Every violation is a ManifestFormatError.
 */
import { FormatError, ManifestFormatError } from './errors.js';
import { assertGeometry, extentCount, type Geometry } from './geometry.js';
import { isSha256Hex } from './hash.js';
import { PART_ENTRIES_CEILING } from './manifest-codec.js';
import type { ExtentEntry, ManifestPartRef, ManifestRoot, ManifestType, VolumeManifest } from './manifest-types.js';

const MAX_NAME_BYTES = 1024;
const MAX_EXTENTS = 2 ** 32;

export function checkGeometry(g: Geometry): Geometry {
  try {
    return assertGeometry(g);
  } catch (err) {
    throw new ManifestFormatError(err instanceof FormatError ? err.detail : String(err));
  }
}

function checkVolumeHeader(name: string, sizeBytes: number, g: Geometry): number {
  const nameBytes = Buffer.byteLength(name, 'utf8');
  if (nameBytes === 0 || nameBytes > MAX_NAME_BYTES) {
    throw new ManifestFormatError(`volume name must be 1..${MAX_NAME_BYTES} UTF-8 bytes`);
  }
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes < 0) {
    throw new ManifestFormatError(`volume ${JSON.stringify(name)}: size must be a non-negative integer`);
  }
  const count = extentCount(sizeBytes, g);
  if (count > MAX_EXTENTS) throw new ManifestFormatError(`volume ${JSON.stringify(name)}: more than 2^32 extents`);
  return count;
}

function checkNames(names: readonly string[]): void {
  if (new Set(names).size !== names.length) throw new ManifestFormatError('volume names must be unique');
}

/**
 * Checks one extent list: ascending unique indices in range, no DELTA in a base, and (unless
 * the ids come from binary, hence are well-formed) the chunk ids.
 */
export function checkEntries(entries: readonly ExtentEntry[], limit: number, type: ManifestType, where: string, checkIds = true): void {
  let previous = -1;
  for (const e of entries) {
    if (!Number.isInteger(e.index) || e.index <= previous || e.index >= limit) {
      throw new ManifestFormatError(`${where}: extent index ${e.index} is out of order or out of range 0..${limit - 1}`);
    }
    previous = e.index;
    if (e.kind === 'ZERO') continue;
    if (e.kind !== 'FULL' && e.kind !== 'DELTA') throw new ManifestFormatError(`${where}: unknown extent kind`);
    if (e.kind === 'DELTA' && type === 'base') throw new ManifestFormatError(`${where}: a base cannot hold DELTA extents`);
    if (checkIds && !isSha256Hex(e.chunk)) throw new ManifestFormatError(`${where}: extent ${e.index} has a malformed chunk id`);
  }
}

/** Validates a caller-built manifest volume. */
export function checkVolume(v: VolumeManifest, g: Geometry, type: ManifestType): void {
  const limit = checkVolumeHeader(v.name, v.sizeBytes, g);
  checkEntries(v.extents, limit, type, `volume ${JSON.stringify(v.name)}`);
}

export function checkVolumes(volumes: readonly VolumeManifest[], g: Geometry, type: ManifestType): void {
  checkNames(volumes.map((v) => v.name));
  for (const v of volumes) checkVolume(v, g, type);
}

/** Validates a decoded root: geometry, names, sizes, and the parts' ranges and counts. */
export function checkRoot(root: ManifestRoot): ManifestRoot {
  checkGeometry(root.geometry);
  checkNames(root.volumes.map((v) => v.name));
  for (const v of root.volumes) {
    const limit = checkVolumeHeader(v.name, v.sizeBytes, root.geometry);
    let previous = -1;
    let total = 0;
    for (const p of v.parts) {
      if (p.first <= previous || p.last < p.first || p.last >= limit) {
        throw new ManifestFormatError(`volume ${JSON.stringify(v.name)}: part ranges overlap or exceed the volume`);
      }
      if (p.count < 1 || p.count > p.last - p.first + 1 || p.count > PART_ENTRIES_CEILING) {
        throw new ManifestFormatError(`volume ${JSON.stringify(v.name)}: part entry count ${p.count} is impossible`);
      }
      previous = p.last;
      total += p.count;
    }
    if (total !== v.entryCount) throw new ManifestFormatError(`volume ${JSON.stringify(v.name)}: parts hold ${total} entries, root says ${v.entryCount}`);
  }
  return root;
}

/** Validates a decoded part against the root's reference to it. */
export function checkPart(entries: readonly ExtentEntry[], ref: ManifestPartRef, type: ManifestType, volume: string): void {
  const where = `volume ${JSON.stringify(volume)}, part ${ref.id}`;
  if (entries.length !== ref.count) throw new ManifestFormatError(`${where}: holds ${entries.length} entries, root says ${ref.count}`);
  if (entries[0]?.index !== ref.first || entries[entries.length - 1]?.index !== ref.last) {
    throw new ManifestFormatError(`${where}: index range differs from the root's`);
  }
  checkEntries(entries, ref.last + 1, type, where, false);
}
