/**
 * Where an RP's manifest uses chunks, and whether a later RP still resolves an extent through
 * its parent's (the restore rule of shared/format/restore.ts: an extent resolves back to the
 * nearest FULL or ZERO entry, through DELTAs and unlisted extents; an extent the volume no
 * longer has, or a volume the RP does not have, resolves to nothing older).
 */
import { extentCount, manifestPartIds, type ManifestReader } from '../../../format/index.js';

export interface ExtentRef { readonly volume: string; readonly index: number }

/** For each of `chunks` the manifest references: the extents listing it, or 'manifest' for its root and parts. */
export async function usesOf(reader: ManifestReader, rootId: string, chunks: ReadonlySet<string>): Promise<Map<string, ExtentRef[] | 'manifest'>> {
  const out = new Map<string, ExtentRef[] | 'manifest'>();
  const manifestChunks = new Set([rootId, ...manifestPartIds(reader.root)]);
  for (const c of chunks) if (manifestChunks.has(c)) out.set(c, 'manifest');
  if (out.size === chunks.size) return out;
  for (const v of reader.volumes) {
    for await (const part of reader.parts(v.name)) {
      for (const e of part) {
        if (e.kind === 'ZERO' || !chunks.has(e.chunk) || out.get(e.chunk) === 'manifest') continue;
        const list = out.get(e.chunk);
        if (Array.isArray(list)) list.push({ volume: v.name, index: e.index });
        else out.set(e.chunk, [{ volume: v.name, index: e.index }]);
      }
    }
  }
  return out;
}

/** Whether resolving extent `e` of `reader`'s RP stops there (FULL, ZERO, or no such extent), instead of reading its parent's. */
export async function resolvesHere(reader: ManifestReader, e: ExtentRef): Promise<boolean> {
  const volume = reader.volume(e.volume);
  if (!volume || e.index >= extentCount(volume.sizeBytes, reader.geometry)) return true;
  const entry = await reader.lookup(e.volume, e.index);
  return entry !== undefined && (entry.kind === 'FULL' || entry.kind === 'ZERO');
}
