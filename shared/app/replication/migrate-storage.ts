/**
 * Storage migration, layout 1 → 2 (docs/replication-protocol.md "Compatibility"): an RP
 * committed before RP indexes existed found its chunks through one record object per chunk
 * (`tenants/<T>/chunks/<sha[0:2]>/<sha>` → {pack, offset, length}). Reads of such an RP are
 * refused (409 Storage Migration Required), never guessed. This step writes its index from
 * those records — every chunk its manifest references, each verified by a ranged read of its
 * pack for the manifest chunks, located by its record for data chunks — and appends
 * `RecoveryPointIndexed`. Idempotent (an indexed RP is skipped) and resumable: it walks the
 * event log from a cursor and does at most `limit` RPs per call, so on AWS each call fits one
 * Lambda invocation and the CLI loops until `done`.
 */
import { decodeManifestRoot, FormatError, ManifestReader, manifestPartIds } from '../../format/index.js';
import type { ChunkLocation, IndexEntry } from '../../format/rp-index.js';
import type { RecoveryPointCommittedData } from '../../domain/recovery-point.js';
import { assertId, assertSha256, streamKindOf } from '../../ids.js';
import { NotFoundError } from '../../ports/errors.js';
import type { AppDeps } from '../deps.js';
import { recoveryPointHandler } from '../handlers.js';
import { readLocated } from './chunk-reader.js';
import { writeIndex } from './rp-index-writer.js';
import { mapLimit } from './storage.js';

/** Layout 1's per-chunk record key (read here and nowhere else). */
export const layoutOneChunkKey = (tenantId: string, chunkId: string): string =>
  `tenants/${assertId('tenantId', tenantId)}/chunks/${assertSha256(chunkId).slice(0, 2)}/${chunkId}`;

export interface MigrationStep {
  migrated: { tenantId: string; rpId: string; chunks: number }[];
  failed: { tenantId: string; rpId: string; reason: string }[];
  /** Where the next step starts; absent when the log was read to its end. */
  next?: string;
  done: boolean;
}

const LOG_PAGE = 500;
const LOOKUPS = 32;

class MigrationRefused extends Error {}

async function layoutOneLocation(deps: Pick<AppDeps, 'blobs'>, tenantId: string, chunk: string): Promise<ChunkLocation> {
  let raw: Buffer;
  try {
    raw = await deps.blobs.get(layoutOneChunkKey(tenantId, chunk));
  } catch (err) {
    if (err instanceof NotFoundError) throw new MigrationRefused(`chunk ${chunk} has no layout-1 record: the RP cannot be indexed (it would not restore)`);
    throw err;
  }
  const r = JSON.parse(raw.toString('utf8')) as Partial<ChunkLocation>;
  if (typeof r.pack !== 'string' || !Number.isSafeInteger(r.offset) || !Number.isSafeInteger(r.length)) throw new MigrationRefused(`the record of chunk ${chunk} is corrupt`);
  return { pack: assertSha256(r.pack), offset: r.offset as number, length: r.length as number };
}

/** Indexes one layout-1 RP: its manifest read and verified through the records, every referenced chunk located. */
async function migrateRp(deps: AppDeps, rp: RecoveryPointCommittedData, actor: string): Promise<number> {
  const { tenantId, rpId } = rp;
  const located = new Map<string, ChunkLocation>();
  const locate = async (id: string): Promise<ChunkLocation> => {
    let l = located.get(id);
    if (!l) located.set(id, (l = await layoutOneLocation(deps, tenantId, id)));
    return l;
  };
  const getChunk = async (id: string): Promise<Buffer> => (await readLocated(deps, tenantId, [{ id, location: await locate(id) }], actor))[0] as Buffer;
  try {
    const root = decodeManifestRoot(await getChunk(rp.manifest));
    for (const id of manifestPartIds(root)) await locate(id);
    const reader = new ManifestReader(root, getChunk, { cacheParts: 1 });
    for (const v of root.volumes) {
      for await (const part of reader.parts(v.name)) {
        const ids = part.flatMap((e) => (e.kind === 'ZERO' ? [] : [e.chunk]));
        await mapLimit(ids, LOOKUPS, locate);
      }
    }
  } catch (err) {
    if (err instanceof FormatError) throw new MigrationRefused(`its manifest does not decode: ${err.detail}`);
    throw err;
  }
  const entries: IndexEntry[] = [...located].map(([chunk, l]) => ({ chunk, ...l }));
  const index = await writeIndex(deps, tenantId, rpId, entries);
  await recoveryPointHandler(deps, { tenantId, rpId }, { type: 'IndexRecoveryPoint', data: { tenantId, machineId: rp.machineId, rpId, index } }, actor);
  return entries.length;
}

/** Migrates up to `limit` layout-1 RPs found in the log after `after`. */
export async function migrateStorageStep(deps: AppDeps, options: { after?: string | undefined; limit: number }, actor: string): Promise<MigrationStep> {
  const step: MigrationStep = { migrated: [], failed: [], done: false };
  let cursor = options.after;
  for (;;) {
    const page = await deps.events.readAll(cursor, LOG_PAGE);
    for (const e of page.events) {
      cursor = e.position;
      if (e.type !== 'RecoveryPointCommitted' || streamKindOf(e.streamId) !== 'rp') continue;
      const data = e.data as RecoveryPointCommittedData;
      if (data.index) continue;
      const { state } = await recoveryPointHandler.load(deps, { tenantId: data.tenantId, rpId: data.rpId });
      if (state.status !== 'committed' || state.rp.index) continue; // indexed since
      try {
        step.migrated.push({ tenantId: data.tenantId, rpId: data.rpId, chunks: await migrateRp(deps, state.rp, actor) });
      } catch (err) {
        if (!(err instanceof MigrationRefused)) throw err;
        step.failed.push({ tenantId: data.tenantId, rpId: data.rpId, reason: err.message });
      }
      if (step.migrated.length + step.failed.length >= options.limit) return { ...step, ...(cursor !== undefined ? { next: cursor } : {}) };
    }
    if (page.events.length === 0 || page.next === undefined) return { ...step, done: true };
    cursor = page.next;
  }
}
