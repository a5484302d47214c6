/**
 * One volume through the replication pipeline, extent by extent in order: workers read and
 * encode extents (a bounded window ahead), the main thread writes the new signatures, lists
 * the extent in the manifest and hands its chunk to the uploader. Memory: the window of
 * extents being encoded plus what the uploader holds — independent of the volume size.
 */
import { extentCount, extentLength, type Geometry } from '../shared/format/geometry.js';
import type { ExtentEntry } from '../shared/format/manifest-types.js';
import type { RecoveryPointKind } from '../shared/http/schemas/replication.js';
import type { ManifestWriter } from './manifest-writer.js';
import type { SignatureReader, SignatureWriter } from './signature-file.js';
import type { Uploader } from './uploader.js';
import type { ReadPath } from './volume.js';
import type { ExtentReply, ExtentWorkerPool } from './worker-pool.js';

export interface VolumePassInput {
  readonly name: string;
  readonly path: string;
  readonly sizeBytes: number;
  /** How the workers read the volume (Volume.open chose it for this pass). */
  readonly readPath: ReadPath;
  readonly kind: RecoveryPointKind;
  readonly geometry: Geometry;
  /** Signatures of the last replicated state of this volume (incrementals only; a version 1 file converts, signatures.ts). */
  readonly previous: SignatureReader | undefined;
  readonly signatures: SignatureWriter;
  readonly pool: ExtentWorkerPool;
  readonly manifest: ManifestWriter;
  readonly uploader: Uploader;
  readonly zstdLevel: number;
  /** The signature key of this volume's state (signatures.ts). */
  readonly key: Uint8Array;
  /** Extents to send whole whatever their signatures say: the target found their chunks damaged (replicate.ts). */
  readonly resend?: ReadonlySet<number>;
  readonly onExtent?: (bytes: number) => void;
}

const asBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

export interface VolumePassStats { bytesRead: number; bytesChanged: number; full: number; delta: number; zero: number; unchanged: number }

/**
 * The signature record of extent `index` as last replicated, when that extent had the same
 * length (an extent that grew or shrank has no parent state: it is sent whole or as ZERO).
 */
function previousRecord(input: VolumePassInput, index: number, length: number): Buffer | undefined {
  const previous = input.kind === 'incremental' ? input.previous : undefined;
  if (input.resend?.has(index)) return undefined; // no parent state: FULL (or ZERO), so the new RP does not need the damaged chunk
  return previous && previous.extentLength(index) === length ? previous.extent(index) : undefined;
}

export async function replicateVolume(input: VolumePassInput): Promise<VolumePassStats> {
  const { geometry: g, pool } = input;
  const count = extentCount(input.sizeBytes, g);
  const window = Math.max(3, pool.size * 2);
  const stats: VolumePassStats = { bytesRead: 0, bytesChanged: 0, full: 0, delta: 0, zero: 0, unchanged: 0 };
  const queue: Promise<ExtentReply>[] = [];
  let next = 0;
  const submit = (): void => {
    const index = next++;
    const length = extentLength(input.sizeBytes, index, g);
    const p = pool.run({
      path: input.path, offset: index * g.extentSize, length,
      previous: previousRecord(input, index, length),
      rpType: input.kind, subBlockSize: g.subBlockSize, level: input.zstdLevel, key: input.key, read: input.readPath,
    });
    p.catch(() => { /* awaited in order below */ });
    queue.push(p);
  };
  try {
    for (let index = 0; index < count; index++) {
      while (next < count && queue.length < window) submit();
      const reply = await (queue.shift() as Promise<ExtentReply>);
      const length = extentLength(input.sizeBytes, index, g);
      input.signatures.append(reply.signatures);
      stats.bytesRead += length;
      stats.bytesChanged += reply.changedBytes;
      let entry: ExtentEntry | undefined;
      switch (reply.decision) {
        case 'SKIP': stats.unchanged++; break;
        case 'ZERO': stats.zero++; entry = { index, kind: 'ZERO' }; break;
        case 'FULL': case 'DELTA': {
          if (!reply.chunkId) throw new Error(`extent ${index}: worker returned no chunk`);
          if (reply.decision === 'FULL') stats.full++;
          else stats.delta++;
          entry = { index, kind: reply.decision, chunk: reply.chunkId };
          if (reply.pack && reply.packId) await input.uploader.addPack(reply.chunkId, reply.packId, asBuffer(reply.pack));
          else if (reply.chunk) await input.uploader.add(reply.chunkId, asBuffer(reply.chunk));
          else throw new Error(`extent ${index}: worker returned no chunk`);
          break;
        }
      }
      if (entry) await input.manifest.add(entry);
      input.onExtent?.(length);
    }
  } finally {
    await Promise.allSettled(queue);
    pool.closeVolume(input.path);
  }
  return stats;
}
