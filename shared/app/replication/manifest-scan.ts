/**
 * What commit checks before its one append (DESIGN §5): the manifest root and parts are
 * stored and well-formed, agree with the commit body, every data chunk they reference is
 * stored, and how many bytes the RP adds to the tenant's usage. Parts are read one at a
 * time (ManifestReader), so memory is bounded by one part plus the set of referenced ids.
 */
import { FormatError, ManifestReader, decodeManifestRoot, manifestPartIds, type ManifestRoot } from '../../format/index.js';
import { DomainError } from '../../domain/errors.js';
import type { RecoveryPointKind } from '../../domain/recovery-point.js';
import type { VolumeInfo } from '../../domain/machine.js';
import { isValidId, streams } from '../../ids.js';
import type { AppDeps } from '../deps.js';
import { findChunk, readChunk } from './chunk-reader.js';
import { mapLimit, type ChunkRecord } from './storage.js';

export interface ManifestScan { chunkCount: number; referencedBytes: number; addedBytes: number }
export const MISSING_LISTED = 100;
const IO_PARALLELISM = 32;

const invalidManifest = (detail: string) => new DomainError('invalid', `manifest refused, nothing committed: ${detail}`, { reason: 'invalid-manifest' });

function missingChunks(missing: readonly string[]): DomainError {
  return new DomainError('invalid', `${missing.length} referenced chunk(s) are not stored; upload them and commit again`,
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
  const records = new Map<string, ChunkRecord>();
  const missing: string[] = [];
  const lookup = async (ids: readonly string[]): Promise<void> => {
    const fresh = ids.filter((id) => !records.has(id));
    const found = await mapLimit(fresh, IO_PARALLELISM, (id) => findChunk(deps.blobs, tenantId, id));
    fresh.forEach((id, i) => { const r = found[i]; if (r) records.set(id, r); else missing.push(id); });
  };
  const getChunk = (id: string) => readChunk(deps, tenantId, id, actor);

  await lookup([manifestId]);
  if (missing.length) throw missingChunks(missing);
  let root: ManifestRoot;
  try {
    root = decodeManifestRoot(await getChunk(manifestId));
  } catch (err) {
    if (err instanceof FormatError) throw invalidManifest(`root ${manifestId}: ${err.detail}`);
    throw err;
  }
  checkAgainstBody(root, kind, volumes);
  await lookup(manifestPartIds(root));
  if (missing.length) throw missingChunks(missing);

  const reader = new ManifestReader(root, getChunk, { cacheParts: 1 });
  const seen = new Set<string>();
  for (const v of root.volumes) {
    try {
      for await (const part of reader.parts(v.name)) {
        const ids: string[] = [];
        for (const e of part) if (e.kind !== 'ZERO' && !seen.has(e.chunk)) { seen.add(e.chunk); ids.push(e.chunk); }
        await lookup(ids);
      }
    } catch (err) {
      if (err instanceof FormatError) throw invalidManifest(`volume ${JSON.stringify(v.name)}: ${err.detail}`);
      throw err;
    }
  }
  if (missing.length) throw missingChunks(missing);
  return account(deps, tenantId, rpId, records);
}

/**
 * Usage: a chunk counts for this RP when its upload was attributed to this rpId, or to an rpId
 * that never committed (an abandoned attempt this RP adopts). Chunks of committed RPs count 0.
 */
async function account(deps: AppDeps, tenantId: string, rpId: string, records: ReadonlyMap<string, ChunkRecord>): Promise<ManifestScan> {
  const committed = new Map<string, Promise<boolean>>();
  const isCommitted = (owner: string): Promise<boolean> => {
    let p = committed.get(owner);
    if (!p) committed.set(owner, (p = deps.events.readStream(streams.rp(tenantId, owner)).then((es) => es.length > 0)));
    return p;
  };
  let referencedBytes = 0;
  let addedBytes = 0;
  for (const r of records.values()) {
    referencedBytes += r.length;
    if (r.rp === rpId || !(await isCommitted(r.rp))) addedBytes += r.length;
  }
  return { chunkCount: records.size, referencedBytes, addedBytes };
}
