/**
 * Roll-up (issue 11 item 1, docs/lifecycle.md): a live RP that rests on RPs in the recycle bin
 * gets a manifest and an index of its own on its nearest live ancestor — or none, and it becomes
 * a base — so that it restores byte-identical whatever is purged later, and chains hold kept RPs
 * only. Nothing already stored is rewritten:
 *
 * - each extent is decided from the folded links' entries (roll-up-extent.ts): an entry that says
 *   the content is reused as is (a FULL chunk of any folded RP, a DELTA on the new parent); only a
 *   DELTA on content that is folded away is materialized — resolved through the old chain, every
 *   chunk verified, into a FULL chunk;
 * - the materialized chunks and the new manifest's chunks go into new packs (charged to the
 *   tenant's storage counter, past the quota if need be: housekeeping is never refused);
 * - the new index (generation + 1, at its own keys) lists every chunk the new manifest
 *   references, where it is stored: the RP's own packs, the folded RPs', the new ones. So an
 *   index may point into packs uploaded under other RPs: GC marks from every unpurged RP's
 *   CURRENT index (rp.index, with its generation), never from upload records alone;
 * - one `RecoveryPointRolledUp` on the RP's stream, at the version read: a concurrent change
 *   (another roll-up, an expiry) makes it conflict, and the next run decides again.
 */
import {
  chunkId, decodePack, encodeFullChunk, encodeManifest, extentCount, extentLength, isAllZero, ManifestReader, PackBuilder, resolveExtent,
  type EncodedPack, type ExtentEntry, type Manifest, type VolumeManifest,
} from '../../format/index.js';
import type { ChunkLocation, IndexEntry } from '../../format/rp-index.js';
import { DomainError } from '../../domain/errors.js';
import type { RecoveryPointCommittedData } from '../../domain/recovery-point.js';
import { indexGeneration, lifeStatus, type RecoveryPointRolledUpData } from '../../domain/recovery-point-lifecycle.js';
import { BlobConflictError } from '../../ports/errors.js';
import { commandMeta, type CommandMeta } from '../command-handler.js';
import type { AppDeps } from '../deps.js';
import { recoveryPointHandler } from '../handlers.js';
import { readLocated } from '../replication/chunk-reader.js';
import { writeIndex } from '../replication/rp-index-writer.js';
import { locateInChain } from '../replication/rp-chunks.js';
import { packKey } from '../replication/storage.js';
import { chargePack, releasePack } from '../replication/storage-quota.js';
import { decideExtent, type FoldedStep } from './roll-up-extent.js';

export interface RollUpResult {
  rpId: string;
  /** The RP it rests on now (undefined: a base). */
  onto: string | undefined;
  folded: string[];
  /** Extents resolved into new FULL chunks, and those whose entries were reused. */
  materialized: number; reused: number;
  packs: string[]; addedBytes: number;
}

interface Link { readonly rp: RecoveryPointCommittedData; readonly binned: boolean }

/** The RP's chain as the log has it now, newest first (every link committed and unpurged, or it is a bug worth stopping for). */
async function chainWithStatus(deps: AppDeps, tenantId: string, rpId: string): Promise<Link[]> {
  const links: Link[] = [];
  for (let id: string | undefined = rpId; id !== undefined;) {
    const { state } = await recoveryPointHandler.load(deps, { tenantId, rpId: id });
    if (state.status !== 'committed' || state.life?.purgedAt) throw new Error(`recovery point ${rpId}: its chain reaches ${id}, which is not stored (purged or never committed)`);
    if (links.some((l) => l.rp.rpId === id)) throw new Error(`recovery point ${rpId} has a cyclic parent chain`);
    links.push({ rp: state.rp, binned: lifeStatus(state.life) === 'binned' });
    id = state.rp.parentRpId;
  }
  return links;
}

/** Stores a new pack of the roll-up once (create-once, content-addressed); returns the bytes it charged. */
async function storePack(deps: AppDeps, rp: RecoveryPointCommittedData, pack: EncodedPack, meta: CommandMeta): Promise<number> {
  const key = packKey(rp.tenantId, pack.id);
  if (await deps.blobs.head(key) !== undefined) return 0; // an earlier try of this roll-up stored it
  const at = { tenantId: rp.tenantId, machineId: rp.machineId, rpId: rp.rpId, packId: pack.id };
  await chargePack(deps, Number.MAX_SAFE_INTEGER, at, pack.bytes.length, meta);
  try {
    await deps.blobs.put(key, pack.bytes, { contentType: 'application/octet-stream' });
    return pack.bytes.length;
  } catch (err) {
    if (!(err instanceof BlobConflictError)) throw err;
    await releasePack(deps, rp.tenantId, pack.id, pack.bytes.length, meta);
    return 0;
  }
}

/**
 * Rolls `rpId` up over the binned RPs it rests on. Returns undefined when there is nothing to do
 * (not live, a base, or resting on a live RP already).
 */
