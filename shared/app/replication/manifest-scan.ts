/**
 * What commit checks before its one append (DESIGN §5, storage layout 2): the
 * manifest root and parts were uploaded under this rpId, are well-formed and agree with the
 * commit body; every data chunk they reference was uploaded under this rpId; then the RP's
 * index (shared/format/rp-index.ts) is written from the RP's upload records. Work is O(packs):
 * the upload records are read in pages (one item per pack), the manifest parts by ranged reads,
 * and no chunk is looked up on its own. Memory holds one location per referenced chunk.
 */
import { FormatError, ManifestReader, decodeManifestRoot, manifestPartIds, type ManifestRoot } from '../../format/index.js';
import type { ChunkLocation, IndexEntry } from '../../format/rp-index.js';
import { DomainError } from '../../domain/errors.js';
import type { RecoveryPointKind } from '../../domain/recovery-point.js';
import type { VolumeInfo } from '../../domain/machine.js';
import { isValidId } from '../../ids.js';
import type { AppDeps } from '../deps.js';
import { readLocated } from './chunk-reader.js';
import { uploadedChunks } from './upload-records.js';

export interface ManifestScan {
  chunkCount: number; referencedBytes: number; addedBytes: number;
  /** The RP's index entries: every referenced chunk's place (written by the commit once its checks pass: rp-index-writer.ts). */
  entries: IndexEntry[];
}
export const MISSING_LISTED = 100;

const invalidManifest = (detail: string) => new DomainError('invalid', `manifest refused, nothing committed: ${detail}`, { reason: 'invalid-manifest' });

function missingChunks(missing: readonly string[]): DomainError {
  return new DomainError('invalid', `${missing.length} referenced chunk(s) were not uploaded for this recovery point; upload them and commit again`,
    { reason: 'missing-chunks', details: { missingCount: missing.length, missing: missing.slice(0, MISSING_LISTED) } });
}

function checkAgainstBody(root: ManifestRoot, kind: RecoveryPointKind, volumes: readonly VolumeInfo[]): void {
  // The root's names become file names at restore: the id rule, whatever the body says.
  for (const v of root.volumes) {
    if (!isValidId(v.name)) throw invalidManifest(`volume name ${JSON.stringify(v.name)} must match [A-Za-z0-9._-]{1,64} and not be "." or ".."`);
  }
  if (root.type !== kind) throw invalidManifest(`the manifest is a ${root.type}, the commit says ${kind}`);
  const inRoot = new Map(root.volumes.map((v) => [v.name, v.sizeBytes]));
  const same = volumes.length === inRoot.size && volumes.every((v) => inRoot.get(v.name) === v.sizeBytes);
  if (!same) {
    const show = (vs: readonly { name: string; sizeBytes: number }[]) => vs.map((v) => `${v.name}=${v.sizeBytes}`).join(', ') || 'none';
    throw invalidManifest(`volumes differ: the manifest has ${show(root.volumes)}, the commit says ${show(volumes)}`);
  }
}

export async function scanManifest(
  deps: AppDeps, tenantId: string, rpId: string, manifestId: string, kind: RecoveryPointKind, volumes: readonly VolumeInfo[], actor: string,
): Promise<ManifestScan> {
  const uploaded = await uploadedChunks(deps, tenantId, rpId);
  const referenced = new Map<string, ChunkLocation>();
  const missing: string[] = [];
  const reference = (id: string): void => {
    if (referenced.has(id)) return;
    const at = uploaded.chunks.get(id);
    if (at) referenced.set(id, at);
    else missing.push(id);
  };
  const getChunk = async (id: string): Promise<Buffer> => {
    const location = referenced.get(id) ?? uploaded.chunks.get(id);
    if (!location) throw missingChunks([id]);
    return (await readLocated(deps, tenantId, [{ id, location }], actor))[0] as Buffer;
  };

  reference(manifestId);
  if (missing.length) throw missingChunks(missing);
  let root: ManifestRoot;
  try {
    root = decodeManifestRoot(await getChunk(manifestId));
  } catch (err) {
    if (err instanceof FormatError) throw invalidManifest(`root ${manifestId}: ${err.detail}`);
    throw err;
  }
  checkAgainstBody(root, kind, volumes);
  for (const id of manifestPartIds(root)) reference(id);
  if (missing.length) throw missingChunks(missing);

  const reader = new ManifestReader(root, getChunk, { cacheParts: 1 });
  for (const v of root.volumes) {
    try {
      for await (const part of reader.parts(v.name)) for (const e of part) if (e.kind !== 'ZERO') reference(e.chunk);
    } catch (err) {
      if (err instanceof FormatError) throw invalidManifest(`volume ${JSON.stringify(v.name)}: ${err.detail}`);
      throw err;
    }
  }
  if (missing.length) throw missingChunks(missing);

  const entries: IndexEntry[] = [];
  let referencedBytes = 0;
  for (const [chunk, l] of referenced) {
    entries.push({ chunk, pack: l.pack, offset: l.offset, length: l.length });
    referencedBytes += l.length;
  }
  return { chunkCount: entries.length, referencedBytes, addedBytes: uploaded.chargedBytes, entries };
}
