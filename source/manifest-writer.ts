/**
 * Builds a recovery point's manifest while the volumes stream by (DESIGN §5: manifests are data,
 * stored as chunks). Entries arrive in extent order; every MAX_PART_ENTRIES of a volume become
 * one MANIFEST part chunk handed to `emit` at once, so memory holds at most one part whatever
 * the volume size. `finish` encodes the root chunk — its id is the manifest's id. The output
 * is byte-identical to shared/format's encodeManifest for the same entries.
 */
import { encodeManifestChunk } from '../shared/format/chunk.js';
import { checkEntries, checkGeometry } from '../shared/format/manifest-validate.js';
import { encodePartPayload, encodeRootPayload, MAX_PART_ENTRIES } from '../shared/format/manifest-codec.js';
import { extentCount, type Geometry } from '../shared/format/geometry.js';
import { chunkId } from '../shared/format/hash.js';
import type { ExtentEntry, ManifestPartRef, ManifestType, VolumeIndex } from '../shared/format/manifest-types.js';

export type EmitChunk = (id: string, chunk: Buffer) => Promise<void>;

interface OpenVolume {
  name: string;
  sizeBytes: number;
  entries: ExtentEntry[];
  entryCount: number;
  parts: ManifestPartRef[];
}

export class ManifestWriter {
  private readonly done: VolumeIndex[] = [];
  private current: OpenVolume | undefined;

  constructor(
    readonly type: ManifestType,
    readonly geometry: Geometry,
    private readonly emit: EmitChunk,
    private readonly partEntries: number = MAX_PART_ENTRIES,
  ) {
    checkGeometry(geometry);
  }

  beginVolume(name: string, sizeBytes: number): void {
    if (this.current) throw new Error('finish the previous volume first');
    if (this.done.some((v) => v.name === name)) throw new Error(`volume ${name} appears twice`);
    this.current = { name, sizeBytes, entries: [], entryCount: 0, parts: [] };
  }

  /** Adds the next entry of the current volume (ascending extent index). */
  async add(entry: ExtentEntry): Promise<void> {
    const v = this.current;
    if (!v) throw new Error('beginVolume first');
    v.entries.push(entry);
    v.entryCount++;
    if (v.entries.length >= this.partEntries) await this.flushPart(v);
  }

  private async flushPart(v: OpenVolume): Promise<void> {
    if (v.entries.length === 0) return;
    checkEntries(v.entries, extentCount(v.sizeBytes, this.geometry), this.type, `volume ${JSON.stringify(v.name)}`);
    const first = v.entries[0] as ExtentEntry;
    const last = v.entries[v.entries.length - 1] as ExtentEntry;
    if (v.parts.length && first.index <= (v.parts[v.parts.length - 1] as ManifestPartRef).last) {
      throw new Error(`volume ${v.name}: extent ${first.index} out of order`);
    }
    const chunk = encodeManifestChunk(encodePartPayload(v.entries));
    const id = chunkId(chunk);
    v.parts.push({ id, first: first.index, last: last.index, count: v.entries.length });
    v.entries = [];
    await this.emit(id, chunk);
  }

  async endVolume(): Promise<void> {
    const v = this.current;
    if (!v) throw new Error('no volume is open');
    await this.flushPart(v);
    this.done.push({ name: v.name, sizeBytes: v.sizeBytes, entryCount: v.entryCount, parts: v.parts });
    this.current = undefined;
  }

  /** Encodes the root chunk, emits it, and returns its id (the manifest id). */
  async finish(): Promise<string> {
    if (this.current) throw new Error('a volume is still open');
    const root = encodeManifestChunk(encodeRootPayload({ type: this.type, geometry: this.geometry, volumes: this.done }));
    const id = chunkId(root);
    await this.emit(id, root);
    return id;
  }
}