export async function rollUpRecoveryPoint(deps: AppDeps, tenantId: string, rpId: string, actor: string): Promise<RollUpResult | undefined> {
  const loaded = await recoveryPointHandler.load(deps, { tenantId, rpId });
  if (loaded.state.status !== 'committed') throw new DomainError('not-found', `recovery point ${rpId} is not committed`);
  const { rp } = loaded.state;
  if (lifeStatus(loaded.state.life) !== 'live' || rp.parentRpId === undefined) return undefined;
  const links = await chainWithStatus(deps, tenantId, rpId);
  let cut = 1;
  while (cut < links.length && links[cut]?.binned) cut++;
  if (cut === 1) return undefined;
  const folded = links.slice(1, cut).map((l) => l.rp.rpId);
  const onto = links[cut]?.rp;
  const chainRps = links.map((l) => l.rp);
  const meta = commandMeta(deps, actor);

  const getChunk = async (id: string): Promise<Buffer> => {
    const location = await locateInChain(deps, tenantId, chainRps, id);
    if (!location) throw new Error(`chunk ${id} of recovery point ${rpId}'s chain is not in its indexes`);
    return (await readLocated(deps, tenantId, [{ id, location }], actor))[0] as Buffer;
  };
  const readers = await Promise.all(links.map(async (l) => ManifestReader.open(await getChunk(l.rp.manifest), getChunk, { cacheParts: 4 })));
  const oldestFirst = [...readers].reverse();
  const target = readers[0] as ManifestReader;
  const foldedReaders = readers.slice(0, cut);
  const parentReader = onto ? readers[cut] : undefined;
  const g = target.geometry;

  const located = new Map<string, ChunkLocation>();
  const packs: string[] = [];
  let addedBytes = 0;
  const builder = new PackBuilder();
  const stored = async (pack: EncodedPack | undefined): Promise<void> => {
    if (!pack) return;
    addedBytes += await storePack(deps, rp, pack, meta);
    packs.push(pack.id);
    for (const e of decodePack(pack.bytes)) located.set(e.id, { pack: pack.id, offset: e.offset, length: e.length });
  };
  const lengthIn = (r: ManifestReader | undefined, volume: string, i: number): number | undefined => {
    if (!r) return undefined;
    const size = r.volume(volume)?.sizeBytes;
    return size === undefined ? 0 : extentLength(size, i, g);
  };

  let materialized = 0;
  let reused = 0;
  const volumes: VolumeManifest[] = [];
  for (const v of target.volumes) {
    const extents: ExtentEntry[] = [];
    const zero = (index: number) => { if (onto) extents.push({ index, kind: 'ZERO' }); };
    for (let i = 0; i < extentCount(v.sizeBytes, g); i++) {
      const steps: FoldedStep[] = await Promise.all(foldedReaders.map(async (r) => {
        const length = lengthIn(r, v.name, i) as number;
        return { entry: length > 0 ? await r.lookup(v.name, i) : undefined, length, type: r.type };
      }));
      const d = decideExtent(steps, lengthIn(parentReader, v.name, i), extentLength(v.sizeBytes, i, g));
      switch (d.kind) {
        case 'omit': break;
        case 'zero': zero(i); break;
        case 'reuse': extents.push({ index: i, kind: d.entry.kind, chunk: d.entry.chunk } as ExtentEntry); reused++; break;
        case 'materialize': {
          const bytes = await resolveExtent(oldestFirst, v.name, i, getChunk);
          if (isAllZero(bytes)) { zero(i); break; }
          const chunk = encodeFullChunk(bytes);
          const id = chunkId(chunk);
          extents.push({ index: i, kind: 'FULL', chunk: id });
          materialized++;
          await stored(builder.add(chunk, id));
          break;
        }
        default: { const never: never = d; throw new Error(`unknown decision ${JSON.stringify(never)}`); }
      }
    }
    volumes.push({ name: v.name, sizeBytes: v.sizeBytes, extents });
  }
  const manifest: Manifest = { type: onto ? 'incremental' : 'base', geometry: g, volumes };
  const encoded = encodeManifest(manifest);
  for (const [k, c] of encoded.chunks.entries()) await stored(builder.add(c, encoded.chunkIds[k] as string));
  await stored(builder.add(encoded.rootChunk, encoded.rootId));
  await stored(builder.flush());

  // The new index: every chunk the new manifest references, where it is stored.
  const entries = new Map<string, IndexEntry>();
  const reference = async (chunk: string): Promise<void> => {
    if (entries.has(chunk)) return;
    const l = located.get(chunk) ?? await locateInChain(deps, tenantId, chainRps, chunk);
    if (!l) throw new Error(`chunk ${chunk} of the rolled-up manifest of ${rpId} is stored nowhere in its chain`);
    entries.set(chunk, { chunk, ...l });
  };
  for (const v of volumes) for (const e of v.extents) if (e.kind !== 'ZERO') await reference(e.chunk);
  for (const id of [...encoded.chunkIds, encoded.rootId]) await reference(id);
  const generation = indexGeneration(rp) + 1;
  const ref = await writeIndex(deps, tenantId, rpId, [...entries.values()], generation);
  const data: RecoveryPointRolledUpData = {
    tenantId, machineId: rp.machineId, rpId, generation, kind: manifest.type, ...(onto ? { parentRpId: onto.rpId } : {}),
    previousParentRpId: rp.parentRpId, folded, manifest: encoded.rootId, index: { firstChunks: ref.firstChunks, generation },
    chunkCount: entries.size, referencedBytes: [...entries.values()].reduce((n, e) => n + e.length, 0), addedBytes, packs,
  };
  await recoveryPointHandler(deps, { tenantId, rpId }, { type: 'RollUpRecoveryPoint', data }, meta, { loaded, attempts: 1 });
  return { rpId, onto: onto?.rpId, folded, materialized, reused, packs, addedBytes };
}
